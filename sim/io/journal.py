"""samenspel's own record of what it writes, kept per user, outside any result.

Ownership is what samenspel recorded writing, never a name or a mark that anyone could give a
file. Two records live in the user's state folder (`$XDG_STATE_HOME/samenspel`, by default
`~/.local/state/samenspel`):

- **Writes in progress** (`pending/`): before a command creates a temporary folder or file
  beside a destination, or moves an old result aside, it notes the path here, with its process
  id and start time. When it finishes, the note goes. A command killed halfway leaves its note,
  and the next command that writes (:func:`clean_up`) removes exactly the paths the dead process
  noted (or puts back an old result whose replacement never arrived). A path samenspel did not
  note is never touched, whatever its name.
- **Files written** (`written.jsonl`): a result that is one file (an animation, a video) is
  recorded with its path, size and SHA-256 once it is in place. `--force` replaces such a file
  only when it is still exactly what this record says samenspel wrote there
  (:func:`wrote_file`); a file copied from elsewhere, or changed since, is not samenspel's.

A folder result records its own files in its manifest (sim/io/store.py); this journal only covers
what has no manifest to hold it. Where the state folder cannot be written (a read-only home),
nothing is noted: a killed command's leftovers then stay, and a one-file result cannot be
replaced with `--force`; nothing is ever deleted on a guess.

Each process also gets a temporary folder of its own, noted like the rest (:func:`process_tmp`):
Python's `tempfile` and multiprocessing's `pymp-*` folders go there, so a process killed with
`kill -9` leaves nothing behind in `$TMPDIR` after the next command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

_HOST = socket.gethostname()


def state_dir() -> Path:
    """Where samenspel keeps its per-user records."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(base) / "samenspel"


def _started(pid: int) -> str:
    """When process `pid` started (clock ticks since boot, from /proc), to tell a reused pid;
    '' where the system does not say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(pid: int, started: str) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return not started or _started(pid) in ("", started)


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a regular file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


# --- writes in progress ------------------------------------------------------------------------


class Pending:
    """The note of one write in progress: the paths it may leave behind if it is killed."""

    def __init__(self) -> None:
        self.paths: list[dict[str, str]] = []
        self.note: Path | None = None

    def add(self, path: Path, kind: str = "tmp", home: Path | None = None) -> None:
        """Note `path` (before it is created). kind "tmp": remove it if the writer dies;
        "old": an earlier result moved aside from `home`: put it back there if `home` is
        empty when the writer is found dead, else remove it."""
        entry = {"path": str(Path(path).absolute()), "kind": kind}
        if home is not None:
            entry["home"] = str(Path(home).absolute())
        self.paths.append(entry)
        self._save()

    def _save(self) -> None:
        folder = state_dir() / "pending"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if self.note is None:
                self.note = folder / f"{os.getpid()}-{secrets.token_hex(4)}.json"
            record = {"pid": os.getpid(), "started": _started(os.getpid()), "host": _HOST}
            tmp = self.note.with_suffix(".partial")
            tmp.write_text(json.dumps({**record, "paths": self.paths}), encoding="utf-8")
            os.replace(tmp, self.note)
        except OSError:
            self.note = None  # no state folder: nothing noted, so nothing will be cleaned

    def done(self) -> None:
        if self.note is not None:
            self.note.unlink(missing_ok=True)
            self.note = None


@contextlib.contextmanager
def pending() -> Iterator[Pending]:
    """A write in progress: `with pending() as note: note.add(tmp); ...`. On a normal end or
    an exception the writer cleans up itself and the note goes; only a kill leaves it."""
    note = Pending()
    try:
        yield note
    finally:
        note.done()


def _undo(entry: dict) -> None:
    path = Path(entry["path"])
    if not (path.exists() or path.is_symlink()):
        return
    home = Path(entry["home"]) if "home" in entry else None
    if entry["kind"] == "old" and home is not None and not home.exists():
        os.rename(path, home)  # the new result never arrived: the old one goes back
    elif path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_up() -> list[str]:
    """Finish what killed samenspel processes on this machine left: remove the temporary paths
    they noted, put back old results moved aside. Returns the paths handled."""
    handled: list[str] = []
    folder = state_dir() / "pending"
    try:
        notes = sorted(folder.glob("*.json"))
    except OSError:
        return handled
    for note in notes:
        try:
            record = json.loads(note.read_text(encoding="utf-8"))
            if record.get("host") != _HOST or _alive(int(record["pid"]), record["started"]):
                continue
            for entry in reversed(record["paths"]):
                _undo(entry)
                handled.append(entry["path"])
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            continue  # a damaged note: leave it, touch nothing
        note.unlink(missing_ok=True)
    return handled


# --- the process's own temporary folder --------------------------------------------------------

_process_tmp: list[Path] = []
SOCKET_PATH_MAX = 107  # bytes: an AF_UNIX socket's path on Linux (sun_path less its NUL)
SOCKET_TAIL = len("/pymp-12345678/listener-12345678")  # what multiprocessing adds below it


def process_tmp() -> Path:
    """This process's own temporary folder (noted, removed at exit, or by the next command
    after a kill), made the default of `tempfile` so multiprocessing's folders go there too."""
    if _process_tmp and _process_tmp[0].is_dir():
        return _process_tmp[0]
    name = f"samenspel-{os.getpid()}-{secrets.token_hex(4)}"
    path = Path(tempfile.gettempdir()) / name
    if len(os.fsencode(path)) + SOCKET_TAIL > SOCKET_PATH_MAX and os.access("/tmp", os.W_OK):
        path = Path("/tmp") / name  # a long TMPDIR (a cluster's scratch): sockets must fit
    note = Pending()
    note.add(path)
    path.mkdir(mode=0o700)
    tempfile.tempdir = str(path)
    _process_tmp[:] = [path]

    def remove() -> None:
        if os.getpid() == int(path.name.split("-")[1]):
            shutil.rmtree(path, ignore_errors=True)
            note.done()

    # At exit, after multiprocessing has removed its own folders inside (priority -100).
    from multiprocessing.util import Finalize

    Finalize(None, remove, exitpriority=-200)
    return path


# --- one-file results ----------------------------------------------------------------------------


def record_file(path: Path) -> None:
    """Record that samenspel wrote the file now at `path` (its size and SHA-256)."""
    size, sha = file_digest(path)
    line = json.dumps({"path": str(Path(path).absolute()), "size": size, "sha256": sha}) + "\n"
    try:
        state_dir().mkdir(parents=True, exist_ok=True)
        fd = os.open(state_dir() / "written.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        pass  # no record: the file can then not be replaced with --force, only kept


def wrote_file(path: Path, anywhere: bool = False) -> bool:
    """Whether the file at `path` is exactly one samenspel recorded writing there (`anywhere`:
    one it recorded writing, wherever; a result's manifest, whose folder may have been moved)."""
    where = str(Path(path).absolute())
    try:
        lines = (state_dir() / "written.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    sizes = set()
    for line in lines:
        with contextlib.suppress(ValueError, TypeError, KeyError, RecursionError):
            entry = json.loads(line)
            if anywhere or entry["path"] == where:
                sizes.add((entry["size"], entry["sha256"]))
    if not sizes:
        return False
    try:
        return file_digest(Path(path)) in sizes
    except OSError:
        return False
