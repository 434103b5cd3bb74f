"""What the commands share as they run: warnings on stderr, loading a scenario with a warning of
each override in it that changes nothing, the range of seeds a command may take, and a sweep's
finished runs read with the refusals in the command's language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.config import ConfigError, Scenario, load_scenario, unchanged_overrides
from sim.present.cli.parser import MAX_SEED

if TYPE_CHECKING:
    from sim.study.finished import FinishedSweep
    from sim.study.worlds import Worlds

_warned: set[str] = set()


def warn(message: str) -> None:
    """A warning on stderr, once per message; it never changes the exit status."""
    if message not in _warned:
        _warned.add(message)
        print(f"samenspel: warning: {message}", file=sys.stderr)


def checked_scenario(name_or_file: str, **overrides: object) -> Scenario:
    """Load a scenario (ConfigError naming every bad field) and warn of each override in it
    that changes nothing."""
    loaded = load_scenario(name_or_file, **overrides)
    for line in unchanged_overrides(loaded):
        warn(f"{name_or_file}: {line}")
    return loaded


def check_seeds(first: int, replicates: int) -> None:
    """ConfigError where seeds `first` .. `first + replicates - 1` go beyond what a table holds."""
    last = first + replicates - 1
    if last > MAX_SEED:
        raise ConfigError(
            f"--seed: seeds {first} to {last} go beyond the largest seed the tables hold "
            f"({MAX_SEED}); choose a smaller --seed"
        )


def chosen_worlds(given: int | None, replicates: int, seed: int) -> Worlds | None:
    """The plausible worlds a compare or whatif spreads its seeds over (sim/study/worlds.py):
    `given` (--worlds), by default WORLDS or as many as leave 2 seeds each; None for 0 (the
    default behaviour only). A default that cannot be kept is said on stderr."""
    from sim.study import worlds

    if given == 0:
        return None
    if not worlds.available():
        if given is not None:
            raise ConfigError(
                "--worlds: this installation carries no posterior (sim/data/posterior)"
            )
        warn("this installation carries no posterior: every seed runs at the default behaviour")
        return None
    if given == 1:
        raise ConfigError(
            "--worlds: one world has no spread to show; give 0 (the default behaviour only) or "
            f"at least 2 (default {worlds.WORLDS})"
        )
    if given is None and replicates < 4:
        warn(
            f"--replicates {replicates}: plausible worlds need at least 2 worlds of 2 seeds; "
            "every seed runs at the default behaviour (give --replicates 40 for 20 worlds)"
        )
        return None
    count = given if given is not None else min(worlds.WORLDS, replicates // 2)
    if replicates < 2 * count:
        raise ConfigError(
            f"--worlds: {count} worlds need at least {2 * count} seeds (2 per world), "
            f"--replicates is {replicates}; give more --replicates or fewer --worlds"
        )
    if count < worlds.FEW:
        warn(
            f"{count} worlds: 'robust' (in at least 90% of the worlds) then means in all or all "
            f"but one of them; {worlds.WORLDS} worlds (the default, 40 seeds or more) give it "
            "its meaning"
        )
    return worlds.draw(count, seed)


def read_checked(folder: Path, command: str, lang: str) -> FinishedSweep:
    """A sweep's runs for `command` (analyze, robustness, discover), refused in `lang`
    (catalogue table `[sweeps]`) where the folder is not a sweep's or is damaged (the damage
    itself as sweepcheck names it)."""
    from sim.present.i18n import text
    from sim.study.finished import read_sweep
    from sim.study.sweepcheck import SweepDamaged, is_sweep

    if not is_sweep(Path(folder)):
        raise ConfigError(text("sweeps.not_a_sweep", lang, folder=folder))
    try:
        return read_sweep(folder, command)
    except SweepDamaged as exc:
        damage = str(exc).split("\n", 1)[1:]
        head = text("sweeps.damaged", lang, command=command, folder=folder)
        raise ConfigError("\n".join([head, *damage])) from None


def read_finished(folder: Path, command: str, lang: str, partial: bool) -> FinishedSweep:
    """A sweep's finished runs for analyze or robustness, refused in `lang` as `read_checked`
    does and where no run is finished, or, unless `partial` (then a note), the sweep is
    unfinished or still running."""
    from sim.present.i18n import number, text

    sweep = read_checked(folder, command, lang)
    # robustness counts the runs that came back (ok or failed), analyze the finished batches
    robust = command == "robustness"
    done = int((sweep.runs["status"] == "ok").sum()) if robust else sweep.finished
    if done == 0:
        raise ConfigError(text(f"sweeps.{command}_no_runs", lang, folder=sweep.folder))
    if sweep.unfinished:
        state = (
            text("sweeps.running", lang, holder=sweep.holder)
            if sweep.holder is not None
            else text("sweeps.interrupted", lang)
        )
        fields = {
            "folder": sweep.folder,
            "finished": number(len(sweep.runs) if robust else sweep.finished, lang, 0),
            "total": number(sweep.total, lang, 0),
            "state": state,
        }
        if not partial:
            raise ConfigError(text(f"sweeps.{command}_unfinished", lang, **fields))
        warn(text(f"sweeps.{command}_partial", lang, **fields))
    return sweep
