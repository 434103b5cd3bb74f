"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Each executor takes a function and a list of argument tuples and yields the results as they
finish, so callers can stream them to disk. A batch's result depends only on its arguments, so
every executor gives the same results, in whatever order they arrive.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

Task = Sequence[Any]


def in_process(fn: Callable, tasks: list[Task]) -> Iterator[Any]:
    for args in tasks:
        yield fn(*args)


def processes(fn: Callable, tasks: list[Task], workers: int) -> Iterator[Any]:
    """Local processes, at most two batches in flight per worker (so results stream and an
    interruption loses little). Workers fork from a server that has imported the model."""
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["sim.model", fn.__module__])
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        queue = iter(tasks)
        pending = {pool.submit(fn, *args) for args in itertools.islice(queue, 2 * workers)}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                yield f.result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.add(pool.submit(fn, *nxt))


def dask(fn: Callable, tasks: list[Task], address: str) -> Iterator[Any]:
    """A Dask distributed cluster at `address` (tcp://HOST:PORT); its workers need samenspel."""
    from distributed import Client, as_completed

    with Client(address, timeout="30s") as client:
        futures = [client.submit(fn, *args, pure=False) for args in tasks]
        for f in as_completed(futures):
            yield f.result()


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
