"""Every input samenspel reads from a path goes through here: one guarded opener.

A scenario, a sweep or calibration spec, a sweep folder's own files, a file chosen in the app:
each is read with :func:`read_text` (or :func:`read_bytes`), which, before any work,

- checks the name: no NUL, every part within the file system's limit (255 bytes), the whole
  within 4,095 bytes, so an over-long name is a message, not `Errno 36` halfway;
- where a caller gives `within` (the app reads only from an allow-list), checks that the path
  lies below one of those folders twice: as given (made absolute, `..` taken by name, so
  nothing outside them is ever looked at) and with its links resolved; both before it looks
  whether the file exists, so a refusal says nothing about files elsewhere;
- accepts only a regular file: a folder, FIFO, device or socket is refused by its kind (a FIFO
  would block for ever, `/dev/zero` never ends);
- refuses a file larger than its cap (a scenario or spec is kilobytes), and reads at most the
  cap plus one byte, so a file that grows, or a pseudo-file that reports size 0, cannot exhaust
  memory;
- decodes UTF-8, naming the first bad byte.

Every refusal is an :class:`InputError` (a ConfigError: exit status 2, one message), with a
`reason` a caller that words its own messages (the app, in the page's language) can go by.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

NAME_MAX = 255  # bytes in one part of a path (Linux, macOS, Windows NTFS)
PATH_MAX = 4095  # bytes in a whole path (Linux's PATH_MAX less the final NUL)
KIB = 1024
TEXT_LIMIT = 1024 * KIB  # a scenario, spec or catalogue: kilobytes; a megabyte is plenty


class ConfigError(ValueError):
    """Bad input: a scenario, spec or argument that does not validate, or a path samenspel will
    not read or write. The command line prints its message and exits with status 2.

    Example: the message names the field and what it allows.
        >>> from sim import ConfigError, load_scenario
        >>> try:
        ...     load_scenario("split-2022", years=0)
        ... except ConfigError as err:
        ...     print(str(err).splitlines()[-1].strip())
        years: Input should be greater than or equal to 1 (got 0)
    """


class InputError(ConfigError):
    """An input samenspel will not read (exit status 2); `reason` says why in one word: "name"
    (not a name the file system can hold), "outside" (not within the allowed folders),
    "missing", "unreadable", "kind" (a folder, FIFO, device or socket), "size" or "encoding"."""

    def __init__(self, message: str, reason: str = "unreadable") -> None:
        super().__init__(message)
        self.reason = reason


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def shown(path: str | os.PathLike[str], most: int = 80) -> str:
    """A path as a message shows it: quoted, and shortened in the middle when long."""
    text = os.fspath(path)
    if len(text) > most:
        text = f"{text[: most // 2 - 2]}...{text[-(most // 2 - 1) :]}"
    return repr(text)


def check_name(path: str | os.PathLike[str], what: str) -> Path:
    """`path` as a Path, if the file system can hold its name; InputError otherwise."""
    text = os.fspath(path)
    if "\x00" in text:
        raise InputError(f"{what} {shown(text)}: a file name cannot hold a NUL character", "name")
    if not text.strip():
        raise InputError(f"{what}: no file name given", "name")
    encoded = os.fsencode(text)
    if len(encoded) > PATH_MAX:
        raise InputError(
            f"{what} {shown(text)}: the name is {len(encoded):,} bytes long; a path may have at "
            f"most {PATH_MAX:,}",
            "name",
        )
    for part in Path(text).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise InputError(
                f"{what} {shown(text)}: the part {shown(part, 40)} is {size:,} bytes long; a "
                f"file or folder name may have at most {NAME_MAX}",
                "name",
            )
    return Path(text)


def beside(spec: Path, name: str, what: str) -> str:
    """A file a spec names (`base = "base.toml"`) as found beside the spec, if a relative .toml
    name is there; the name as given otherwise (a preset's name, or a path from the working
    folder). InputError when the file system cannot hold the name."""
    if Path(name).suffix != ".toml" or Path(name).is_absolute():
        return name
    near = check_name(Path(spec).parent / name, what)
    return str(near.resolve()) if near.exists() else name


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _within(path: Path, within: Iterable[str | os.PathLike[str]], what: str) -> Path:
    """The resolved `path`, if it lies in one of the folders `within` both as given and with
    its links resolved; InputError ("outside") otherwise, before anything outside is looked at."""
    folders = [Path(os.path.abspath(r)) for r in within]
    real_folders = [Path(os.path.realpath(r)) for r in folders]
    given = Path(os.path.abspath(path))  # `..` by name: no part outside the folders is read
    real = Path(os.path.realpath(given)) if _inside(given, folders + real_folders) else None
    if real is None or not _inside(real, real_folders):
        raise InputError(
            f"{what} {shown(path)}: only files in {', '.join(map(str, real_folders))} may be "
            "read here",
            "outside",
        )
    return real


def read_bytes(
    path: str | os.PathLike[str],
    what: str = "file",
    *,
    limit: int = TEXT_LIMIT,
    within: Iterable[str | os.PathLike[str]] | None = None,
) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; InputError otherwise.

    `within`: folders the file must lie in, as given and with links resolved (checked before
    anything else is looked at, so a refusal tells nothing about the file)."""
    path = check_name(path, what)
    real = Path(os.path.realpath(path)) if within is None else _within(path, within, what)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise InputError(f"{what} {shown(path)} not found", "missing") from None
    except OSError as exc:
        raise InputError(f"{what} {shown(path)} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        hint = "; give a .toml file" if stat.S_ISDIR(info.st_mode) else ""
        raise InputError(f"{what} {shown(path)} is {_kind(info.st_mode)}, not a file{hint}", "kind")
    _check_size(info.st_size, limit, what, path)
    try:  # O_NONBLOCK: should a FIFO be swapped in after the look above, open() cannot hang
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"{what} {shown(path)} cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{what} {shown(path)} is {_kind(info.st_mode)}, not a file", "kind")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"{what} {shown(path)} cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    _check_size(size, limit, what, path)
    return b"".join(chunks)


def _check_size(size: int, limit: int, what: str, path: Path) -> None:
    if size > limit:
        raise InputError(
            f"{what} {shown(path)} is larger than {_size(limit)} (at least {_size(size)}); "
            f"a {what} is a small text file",
            "size",
        )


def _size(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB" if n >= 1 << 20 else f"{n / 1024:,.0f} KB"


def read_text(
    path: str | os.PathLike[str],
    what: str = "file",
    *,
    limit: int = TEXT_LIMIT,
    within: Iterable[str | os.PathLike[str]] | None = None,
) -> str:
    """The UTF-8 text of the regular file at `path` (see :func:`read_bytes`)."""
    data = read_bytes(path, what, limit=limit, within=within)
    return decode(data, what, path)


def decode(data: bytes, what: str, path: str | os.PathLike[str]) -> str:
    """`data` as UTF-8 text; InputError naming the first bad byte otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {shown(path)}: not a text file in UTF-8 (byte {exc.start} is "
            f"{data[exc.start]:#04x}); a {what} is a TOML text file",
            "encoding",
        ) from None
