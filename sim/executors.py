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
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from multiprocessing import get_context
from typing import Any

Task = Sequence[Any]
WATCH_SECONDS = 0.5  # how often a worker checks that its driver is alive
CONNECT_SECONDS = 10  # how long a Dask client tries to (re)connect before it gives up


class LostCluster(RuntimeError):
    """The Dask scheduler or its workers went away during a run."""


IN_FLIGHT = 64  # tasks a Dask cluster is given ahead of the results (bounds the driver's memory)


def in_process(fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
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


def processes(fn: Callable, tasks: Iterable[Task], workers: int) -> Iterator[Any]:
    """Local processes that fork from a server which has imported the model; results stream
    as batches finish. Tasks may be a generator: the pool draws them as its workers take them
    (through a pipe that holds a few), so a long sweep is never held whole."""
    from sim import journal

    journal.clean_up()  # what killed commands left, their temporary folders included
    journal.process_tmp()  # multiprocessing's own folders go into one the journal knows
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["sim.model", fn.__module__])
    pool = ctx.Pool(workers, initializer=_watch_driver, initargs=(os.getpid(),))
    try:
        yield from pool.imap_unordered(_call, ((fn, args) for args in tasks))
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # on an interruption: stop the workers now, not after their batches


def dask(fn: Callable, tasks: Iterable[Task], address: str) -> Iterator[Any]:
    """A Dask distributed cluster at `address` (tcp://HOST:PORT); its workers need samenspel."""
    import logging

    from distributed import Client, as_completed

    # distributed logs each failed reconnection with a traceback; the driver says it once.
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with Client(address, timeout=f"{CONNECT_SECONDS}s") as client:
            todo = iter(tasks)  # at most IN_FLIGHT submitted ahead of the results
            futures = [client.submit(fn, *args, pure=False) for args in islice(todo, IN_FLIGHT)]
            running = as_completed(futures)
            for f in running:
                for args in islice(todo, 1):
                    running.add(client.submit(fn, *args, pure=False))
                yield f.result()
    except (OSError, TimeoutError) as exc:
        raise LostCluster(f"the Dask scheduler at {address} was lost ({exc})") from None
    except Exception as exc:  # distributed's own errors: a cancelled future, a closed comm
        if type(exc).__module__.split(".")[0] != "distributed":
            raise
        raise LostCluster(f"the Dask cluster at {address} failed ({exc})") from None


def execute(
    fn: Callable,
    tasks: Iterable[Task],
    executor: str,
    workers: int = 1,
    scheduler: str | None = None,
) -> Iterator[Any]:
    if executor == "inprocess" or (executor == "processes" and workers == 1):
        return in_process(fn, tasks)
    if executor == "dask":
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address")
        return dask(fn, tasks, scheduler)
    return processes(fn, tasks, workers)
