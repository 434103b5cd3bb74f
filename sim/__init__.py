"""samenspel's public Python API, for people who script: everything below is `from sim import ...`.

    >>> from sim import RegionModel, compare, load_scenario
    >>> model = RegionModel("network-2024", seed=1, years=1)  # the Mesa model
    >>> model.run_model()  # month by month, to the horizon
    >>> a, b = load_scenario("split-2022", years=1), load_scenario("network-2024", years=1)
    >>> table = compare([a, b], replicates=2, workers=1).outcomes  # means, 95% intervals

The names are exported lazily (PEP 562): `import sim` imports none of them, and each is imported
from its own module the first time it is asked for, so a sweep worker that needs the model only
never loads the study or presentation layers (and nothing here imports plotly or dash).
The reference, with an example for each name, is docs/API.md; a notebook to open is
docs/notebooks/explore.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

HOMES = {
    "RegionModel": "sim.model.model",
    "Scenario": "sim.model.config",
    "ConfigError": "sim.io.inputs",
    "load_scenario": "sim.model.config",
    "list_scenarios": "sim.model.config",
    "trust_network": "sim.model.network",
    "simulate": "sim.study.run",
    "compare": "sim.study.compare",
    "whatif": "sim.study.whatif",
    "load_spec": "sim.study.experiment",
    "sweep": "sim.study.sweep",
    "load_results": "sim.study.sweepcheck",
    "load_municipalities": "sim.study.sweepcheck",
    "analyze": "sim.study.sensitivity",
}
"""Each public name -> the module that defines it."""

__all__ = list(HOMES)


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use (then kept here)."""
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors; never run
    from sim.io.inputs import ConfigError as ConfigError
    from sim.model.config import Scenario as Scenario
    from sim.model.config import list_scenarios as list_scenarios
    from sim.model.config import load_scenario as load_scenario
    from sim.model.model import RegionModel as RegionModel
    from sim.model.network import trust_network as trust_network
    from sim.study.compare import compare as compare
    from sim.study.experiment import load_spec as load_spec
    from sim.study.run import simulate as simulate
    from sim.study.sensitivity import analyze as analyze
    from sim.study.sweep import sweep as sweep
    from sim.study.sweepcheck import load_municipalities as load_municipalities
    from sim.study.sweepcheck import load_results as load_results
    from sim.study.whatif import whatif as whatif
