"""The program: `main`, which parses the arguments, runs the command and turns its errors and
the signals that stop it into one line on stderr and an exit status (sim/present/cli/__init__.py
lists them).

The signal handlers come first: this module imports nothing heavy, and the command table
(sim/present/cli/table.py, which loads numpy, pandas and mesa, a second or two on a busy
machine) is imported inside the handlers' block, so SIGTERM or Ctrl-C at any moment, even
while Python is still importing, ends the command with one line."""

from __future__ import annotations

import argparse
import sys

from sim.study.signals import stop_on_signals


def main(argv: list[str] | None = None) -> int:
    """The command line. SIGTERM and Ctrl-C end it at once with one line on stderr and exit
    status 143 or 130, whatever it is doing (sim/study/signals.py says why and why that is safe);
    as the program (`argv` None) until the interpreter has exited, else until main returns."""
    args = argparse.Namespace()

    def resume() -> str:
        hint = getattr(args, "resume_hint", lambda: None)()
        return f"; what finished is kept: {hint}" if hint else ""

    with stop_on_signals(resume, restore=argv is not None):
        from sim.io.inputs import ConfigError
        from sim.present.cli.parser import build
        from sim.present.cli.table import BY_NAME, COMMANDS
        from sim.study.executors import LostCluster, UnusableCluster

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
