"""Writing results safely: never into what samenspel did not write, always all or nothing.

The promise (README, "Your data is safe"): samenspel never deletes, replaces or writes into a
folder or file it did not write, and a result appears whole or not at all.

- A result folder carries a samenspel manifest (`manifest.json` with a `samenspel` key). Only
  such a folder, or an empty one, can be replaced, and only when asked (`--force`); without
  `--out` a command picks the first free name (`results/NAME`, `results/NAME-2`, ...).
- A result is written into a temporary folder beside its destination and put in place with one
  atomic step: a rename, or, to replace, an atomic exchange of the two folders (Linux
  `renameat2(RENAME_EXCHANGE)`), so after a kill at any moment either the old or the new result
  is complete under its name. Where the exchange is not available, the old folder is moved
  aside first and put back by the next command if the new one never arrived.
- Temporary folders are named `.samenspel-tmp-PID-TOKEN-NAME` (and `.samenspel-old-...`); the
  next command that writes beside them removes those whose process is gone, or recovers an old
  result that was moved aside.
- A result that is one file (an animation, a video) follows the same rules: it carries a mark
  (a string of the writer's choosing, written into the file); only a file carrying it is ever
  replaced, and only with `--force`; without `--out` the first free name is taken
  (`NAME.html`, `NAME-2.html`, ...); it is written as `.samenspel-tmp-...` beside its
  destination and linked (new) or renamed (replacing) into place; leftovers are removed by the
  same `recover`.

The API, for folders: `destination` then `write_atomically`; for one file: `file_destination`
then `write_file_atomically` (and `carries_mark`, to tell one's own file).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tomli_w

from sim.config import ConfigError

MANIFEST = "manifest.json"
_LEFTOVER = re.compile(r"^\.samenspel-(tmp|old)-(\d+)-([0-9a-f]+)-(.+)$")
_SCAN = 65536  # bytes read at each end of a file when looking for its mark
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

    def describe(self, lang: str = "en", files: str = "") -> str:
        """The closing line of a command, in `lang`: where its result went, what it holds
        (`files`), and whether it replaced an earlier result or kept one at the default."""
        from sim.i18n import text  # words only for the closing line

        notes = [files] if files else []
        if self.replaces:
            notes.insert(0, text("cli.out.replaced", lang))
        elif self.taken is not None:
            notes.insert(0, text("cli.out.kept", lang, taken=self.taken))
        line = text("cli.out.written", lang, path=self.path)
        return f"{line} ({'; '.join(notes)})" if notes else line


def is_result(folder: Path) -> bool:
    """Whether `folder` is a samenspel result: it holds a manifest samenspel wrote."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "samenspel" in data


def _listing(folder: Path, most: int = 3) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


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
    path = Path(path)
    _refuse_link(path, what, "give the folder it points to, or another --out")
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"{what}: {path} is a file, not a folder; samenspel writes a result as a folder and "
            "never replaces a file: choose another --out"
        )
    if not path.exists():
        _check_creatable(path, what)
        return False
    if not any(path.iterdir()):
        _check_creatable(path, what)
        return False  # an empty folder: nothing to lose
    if not is_result(path):
        raise OutputError(
            f"{what}: {path} holds files samenspel did not write ({_listing(path)}); samenspel "
            "never writes into or replaces such a folder: choose a new or empty folder"
        )
    if not force:
        raise OutputError(
            f"{what}: {path} holds an earlier samenspel result; add --force to replace it, or "
            "choose another folder"
        )
    _check_creatable(path, what)
    return True


def destination(out: Path | None, default: Path, *, force: bool = False) -> Destination:
    """Where a command's result goes: `--out` as given, or the first free default name.

    Without `--out`, an earlier result at the default is kept and the next free name
    (`NAME-2`, `NAME-3`, ...) is used; with `--out`, a folder holding an earlier result is
    replaced only with `force`. Leftovers of interrupted writes beside it are cleaned up first.
    """
    if out is not None:
        out = Path(out)
        recover(out.parent)
        return Destination(out, check_target(out, "--out", force))
    default = Path(default)
    recover(default.parent)
    candidate = _first_free(
        default,
        lambda p: not p.exists() or (not p.is_symlink() and _is_empty_dir(p)),
        lambda n: f"{default.name}-{n}",
    )
    check_target(candidate, "output")
    return Destination(candidate, False, default if candidate != default else None)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(parent: Path) -> None:
    """Finish what an interrupted write left in `parent`: put back an old result moved aside
    whose replacement never arrived, and remove temporary folders and files of processes that
    are gone."""
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if m is None or entry.is_symlink() or _alive(int(m.group(2))):
            continue
        kind, name = m.group(1), m.group(4)
        if entry.is_file():
            if kind == "tmp":  # a single file's write never moves an old one aside
                entry.unlink(missing_ok=True)
            continue
        if not entry.is_dir():
            continue
        home = entry.with_name(name)
        if kind == "old" and not home.exists() and is_result(entry):
            os.rename(entry, home)  # the new result never arrived: the old one goes back
        else:
            shutil.rmtree(entry, ignore_errors=True)


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
    """The temporary name beside `dest` that `recover` knows."""
    return dest.with_name(f".samenspel-tmp-{os.getpid()}-{token}-{dest.name}")


def _written_meanwhile(dest: Path) -> OutputError:
    return OutputError(f"output: {dest} was written by someone else meanwhile; nothing replaced")


def write_atomically(
    dest: Path | Destination, fill: Callable[[Path], None], *, replace: bool = False
) -> Path:
    """Create folder `dest` with the files `fill(tmp)` writes, all at once or not at all.

    `fill` must write a samenspel manifest (so the folder is recognised as a result later).
    `dest` must not exist, or be an empty folder; with `replace` (or a Destination that
    replaces) it may hold an earlier samenspel result, which is swapped out atomically.
    """
    if isinstance(dest, Destination):
        replace = replace or dest.replaces
        dest = dest.path
    dest = Path(dest)
    token = secrets.token_hex(4)
    tmp = _temporary(dest, token)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"output: cannot create {dest}: {exc.strerror}") from None
    try:
        fill(tmp)
        if not is_result(tmp):
            raise RuntimeError(f"internal: a result for {dest} was written without a manifest")
        _fsync_tree(tmp)
        kill_point("filled")
        if dest.exists() and not _is_empty_dir(dest):
            if not (replace and is_result(dest)):
                check_target(dest, "output", force=replace)  # raises, saying what is there
            if not _exchange(tmp, dest):
                old = dest.with_name(f".samenspel-old-{os.getpid()}-{token}-{dest.name}")
                os.rename(dest, old)  # recover() puts it back if we die before the next line
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
    mark: str  # what the file carries, so that a later command knows it for samenspel's
    replaces: bool = False
    taken: Path | None = None  # the default name, if an earlier file made us move on


def carries_mark(path: Path, mark: str) -> bool:
    """Whether the file at `path` carries `mark` (looked for in its first and last 64 KiB)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SCAN)
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - _SCAN))
            tail = f.read(_SCAN)
    except OSError:
        return False
    return mark.encode() in head or mark.encode() in tail


def check_file_target(path: Path, mark: str, what: str = "--out", force: bool = False) -> bool:
    """Check that a one-file result may be written at `path`; return whether it replaces one
    (a file carrying `mark`, only with `force`). Raises OutputError naming what is there."""
    path = Path(path)
    _refuse_link(path, what, "give another file name")
    if path.is_dir():
        raise OutputError(
            f"{what}: {path} is a folder; this result is one file: give a file name (in that "
            "folder, if you like)"
        )
    if path.exists():
        if not carries_mark(path, mark):
            raise OutputError(
                f"{what}: {path} is a file samenspel did not write; samenspel never replaces "
                "such a file: choose another --out"
            )
        if not force:
            raise OutputError(
                f"{what}: {path} holds an earlier samenspel file; add --force to replace it, or "
                "choose another --out"
            )
        return True
    _check_creatable(path, what)
    return False


def file_destination(
    out: Path | None, default: Path, *, mark: str, force: bool = False
) -> FileDestination:
    """Where a one-file result goes: `--out` as given, or the first free name from `default`
    (`NAME.html`, `NAME-2.html`, ...). An earlier file is replaced only when it carries `mark`
    and `force` is given; leftovers of interrupted writes beside it are removed first."""
    if out is not None:
        out = Path(out)
        recover(out.parent)
        return FileDestination(out, mark, check_file_target(out, mark, "--out", force))
    default = Path(default)
    recover(default.parent)
    candidate = _first_free(
        default,
        lambda p: not (p.exists() or p.is_symlink()),
        lambda n: f"{default.stem}-{n}{default.suffix}",
    )
    check_file_target(candidate, mark, "output")
    return FileDestination(candidate, mark, False, default if candidate != default else None)


def write_file_atomically(dest: FileDestination, fill: Callable[[Path], None]) -> Path:
    """Write the file `fill(tmp)` makes at `dest`, whole or not at all.

    `fill` writes a temporary file beside the destination (same suffix, so a writer that goes
    by the suffix knows the format); it must carry the destination's mark. It is then linked
    into place (which fails, rather than replaces, if someone else created the file
    meanwhile), or, to replace an earlier samenspel file, renamed over it in one atomic step.
    """
    path = dest.path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"output: cannot create {path.parent}: {exc.strerror}") from None
    tmp = _temporary(path, secrets.token_hex(4))
    try:
        fill(tmp)
        if not carries_mark(tmp, dest.mark):
            raise RuntimeError(f"internal: {path} was written without samenspel's mark")
        _fsync(tmp)
        if dest.replaces:
            if path.exists() and not carries_mark(path, dest.mark):
                raise OutputError(f"output: {path} was replaced by someone else meanwhile; kept")
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
