"""The command table: every command, in the order `samenspel --help` lists them. Importing it
loads the model and study layers (numpy, pandas, mesa), so `main` imports it only once the
signal handlers are in place (sim/present/cli/program.py)."""

from __future__ import annotations

from sim.present.cli.design import DESIGN
from sim.present.cli.discover import DISCOVER
from sim.present.cli.lists import LISTS
from sim.present.cli.parser import Command
from sim.present.cli.rerun import RERUN
from sim.present.cli.robustness import ROBUSTNESS
from sim.present.cli.runs import COMPARE, RUN, WHATIF
from sim.present.cli.shows import ANIMATE, APP
from sim.present.cli.sweeps import ANALYZE, CALIBRATE, POSTERIOR, SWEEP
from sim.present.cli.validate import VALIDATE

COMMANDS: tuple[Command, ...] = (
    RUN,
    COMPARE,
    SWEEP,
    CALIBRATE,
    POSTERIOR,
    ANALYZE,
    DISCOVER,
    DESIGN,
    ROBUSTNESS,
    RERUN,
    VALIDATE,
    ANIMATE,
    APP,
    WHATIF,
    *LISTS,
)
BY_NAME = {c.name: c for c in COMMANDS}
