"""Crash injection for the crash-safety tests, with no hook in samenspel's own code.

`python -m tests.crash [--die N] [--no-exchange] [--trace] -- ARGS...` runs `samenspel ARGS` in this
process with a Python audit hook (PEP 578) that watches every operation that changes the file
system: opening a file to write or append, a rename or replace, a link, a removal, a truncation,
a folder made or removed. With `--die N` the process dies, as `kill -9` would (`os._exit(137)`),
just before the N-th such operation inside the working directory; without it, it counts them
and prints the count on stderr as `crash-points: N` (with `--trace`, first one line per
point: `crash-point N: EVENT PATH`, so a test can pick points by what they do). A test runs a
command once to count, then once for each point (or a sample), and checks what the next command
finds: the whole family of crashes, not a few named moments.

`--no-exchange` makes the C library's `renameat2` unavailable to the process (its lookup fails),
so a replace takes the fallback path (move the old result aside, then rename) on a machine that
has the atomic exchange.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WRITES = ("w", "a", "x", "+")
EVENTS = {"os.rename", "os.link", "os.remove", "os.truncate", "os.mkdir", "os.rmdir"}


def _mutates(event: str, args: tuple) -> str | None:
    """The path an audited event changes, or None if it changes nothing."""
    if event in EVENTS:
        return str(args[0])
    if event == "shutil.rmtree":
        return str(args[0])
    if event == "open" and args[0] is not None and not isinstance(args[0], int):
        mode, flags = args[1], args[2]
        if isinstance(mode, str):
            return str(args[0]) if any(c in mode for c in WRITES) else None
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            return str(args[0])
    return None


def install(die: int | None, no_exchange: bool, within: Path, trace: bool = False) -> list[int]:
    """Install the hook; returns the one-element list that counts the operations seen."""
    count = [0]
    root = str(within)
    journal = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")

    def hook(event: str, args: tuple) -> None:
        if event == "ctypes.dlsym" and args[1] == "renameat2":
            if no_exchange:
                raise AttributeError("renameat2")  # as on a system without it
            path = str(within)  # the lookup comes just before the atomic exchange: a point
        else:
            path = _mutates(event, args)
        if path is None:
            return
        if not os.path.isabs(path):  # relative to the working directory or a dir fd: ours
            path = os.path.join(os.getcwd(), path)
        if not path.startswith(root) or path.startswith(journal):  # the journal is not the result
            return
        count[0] += 1
        if die is not None and count[0] == die:
            os._exit(137)
        if trace:
            rel = os.path.relpath(path, root)
            print(f"crash-point {count[0]}: {event} {rel}", file=sys.stderr)

    sys.addaudithook(hook)
    return count


def main(argv: list[str]) -> int:
    die, no_exchange, trace = None, False, False
    while argv and argv[0] != "--":
        flag = argv.pop(0)
        if flag == "--die":
            die = int(argv.pop(0))
        elif flag == "--no-exchange":
            no_exchange = True
        elif flag == "--trace":
            trace = True
    count = install(die, no_exchange, Path.cwd(), trace)
    from sim.present.cli import main as samenspel

    code = 1
    try:
        code = samenspel(argv[1:])
    finally:
        print(f"crash-points: {count[0]}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
