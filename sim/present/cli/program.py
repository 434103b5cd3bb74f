"""The program: the command table (every command in the order --help lists them), and `main`,
which parses the arguments, runs the command and turns its errors and the signals that stop it
into one line on stderr and an exit status (sim/present/cli/__init__.py lists them)."""

from __future__ import annotations

import argparse
import sys

from sim.model.config import ConfigError
from sim.present.cli.lists import LISTS
from sim.present.cli.parser import Command, build
from sim.present.cli.runs import COMPARE, RUN, WHATIF
from sim.present.cli.shows import ANIMATE, APP
from sim.present.cli.sweeps import ANALYZE, CALIBRATE, SWEEP
from sim.present.cli.validate import VALIDATE
from sim.study.executors import LostCluster, UnusableCluster
from sim.study.signals import stop_on_signals

COMMANDS: tuple[Command, ...] = (
    RUN,
    COMPARE,
    SWEEP,
    CALIBRATE,
    ANALYZE,
    VALIDATE,
    ANIMATE,
    APP,
    WHATIF,
    *LISTS,
)
BY_NAME = {c.name: c for c in COMMANDS}


def main(argv: list[str] | None = None) -> int:
    """The command line. SIGTERM and Ctrl-C end it at once with one line on stderr and exit
    status 143 or 130, whatever it is doing (sim/study/signals.py says why and why that is safe);
    as the program (`argv` None) until the interpreter has exited, else until main returns."""
    args = argparse.Namespace()

    def resume() -> str:
        hint = getattr(args, "resume_hint", lambda: None)()
        return f"; what finished is kept: {hint}" if hint else ""

    with stop_on_signals(resume, restore=argv is not None):
        args = build(COMMANDS).parse_args(argv)
        try:
            return BY_NAME[args.command].run(args)
        except ConfigError as exc:
            print(f"samenspel: error: {exc}", file=sys.stderr)
            return 2
        except LostCluster as exc:
            print(f"samenspel: {exc}{resume()}", file=sys.stderr)
            return 1
        except UnusableCluster as exc:
            print(f"samenspel: {exc}", file=sys.stderr)
            return 1
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            sys.stderr.close()
            return 0
