"""What the commands share as they run: warnings on stderr, loading a scenario with a warning of
each override in it that changes nothing, and the range of seeds a command may take."""

from __future__ import annotations

import sys

from sim.model.config import ConfigError, Scenario, load_scenario, unchanged_overrides
from sim.present.cli.parser import MAX_SEED

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
