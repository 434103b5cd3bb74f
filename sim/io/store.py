"""Writing results safely: never into what samenspel did not write, always all or nothing.

The promise (README, "Your data is safe"): samenspel never deletes, replaces or writes into a
folder or file it did not write, and a result appears whole or not at all.

- **Ownership is what a result recorded writing.** A result folder's `manifest.json` lists every
  file samenspel put there, with its size and SHA-256, and every folder (`files`, `dirs`; files
  that grow by design, such as a sweep's status log, are listed by name in `grows`, and a
  sweep's parts in its ledger, `ledger`). `--force` replaces a folder only when it holds exactly
  what its manifest lists (:func:`foreign_files`); a file added, changed or linked in since makes
  it refuse, naming the files. A folder whose writer lock is held (a sweep at work) is refused
  by every command. A result that is one file (an animation, a video) is recorded in the user's
  journal (sim/io/journal.py) and replaced only while it is exactly what was recorded.
- Without `--out` a command picks the first free name (`results/NAME`, `results/NAME-2`, ...).
- A result is written into a temporary folder beside its destination and put in place with one
  atomic step: a rename, or, to replace, an atomic exchange of the two folders (Linux
  `renameat2(RENAME_EXCHANGE)`), so after a kill at any moment either the old or the new result
  is complete under its name. Where the exchange is not available, the old folder is moved
  aside first. Every temporary or moved-aside path is noted in the journal before it is made;
  the next command removes what a killed one noted, or puts an old result back
  (`journal.clean_up`), and never touches a path it did not note.

The API, for folders: `destination` then `write_atomically`; for one file: `file_destination`
then `write_file_atomically`.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tomli_w

from sim.io import journal
from sim.io.inputs import ConfigError, check_name, read_text

MANIFEST = "manifest.json"
LOCK = ".samenspel.lock"  # a sweep's writer lock (sim/study/sweep.py); held while it writes
MANIFEST_LIMIT = 64 << 20  # bytes: a manifest lists files, it is never this large
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(ConfigError):
    """An output location samenspel may not or cannot write (exit status 2)."""


@dataclass(frozen=True)
class Destination:
    """Where a result will go, and whether it replaces an earlier samenspel result there."""

    path: Path
    replaces: bool = False
    taken: Path | None = None  # the default location, if an earlier result made us move on


# --- what a result recorded writing -------------------------------------------------------------


def manifest(folder: Path) -> dict | None:
    """A folder's samenspel manifest, or None where it has none (or one samenspel cannot have
    written: not a table with a `samenspel` key)."""
    try:
        data = json.loads(read_text(Path(folder) / MANIFEST, "manifest", limit=MANIFEST_LIMIT))
    except (ConfigError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and "samenspel" in data else None


def is_result(folder: Path) -> bool:
    """Whether `folder` holds a samenspel manifest (what it may replace is `foreign_files`)."""
    return manifest(folder) is not None


def record_files(folder: Path) -> None:
    """Add to the manifest in `folder` the files and folders now below it, each file with its
    size and SHA-256 (except those the manifest lists in `grows`, owned by name)."""
    folder = Path(folder)
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    grows = set(data.get("grows", []))
    files, dirs = {}, []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            dirs.append(rel)
        elif rel != MANIFEST and rel not in grows:
            size, sha = journal.file_digest(path)
            files[rel] = {"size": size, "sha256": sha}
    write_json(folder / MANIFEST, {**data, "files": files, "dirs": dirs})


def ledger_entries(folder: Path, data: dict) -> dict[str, dict]:
    """The files a growing result (a sweep) recorded in its ledger after it was made:
    path -> {"size", "sha256"}; lines that are not such a record are left out (a sweep folder
    checks its ledger line by line itself, sim/study/sweep.py)."""
    name = data.get("ledger")
    if not isinstance(name, str):
        return {}
    try:
        text = read_text(Path(folder) / name, "ledger", limit=MANIFEST_LIMIT * 4)
    except ConfigError:
        return {}
    entries = {}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            entries[str(entry["path"])] = {"size": entry["size"], "sha256": entry["sha256"]}
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def foreign_files(folder: Path) -> list[str] | None:
    """What `folder` holds that its manifest does not say samenspel wrote there: files added,
    changed (size or SHA-256) or linked in since, folders added. None when the folder has no
    manifest that lists its files (not a result, or one by a samenspel that kept no list)."""
    folder = Path(folder)
    data = manifest(folder)
    if data is None or not isinstance(data.get("files"), dict):
        return None
    files = {**data["files"], **ledger_entries(folder, data)}
    grows = set(data.get("grows", [])) | {MANIFEST}
    dirs = set(data.get("dirs", []))
    foreign = []
    for root, subdirs, names in os.walk(folder):
        for name in sorted(subdirs + names):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                foreign.append(rel)
            elif path.is_dir():
                if rel not in dirs:
                    foreign.append(rel + "/")
            elif rel not in grows and not _unchanged(path, files.get(rel)):
                foreign.append(rel)
        subdirs[:] = [d for d in subdirs if Path(root, d).relative_to(folder).as_posix() in dirs]
    return foreign


def _unchanged(path: Path, recorded: dict | None) -> bool:
    if not isinstance(recorded, dict) or not path.is_file():
        return False
    try:
        if path.stat().st_size != recorded.get("size"):
            return False
        return journal.file_digest(path)[1] == recorded.get("sha256")
    except OSError:
        return False


def writer(folder: Path) -> str | None:
    """Who holds `folder`'s writer lock (a sweep at work), or None when nobody does."""
    lock = Path(folder) / LOCK
    if not lock.is_file() or lock.is_symlink():
        return None
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:
            holder = {}
        return f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
    finally:
        os.close(fd)
    return None


def _listing(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def _check_creatable(path: Path, what: str) -> None:
    """The nearest existing ancestor must be a folder this process can write in."""
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{what}: cannot create {path}: {ancestor} is a file, not a folder")
    try:  # permissions alone do not tell (root, read-only or virtual file systems): try it
        os.rmdir(tempfile.mkdtemp(prefix=".samenspel-probe-", dir=ancestor))
    except OSError as exc:
        raise OutputError(f"{what}: cannot create {path}: {ancestor}: {exc.strerror}") from None


def _refuse_link(path: Path, what: str, instead: str) -> None:
    if path.is_symlink():
        raise OutputError(
            f"{what}: {path} is a link; samenspel does not write through links: {instead}"
        )


def _first_free(
    default: Path, free: Callable[[Path], bool], numbered: Callable[[int], str]
) -> Path:
    """`default`, or the first of `numbered(2)`, `numbered(3)`, ... beside it that is `free`."""
    candidate, n = default, 1
    while not free(candidate):
        n += 1
        candidate = default.with_name(numbered(n))
    return candidate


def check_target(path: Path, what: str = "--out", force: bool = False) -> bool:
    """Check that a result may be written at `path`; return whether it replaces one.

    Raises OutputError naming what is there and what to do.
    """
    path = check_name(path, what)
    _refuse_link(path, what, "give the folder it points to, or another --out")
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"{what}: {path} is a file, not a folder; samenspel writes a result as a folder and "
            "never replaces a file: choose another --out"
        )
    if not path.exists() or not any(path.iterdir()):
        _check_creatable(path, what)
        return False  # nothing there to lose
    holder = writer(path)
    if holder is not None:
        raise OutputError(
            f"{what}: {path} is being written by a samenspel sweep ({holder}); wait for it to "
            "finish, or choose another folder"
        )
    if not is_result(path):
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
        raise OutputError(
            f"{what}: {path} holds files samenspel did not write ({_listing(names, 3)}); "
            "samenspel never writes into or replaces such a folder: choose a new or empty folder"
        )
    if not force:
        raise OutputError(
            f"{what}: {path} holds an earlier samenspel result; add --force to replace it, or "
            "choose another folder"
        )
    foreign = foreign_files(path)
    if foreign is None:
        raise OutputError(
            f"{what}: {path} holds a result whose manifest does not list the files samenspel "
            "wrote (an older samenspel, or a copied manifest); --force replaces only what "
            "samenspel recorded writing: remove the folder yourself, or choose another folder"
        )
    if foreign:
        raise OutputError(
            f"{what}: {path} holds files samenspel did not write, or changed since "
            f"({_listing(foreign)}); --force replaces only what samenspel wrote: move them out "
            "first, or choose another folder"
        )
    _check_creatable(path, what)
    return True


def destination(out: Path | None, default: Path, *, force: bool = False) -> Destination:
    """Where a command's result goes: `--out` as given, or the first free default name.

    Without `--out`, an earlier result at the default is kept and the next free name
    (`NAME-2`, `NAME-3`, ...) is used; with `--out`, a folder holding an earlier result is
    replaced only with `force`.
    """
    if out is not None:
        out = Path(out)
        return Destination(out, check_target(out, "--out", force))
    default = check_name(default, "output")
    candidate = _first_free(
        default,
        lambda p: not p.exists() or (not p.is_symlink() and _is_empty_dir(p)),
        lambda n: f"{default.name}-{n}",
    )
    check_target(candidate, "output")
    return Destination(candidate, False, default if candidate != default else None)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def kill_point(name: str) -> None:
    """A test hook: die here, as a kill -9 would, when SAMENSPEL_KILL_AT names this point
    (`NAME`, or `NAME@N` for its N-th passage in this process).

    The crash-safety tests run a command once for every point and check what is left.
    """
    wanted = os.environ.get("SAMENSPEL_KILL_AT")
    if not wanted or not wanted.startswith(name):
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passages[name] = _passages.get(name, 0) + 1
    if _passages[name] >= int(nth or 1):
        os._exit(137)


_passages: dict[str, int] = {}


KILL_POINTS = ("filled", "moved-aside", "swapped")
"""The points of a write where the crash-safety tests kill the writer."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot.

    SAMENSPEL_NO_EXCHANGE=1 makes it answer False, to test the fallback on this machine.
    """
    if os.environ.get("SAMENSPEL_NO_EXCHANGE"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        if path.is_file() or path == folder:
            _fsync(path)


def _temporary(dest: Path, token: str) -> Path:
    """The temporary name beside `dest` (noted in the journal before it is made)."""
    return dest.with_name(f".samenspel-tmp-{os.getpid()}-{token}-{dest.name}")


def _written_meanwhile(dest: Path) -> OutputError:
    return OutputError(f"output: {dest} was written by someone else meanwhile; nothing replaced")


def write_atomically(
    dest: Path | Destination, fill: Callable[[Path], None], *, replace: bool = False
) -> Path:
    """Create folder `dest` with the files `fill(tmp)` writes, all at once or not at all.

    `fill` must write a samenspel manifest; the files it wrote are then recorded in it
    (`record_files`), which is what makes them samenspel's. `dest` must not exist, or be an
    empty folder; with `replace` (or a Destination that replaces) it may hold an earlier
    samenspel result that holds nothing else, which is swapped out atomically.
    """
    if isinstance(dest, Destination):
        replace = replace or dest.replaces
        dest = dest.path
    dest = Path(dest)
    token = secrets.token_hex(4)
    tmp = _temporary(dest, token)
    journal.clean_up()  # first, what killed commands left
    with journal.pending() as note:
        note.add(tmp)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp.mkdir()
        except OSError as exc:
            raise OutputError(f"output: cannot create {dest}: {exc.strerror}") from None
        try:
            fill(tmp)
            if not is_result(tmp):
                raise RuntimeError(f"internal: a result for {dest} was written without a manifest")
            record_files(tmp)
            _fsync_tree(tmp)
            kill_point("filled")
            if dest.exists() and not _is_empty_dir(dest):
                check_target(dest, "output", force=replace)  # again: it may have changed
                if not _exchange(tmp, dest):
                    old = dest.with_name(f".samenspel-old-{os.getpid()}-{token}-{dest.name}")
                    note.add(old, "old", home=dest)
                    os.rename(dest, old)  # the journal puts it back if we die before the next
                    kill_point("moved-aside")
                    os.rename(tmp, dest)
                    tmp = old
                kill_point("swapped")
                shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old result
            else:
                try:
                    os.rename(tmp, dest)  # fails if another writer filled dest meanwhile
                except OSError as exc:
                    if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                        raise _written_meanwhile(dest) from None
                    raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest


# --- a result that is one file ----------------------------------------------------------------


@dataclass(frozen=True)
class FileDestination:
    """Where a one-file result will go, and whether it replaces an earlier samenspel file."""

    path: Path
    replaces: bool = False
    taken: Path | None = None  # the default name, if an earlier file made us move on


def check_file_target(path: Path, what: str = "--out", force: bool = False) -> bool:
    """Check that a one-file result may be written at `path`; return whether it replaces one
    (a file samenspel recorded writing there and nobody changed since, only with `force`).
    Raises OutputError naming what is there."""
    path = check_name(path, what)
    _refuse_link(path, what, "give another file name")
    if path.is_dir() or str(path).endswith(("/", os.sep)):
        raise OutputError(
            f"{what}: {path} is a folder; this result is one file: give a file name (in that "
            "folder, if you like)"
        )
    if path.exists():
        if not path.is_file() or not journal.wrote_file(path):
            raise OutputError(
                f"{what}: {path} is a file samenspel did not write, or one changed since; "
                "samenspel never replaces such a file: choose another --out"
            )
        if not force:
            raise OutputError(
                f"{what}: {path} holds an earlier samenspel file; add --force to replace it, or "
                "choose another --out"
            )
        return True
    _check_creatable(path, what)
    return False


def file_destination(out: Path | None, default: Path, *, force: bool = False) -> FileDestination:
    """Where a one-file result goes: `--out` as given, or the first free name from `default`
    (`NAME.html`, `NAME-2.html`, ...). An earlier file is replaced only when samenspel wrote
    it, unchanged since, and `force` is given."""
    if out is not None:
        return FileDestination(Path(out), check_file_target(out, "--out", force))
    default = check_name(default, "output")
    candidate = _first_free(
        default,
        lambda p: not (p.exists() or p.is_symlink()),
        lambda n: f"{default.stem}-{n}{default.suffix}",
    )
    check_file_target(candidate, "output")
    return FileDestination(candidate, False, default if candidate != default else None)


def write_file_atomically(dest: FileDestination, fill: Callable[[Path], None]) -> Path:
    """Write the file `fill(tmp)` makes at `dest`, whole or not at all, and record it in the
    journal as samenspel's.

    `fill` writes a temporary file beside the destination (same suffix, so a writer that goes
    by the suffix knows the format). It is then linked into place (which fails, rather than
    replaces, if someone else created the file meanwhile), or, to replace an earlier samenspel
    file, renamed over it in one atomic step.
    """
    path = dest.path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"output: cannot create {path.parent}: {exc.strerror}") from None
    tmp = _temporary(path, secrets.token_hex(4))
    journal.clean_up()  # first, what killed commands left
    with journal.pending() as note:
        note.add(tmp)
        try:
            fill(tmp)
            _fsync(tmp)
            if dest.replaces:
                if path.exists() and not journal.wrote_file(path):
                    raise OutputError(f"output: {path} was changed by someone else meanwhile; kept")
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    raise _written_meanwhile(path) from None
                except OSError:  # a file system without hard links: rename, after one last look
                    if path.exists():
                        raise _written_meanwhile(path) from None
                    os.rename(tmp, path)
                tmp.unlink(missing_ok=True)
            journal.record_file(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return path


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each table as Parquet (for analysis) and CSV (for a spreadsheet)."""
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
        df.to_csv(folder / f"{name}.csv", index=False)


def write_toml(path: Path, data: dict) -> None:
    """A table as TOML; a key whose value is None (unset: the default holds) is left out, since
    TOML has no null."""
    path.write_text(tomli_w.dumps(_without_none(data)), encoding="utf-8")


def _without_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
