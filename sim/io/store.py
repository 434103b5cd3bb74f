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
then `write_file_atomically`. What a folder recorded writing (its manifest, a sweep's ledger and
writer lock) is sim/io/ownership.py, and how a table is written as JSON, TOML, Parquet or CSV
is sim/io/files.py; their names are importable from here too.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.io import journal
from sim.io.files import write_json, write_tables, write_toml
from sim.io.inputs import ConfigError, check_name
from sim.io.ownership import (
    LOCK,
    MANIFEST,
    MANIFEST_LIMIT,
    foreign_files,
    is_result,
    ledger_entries,
    manifest,
    record_files,
    writer,
)

__all__ = [
    "LOCK",
    "MANIFEST",
    "MANIFEST_LIMIT",
    "Destination",
    "FileDestination",
    "OutputError",
    "check_file_target",
    "check_target",
    "destination",
    "file_destination",
    "foreign_files",
    "is_result",
    "ledger_entries",
    "manifest",
    "record_files",
    "write_atomically",
    "write_file_atomically",
    "write_json",
    "write_tables",
    "write_toml",
    "writer",
]

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
    # Permissions alone do not tell (root, read-only or virtual file systems): try it, with the
    # probe noted in the journal first, so that a kill in between leaves nothing for good.
    probe = ancestor / f".samenspel-probe-{os.getpid()}-{secrets.token_hex(4)}"
    with journal.pending() as note:
        note.add(probe)
        try:
            probe.mkdir()
            probe.rmdir()
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
    if "ledger" in (manifest(path) or {}):
        raise OutputError(
            f"{what}: {path} holds a samenspel sweep; --force never replaces a sweep, whose runs "
            "may have taken hours: remove it yourself if it is no longer needed, or choose "
            "another folder"
        )
    foreign = foreign_files(path)
    if foreign is None:
        raise OutputError(
            f"{what}: {path} holds a result samenspel did not record writing (by an older "
            "samenspel, under another user, or with a manifest written or edited by hand); "
            "--force replaces only what samenspel recorded writing: remove the folder yourself, "
            "or choose another folder"
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


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
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
            if dest.exists() and not _is_empty_dir(dest):
                check_target(dest, "output", force=replace)  # again: it may have changed
                if not _exchange(tmp, dest):
                    old = dest.with_name(f".samenspel-old-{os.getpid()}-{token}-{dest.name}")
                    note.add(old, "old", home=dest)
                    os.rename(dest, old)  # the journal puts it back if we die before the next
                    os.rename(tmp, dest)
                    tmp = old
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
