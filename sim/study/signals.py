"""How samenspel stops on SIGTERM and Ctrl-C: at once, with one line, at any moment.

SIGTERM (what `timeout`, a batch scheduler or `docker stop` send, often to the whole process
group) ends a command with exit status 143, Ctrl-C (SIGINT) with 130; stderr gets one line,
`samenspel: interrupted (SIGTERM)`, and for a sweep the command that resumes it.

**The handler ends the process with `os._exit`; it raises nothing.** Raising (as Python's own
KeyboardInterrupt does) unwinds through whatever code the signal happened to interrupt: a lock
of multiprocessing (`RuntimeError: release unlocked lock`), the clean-up of a process pool that
waits for a lock a worker killed by the same signal still held (a hang for ever on a futex), a
library's `except Exception` that swallows the signal and carries on, or, in an in-process sweep,
`run_batch`'s own `except Exception`, which recorded the signal as a failed run and went on. A
handler that exits runs no clean-up code, so it cannot hang in it, and it cannot be swallowed.

This is safe because every result is crash-safe by design: a result folder or file is written
aside and put in place in one atomic step, and a sweep commits each batch atomically (the
parts are the record; kill -9 at each commit point is tested in tests/test_sweep_safety.py). An
exit by signal is therefore exactly a kill -9 with one line and an exit status: one path, the
one already tested. What a kill leaves behind (a `.samenspel-tmp-*` folder beside a result,
the pool's temporary folder) is for the next command to clear, as after a kill -9 (sim/io/store.py);
the handler does not try, since any clean-up there could hang or be interrupted in turn. It
does end the command's own child processes (SIGKILL, which cannot block): an encoder such as
ffmpeg runs in a process group of its own, so a signal to the group does not reach it, and left
to itself it would go on to report the half frame it was given.

Two moments are out of reach: before the command line's first line runs (the interpreter's start
and its imports, a tenth of a second) and after its work is done and written, while the
interpreter exits (Python runs no handler once it has begun to shut down). A signal then ends
the command silently, by the default action (143 in a shell) or, at the very end, not at all.

Worker processes (sim/study/executors.py) take no part: they ignore Ctrl-C, die quietly on SIGTERM
and SIGPIPE (the signals' default actions: no traceback, no BrokenPipeError), and exit as soon
as their driver is gone, however it died. The one moment an exit would leave a trace is a
worker's start-up, while the driver hands the new process its data through the fork server:
a driver gone halfway leaves a half-started worker that prints a traceback. Worker start-up
therefore runs inside :func:`held`, which holds SIGINT and SIGTERM until it is over (a second
or two while the fork server first imports the model) and then lets them act as they would have.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

STOPS = (signal.SIGINT, signal.SIGTERM)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def stop_on_signals(note: Callable[[], str] = str, restore: bool = True) -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT end the process at once (`os._exit` with 143 or
    130) after one line on stderr: `samenspel: interrupted (SIGTERM)` plus `note()` (e.g. how
    to resume). The previous handlers come back when the block ends, unless not `restore`
    (a program's own command line: they then hold through the interpreter's exit as well).
    Only in the main thread (elsewhere Python cannot set handlers; the block changes nothing).
    """
    if not _main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        line = f"samenspel: interrupted ({signal.Signals(signum).name}){note()}\n"
        if os.isatty(2):
            line = "\r\x1b[K" + line  # over a progress bar's line, not after it
        try:
            with suppress(OSError):  # not sys.stderr: it may be halfway through a write
                os.write(2, line.encode())
            for pid in _children():
                with suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        finally:
            os._exit(128 + signum)

    saved = {s: signal.signal(s, stop) for s in _heeded()}
    try:
        yield
    finally:
        for s, handler in saved.items() if restore else ():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


def _heeded() -> list[int]:
    """SIGINT and SIGTERM, less one this process was started ignoring (as a shell starts a
    background job ignoring Ctrl-C): ignored it stays, as Python itself leaves it."""
    return [s for s in STOPS if signal.getsignal(s) is not signal.SIG_IGN]


def _children() -> list[int]:
    """This process's child processes (Linux: from /proc; elsewhere none are known)."""
    me = os.getpid()
    found: list[int] = []
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return found
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            found.append(int(name))
    return found


@contextmanager
def held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends, then act as they would have (the handler
    in force runs, or the default action). Processes started within the block are born with
    the two blocked; a worker unblocks them once it has set its own dispositions (`quiet`)."""
    if not _main_thread():
        yield
        return
    caught: list[int] = []
    saved = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in _heeded()}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending signal is caught now
        for s, handler in saved.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def quiet() -> None:
    """For a worker process: ignore Ctrl-C (its driver stops it), and die without a word on
    SIGTERM and on a write to a closed pipe (the default actions), then unblock the two that
    `held` blocked at its birth."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
