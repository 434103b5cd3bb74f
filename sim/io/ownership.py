"""Ownership: what a result recorded writing, and who is writing it now.

A result folder's `manifest.json` lists every file samenspel put there, with its size and
SHA-256, and every folder (`files`, `dirs`); files that grow by design, such as a sweep's status
log, are listed by name in `grows`, and a sweep's parts in its ledger (`ledger`). What a folder
holds beyond that is foreign (:func:`foreign_files`), and samenspel never replaces it. A sweep at
work holds the folder's writer lock (`LOCK`, :func:`writer`). Where a result goes and how it is
written whole is sim/io/store.py.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from sim.io import journal
from sim.io.files import write_json
from sim.io.inputs import ConfigError, read_text

MANIFEST = "manifest.json"
LOCK = ".samenspel.lock"  # a sweep's writer lock (sim/study/sweep.py); held while it writes
MANIFEST_LIMIT = 64 << 20  # bytes: a manifest lists files, it is never this large


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
    journal.record_file(folder / MANIFEST)  # a manifest samenspel wrote: one not forged


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
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
    return entries


def foreign_files(folder: Path) -> list[str] | None:
    """What `folder` holds that its manifest does not say samenspel wrote there: files added,
    changed (size or SHA-256) or linked in since, folders added. None when the folder has no
    manifest that lists its files, or one samenspel did not record writing (in the per-user
    journal, sim/io/journal.py): not a result, one by a samenspel that kept no list, or a
    manifest written or edited by hand."""
    folder = Path(folder)
    data = manifest(folder)
    if data is None or not isinstance(data.get("files"), dict):
        return None
    if not journal.wrote_file(folder / MANIFEST, anywhere=True):
        return None  # a manifest samenspel did not record writing: copied in, or forged
    files = {**data["files"], **ledger_entries(folder, data)}
    grows = set(data.get("grows", []))
    dirs = set(data.get("dirs", []))
    foreign = []
    for root, subdirs, names in os.walk(folder):
        for name in sorted(subdirs + names):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if not _owned(path, rel, files, grows, dirs):
                foreign.append(rel + ("/" if path.is_dir() and not path.is_symlink() else ""))
        subdirs[:] = [d for d in subdirs if Path(root, d).relative_to(folder).as_posix() in dirs]
    return foreign


def _owned(path: Path, rel: str, files: dict, grows: set[str], dirs: set[str]) -> bool:
    """Whether the entry at `path` is as samenspel recorded it: a folder it made, a file it
    wrote and nobody changed since, a growing file holding only its records; never a link."""
    if path.is_symlink():
        return False
    if path.is_dir():
        return rel in dirs
    if rel == MANIFEST:
        return True
    if rel in grows:
        return _records_only(path)
    return _unchanged(path, files.get(rel))


def _records_only(path: Path) -> bool:
    """Whether a file a result lets grow (a sweep's status log) still holds nothing but the
    one-line JSON records samenspel appends to it."""
    if not path.is_file():
        return False
    try:
        text = read_text(path, "log", limit=MANIFEST_LIMIT * 4)
    except ConfigError:
        return False
    for line in text.splitlines():
        try:
            if not isinstance(json.loads(line), dict):
                return False
        except (ValueError, RecursionError):
            return False
    return True


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
        holder = lock_holder(fd)
        return f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
    finally:
        os.close(fd)
    return None


def lock_holder(fd: int) -> dict:
    """What the holder of the writer lock open at `fd` wrote of itself (pid, host, since);
    empty when that cannot be read."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (ValueError, RecursionError, OSError):
        return {}
    return holder if isinstance(holder, dict) else {}
