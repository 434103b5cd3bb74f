"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Each executor takes a function and a list of argument tuples and yields the results as they
finish, so callers can stream them to disk. A batch's result depends only on its arguments, so
every executor gives the same results, in whatever order they arrive.

Local workers never outlive the command: an interruption (Ctrl-C, SIGTERM) terminates them at
once, and each watches the process that started it and exits when that one is gone, however it
died (kill -9 included), so no orphan keeps running and holding memory.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing import get_context
from typing import Any

Task = Sequence[Any]
WATCH_SECONDS = 0.5  # how often a worker checks that its driver is alive
CONNECT_SECONDS = 10  # how long a Dask client tries to (re)connect before it gives up


class LostCluster(RuntimeError):
    """The Dask scheduler or its workers went away during a run."""


def in_process(fn: Callable, tasks: list[Task]) -> Iterator[Any]:
    for args in tasks:
        yield fn(*args)


def _watch_driver(driver: int) -> None:
    """Worker initializer: exit when the driver process is gone."""

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            try:
                os.kill(driver, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True, name="watch-driver").start()


def _call(fn_args: tuple[Callable, Task]) -> Any:
    fn, args = fn_args
    return fn(*args)


def processes(fn: Callable, tasks: list[Task], workers: int) -> Iterator[Any]:
    """Local processes that fork from a server which has imported the model; results stream
    as batches finish."""
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["sim.model", fn.__module__])
    pool = ctx.Pool(workers, initializer=_watch_driver, initargs=(os.getpid(),))
    try:
        yield from pool.imap_unordered(_call, ((fn, args) for args in tasks))
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # on an interruption: stop the workers now, not after their batches


def dask(fn: Callable, tasks: list[Task], address: str) -> Iterator[Any]:
    """A Dask distributed cluster at `address` (tcp://HOST:PORT); its workers need samenspel."""
    import logging

    from distributed import Client, as_completed

    # distributed logs each failed reconnection with a traceback; the driver says it once.
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with Client(address, timeout=f"{CONNECT_SECONDS}s") as client:
            futures = [client.submit(fn, *args, pure=False) for args in tasks]
            for f in as_completed(futures):
                yield f.result()
    except (OSError, TimeoutError) as exc:
        raise LostCluster(f"the Dask scheduler at {address} was lost ({exc})") from None
    except Exception as exc:  # distributed's own errors: a cancelled future, a closed comm
        if type(exc).__module__.split(".")[0] != "distributed":
            raise
        raise LostCluster(f"the Dask cluster at {address} failed ({exc})") from None


def execute(
    fn: Callable, tasks: list[Task], executor: str, workers: int = 1, scheduler: str | None = None
) -> Iterator[Any]:
    if executor == "inprocess" or (executor == "processes" and workers == 1):
        return in_process(fn, tasks)
    if executor == "dask":
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address")
        return dask(fn, tasks, scheduler)
    return processes(fn, tasks, workers)
