"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Each executor takes a function and a list of argument tuples and yields the results as they
finish, so callers can stream them to disk. A batch's result depends only on its arguments, so
every executor gives the same results, in whatever order they arrive.

Local workers are processes forked from a fork server that has imported the model. Each has a pipe
of its own to the driver and nothing shared with the others (no queue, no lock), so a process that
dies, however it dies, can leave nothing held that another waits for: a dead worker is an error
(`LostWorker`), never a hang. Workers never outlive the command: they are stopped when it ends, and
each exits as soon as its driver is gone, however the driver died (kill -9 included). They are
silent: Ctrl-C is the driver's to handle, SIGTERM and a closed pipe end them without a traceback
(sim/study/signals.py). A script that calls samenspel must keep that call under `if __name__ ==
"__main__":`, since every worker runs the script again when it starts; without it, samenspel says so
before any worker starts (`UnguardedScript`).

A Dask cluster is checked before any work (`check_cluster`): the address must answer as a Dask
scheduler within CONNECT_SECONDS, a worker must join within a given wait, and every worker must
run this samenspel: the same version, code and data (a digest of sim/ and agents/).
"""

from __future__ import annotations

import ast
import asyncio
import functools
import hashlib
import inspect
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from sim.io.inputs import ConfigError, read_text
from sim.study.signals import held, quiet

Task = Sequence[Any]
CONNECT_SECONDS = 10  # how long a Dask client tries to (re)connect before it gives up
WORKER_WAIT = 60  # seconds to wait for a first Dask worker before giving up
IN_FLIGHT = 64  # tasks a Dask cluster is given ahead of the results (bounds the driver's memory)


class LostCluster(RuntimeError):
    """The Dask scheduler or its workers went away during a run."""


class LostWorker(LostCluster):
    """A local worker process died during a run."""


class UnusableCluster(RuntimeError):
    """The Dask cluster cannot do the work: no worker joined in time, or a worker runs
    another samenspel."""


class UnguardedScript(ConfigError):
    """A script starts local workers outside `if __name__ == "__main__":`."""


def in_process(fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
    for args in tasks:
        yield fn(*args)


# --- local processes ---------------------------------------------------------------------------


def processes(fn: Callable, tasks: Iterable[Task], workers: int) -> Iterator[Any]:
    """Local processes forked from a server which has imported the model; results stream as
    batches finish. Tasks may be a generator: a task is drawn only when a worker is free for
    it, so a long sweep is never held whole."""
    from multiprocessing import resource_tracker

    from sim.io import journal

    journal.clean_up()  # what killed commands left, their temporary folders included
    journal.process_tmp()  # multiprocessing's own folders go into one the journal knows
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__, "sim.model.model", fn.__module__])
    crew: dict[Any, Any] = {}  # the driver's end of each worker's pipe: the worker
    finished = False
    resource_tracker.ensure_running()  # its start unblocks SIGINT and SIGTERM: not in `held`
    try:
        with held():  # a start cut short would leave a half-started worker printing a traceback
            for _ in range(workers):
                mine, theirs = ctx.Pipe()
                worker = ctx.Process(target=_serve, args=(theirs,), daemon=True)
                worker.start()
                theirs.close()
                crew[mine] = worker
        yield from _dispatch(fn, tasks, crew)
        finished = True
    finally:
        for conn, worker in crew.items():
            conn.close()  # a waiting worker reads the end of its pipe and exits
            if not finished:
                worker.kill()  # interrupted: now, not after its batch
        for worker in crew.values():
            worker.join(5)
            if worker.exitcode is None:
                worker.kill()
                worker.join()


_DONE = object()


def _dispatch(fn: Callable, tasks: Iterable[Task], crew: dict[Any, Any]) -> Iterator[Any]:
    """Give each free worker the next task; yield results as they come, after the freed
    workers have their next task (so they compute while the caller writes)."""
    from multiprocessing.connection import wait

    todo = iter(tasks)
    idle, busy = list(crew), []
    deaths = {worker.sentinel: worker for worker in crew.values()}
    results: list[Any] = []
    while True:
        while idle and (args := next(todo, _DONE)) is not _DONE:
            conn = idle.pop()
            try:
                conn.send((fn, args))
            except OSError:
                raise LostWorker(_death(crew[conn])) from None
            busy.append(conn)
        yield from results
        if not busy:
            return
        ready = wait([*busy, *deaths])
        results = [_receive(conn, crew[conn]) for conn in busy if conn in ready]
        idle += [conn for conn in busy if conn in ready]
        busy = [conn for conn in busy if conn not in ready]
        for sentinel in ready:
            if sentinel in deaths:
                raise LostWorker(_death(deaths[sentinel]))


def _receive(conn: Any, worker: Any) -> Any:
    try:
        status, value = conn.recv()
    except (EOFError, OSError):
        raise LostWorker(_death(worker)) from None
    if status == "error":
        raise value
    return value


def _death(worker: Any) -> str:
    worker.join(1)
    code = worker.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        why = " (the system may have run out of memory)" if name == "SIGKILL" else ""
        return f"a worker process was killed by {name}{why}"
    return (
        f"a worker process exited with status {code}; a script that calls samenspel needs "
        'its call under `if __name__ == "__main__":`'
    )


def _serve(conn: Any) -> None:
    """A worker: answer each task on `conn` until the driver closes it or is gone."""
    quiet()
    _watch_driver()
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", fn(*args))
        except Exception as exc:
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # a result or error that does not pickle
            conn.send(("error", RuntimeError(f"{fn.__name__}: unpicklable result: {exc!r}")))


def _watch_driver() -> None:
    """Exit the moment the driver is gone: its end of a pipe closes, even before it is reaped."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-driver").start()


def check_main_guard() -> None:
    """Refuse, before any worker starts, a script whose call into samenspel is not under
    `if __name__ == "__main__":`: multiprocessing runs the main script again in every worker
    (as `__mp_main__`, see multiprocessing.spawn.get_preparation_data), which would start
    workers again, for ever. Nothing to check when `__main__` is not run again: a package's
    `__main__.py`, an interactive session, `python -c`, a notebook."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None) or ""
    path = getattr(main, "__file__", None)
    if name == "__main__" or name.endswith(".__main__") or path is None:
        return
    if Path(path).stem == "ipython":
        return
    top = _top_level(main)
    if top is None or os.path.abspath(top.f_code.co_filename) != os.path.abspath(path):
        return  # not called from the main script's own top level (a thread, exec): cannot tell
    line = top.f_lineno
    try:
        tree = ast.parse(read_text(path, "script", limit=16 << 20))
    except (ConfigError, SyntaxError, ValueError):
        return
    if not any(line in _lines(branch) for branch in _main_branches(tree)):
        raise UnguardedScript(
            f"{path}, line {line}: this call starts samenspel's worker processes, and each of "
            "them runs the script again as it starts (Python's multiprocessing does), which "
            "would start workers again, for ever. Put the script's work under `if __name__ == "
            '"__main__":` at the end of the file, e.g.\n\n    if __name__ == "__main__":\n'
            "        main()\n\n(or run in this process: workers=1)"
        )


def _top_level(main: Any) -> Any:
    """The frame of the main script's top level that led here (None if there is none)."""
    frame, top = inspect.currentframe(), None
    while frame is not None:
        if frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
            top = frame
        frame = frame.f_back
    return top


def _main_branches(tree: ast.Module) -> Iterator[list[ast.stmt]]:
    """The statements that run only when the file is `__main__`: the body of each
    `if __name__ == "__main__":` (either way round), the else of `if __name__ != ...`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
            continue
        test = node.test
        if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq | ast.NotEq):
            continue
        sides = {_name_or_text(test.left), _name_or_text(test.comparators[0])}
        if sides == {"name:__name__", "text:__main__"}:
            yield node.body if isinstance(test.ops[0], ast.Eq) else node.orelse


def _name_or_text(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return f"name:{node.id}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return f"text:{node.value}"
    return ""


def _lines(branch: list[ast.stmt]) -> range:
    if not branch:
        return range(0)
    return range(branch[0].lineno, (branch[-1].end_lineno or branch[-1].lineno) + 1)


# --- Dask --------------------------------------------------------------------------------------


def _quiet_distributed() -> None:
    """distributed logs each failed reconnection with a traceback; the driver says it once."""
    import logging

    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _identity(address: str) -> dict:
    """The scheduler's answer to `identity`, asked with a deadline: ConfigError when nothing
    at `address` answers as a Dask scheduler within CONNECT_SECONDS (distributed's own
    handshake waits for ever on a server that accepts and stays silent)."""
    from distributed.comm import connect
    from distributed.security import Security

    async def ask() -> dict:
        comm = await connect(address, CONNECT_SECONDS, **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    box: dict[str, Any] = {}

    def run() -> None:  # a loop of its own, in a thread: the caller may be inside one
        try:
            box["answer"] = asyncio.run(asyncio.wait_for(ask(), CONNECT_SECONDS))
        except Exception as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="ask-scheduler")
    thread.start()
    thread.join(CONNECT_SECONDS + 5)
    answer, error = box.get("answer"), box.get("error")
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        if isinstance(answer, dict) and "type" in answer:
            why = f"it is a Dask {answer['type']}"
        elif error is None or isinstance(error, TimeoutError):
            why = f"no Dask answer within {CONNECT_SECONDS} s"
        else:
            why = f"{type(error).__name__}: {error}"
        raise ConfigError(
            f"--scheduler: {address} is not a Dask scheduler ({why}); give the address the "
            "scheduler printed when it started (`dask scheduler`), e.g. tcp://127.0.0.1:8786"
        )
    return answer


@functools.cache
def code_identity() -> dict[str, str]:
    """This samenspel, as a worker must match it: its version and a digest of its code and
    data (sim/ and agents/), with its git commit for the message."""
    import agents
    import sim
    from sim.study.run import provenance

    digest = hashlib.sha256()
    for root in (Path(sim.__file__).parent, Path(agents.__file__).parent):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".js", ".css") and path.is_file():
                digest.update(path.relative_to(root.parent).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    about = provenance()
    return {
        "version": about["samenspel"],
        "code": digest.hexdigest()[:12],
        "commit": about["git_commit"][:12],
    }


def _described(identity: dict[str, str] | BaseException) -> str:
    if isinstance(identity, BaseException):
        return f"cannot run samenspel: {type(identity).__name__}: {identity}"
    return f"samenspel {identity['version']}, commit {identity['commit']}, code {identity['code']}"


def _check_workers(client: Any, address: str, wait: float) -> None:
    """A worker joins within `wait` seconds, and every worker runs this samenspel."""
    try:
        client.wait_for_workers(1, timeout=max(wait, 0.1))  # 0 would wait for ever
    except TimeoutError:
        what = f"no Dask worker joined the scheduler at {address} within {wait:g} s"
        raise _no_worker(address, what) from None
    mine = code_identity()
    theirs = client.run(code_identity, on_error="return")
    other = {w: i for w, i in theirs.items() if not isinstance(i, dict) or i != mine}
    if other:
        listed = "; ".join(f"{w}: {_described(i)}" for w, i in sorted(other.items()))
        raise UnusableCluster(
            f"{len(other)} of {len(theirs)} Dask workers at {address} do not run this "
            f"samenspel ({_described(mine)}): {listed}; start the workers from the same "
            "samenspel (a clone of the same commit, `make setup`)"
        )


def _no_worker(address: str, what: str) -> UnusableCluster:
    return UnusableCluster(
        f"{what}; start workers with `dask worker {address}` where this samenspel is "
        'installed (README, "Running on a Dask cluster"), or wait longer: '
        "--wait-for-workers SECONDS"
    )


def check_cluster(address: str, wait: float = WORKER_WAIT) -> None:
    """Before anything is written: `address` answers as a Dask scheduler (ConfigError), a
    worker joins within `wait` seconds and every worker runs this samenspel (UnusableCluster)."""
    from distributed import Client

    _quiet_distributed()
    _identity(address)
    try:
        with Client(address, timeout=f"{CONNECT_SECONDS}s") as client:
            _check_workers(client, address, wait)
    except (OSError, TimeoutError) as exc:
        raise LostCluster(f"the Dask scheduler at {address} was lost ({exc})") from None


def dask(
    fn: Callable, tasks: Iterable[Task], address: str, wait: float = WORKER_WAIT
) -> Iterator[Any]:
    """A Dask distributed cluster at `address` (tcp://HOST:PORT), checked as `check_cluster`
    does; if every worker leaves and none is back within `wait` seconds, LostCluster."""
    from distributed import Client
    from distributed import wait as first

    _quiet_distributed()
    _identity(address)
    try:
        with Client(address, timeout=f"{CONNECT_SECONDS}s") as client:
            _check_workers(client, address, wait)
            todo = iter(tasks)  # at most IN_FLIGHT submitted ahead of the results
            pending = {client.submit(fn, *args, pure=False) for args in islice(todo, IN_FLIGHT)}
            while pending:
                try:
                    done, pending = first(pending, max(wait, 1), return_when="FIRST_COMPLETED")
                except TimeoutError:
                    if not client.scheduler_info()["workers"]:
                        raise LostCluster(
                            f"every Dask worker left the scheduler at {address} and none came "
                            f"back within {max(wait, 1):g} s"
                        ) from None
                    continue
                for f in done:
                    pending |= {client.submit(fn, *a, pure=False) for a in islice(todo, 1)}
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
    wait: float = WORKER_WAIT,
) -> Iterator[Any]:
    """Run `fn(*task)` for every task on the executor, yielding results as they finish. Local
    workers are refused at once (UnguardedScript) for a script without a main guard; a Dask
    cluster waits `wait` seconds for a worker."""
    if executor == "inprocess" or (executor == "processes" and workers == 1):
        return in_process(fn, tasks)
    if executor == "dask":
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address")
        return dask(fn, tasks, scheduler, wait)
    check_main_guard()
    return processes(fn, tasks, workers)
