"""The model's claimed patterns as checks: one definition for the tests, `samenspel validate`
and a calibration.

Each :class:`Check` states a claim (docs/ODD.md section 1, README "Things to notice"), the
set-ups it compares by role, the measure that reads their runs (paired by seed), the direction
that must hold and how many seeds it needs; `evaluate(overrides, seeds)` returns a
:class:`Statistic`. Overrides (dotted scenario paths, as a sweep's parameters) apply to every
scenario a check builds, on both sides of a comparison; a check's own contrast (the thing it
varies) is applied after them and wins. This package imports the model side only (no plotly,
no web stack, no words), so a worker stays light; the words and the report are
sim/present/validation_report.py.

- `patterns`, `readme`, `laboratory`: the checks as data, one function per pattern (claim and
  statistic in the catalogues, `[validate.check.*]`);
- `setups`: what the checks run (a pure-arrangement variant, a preset, a thing to try, the game);
- `measures`: the statistics they compute (`Statistic`, paired differences, pooled ratios);
- `runs`: the runs and the process-wide run cache; `overrides`: `--set` and `--scenario`;
- `engine`: the catalogue (`CHECKS`, `check`), `workload`, `evaluate_all`, `save`.
"""

from sim.study.validation.check import Check, Label
from sim.study.validation.engine import (
    CHECKS,
    check,
    evaluate_all,
    save,
    table_rows,
    workload,
)
from sim.study.validation.measures import (
    T_MIN,
    Statistic,
    differences_stat,
    pooled_ratio_stat,
)
from sim.study.validation.overrides import (
    ASSUMPTIONS,
    build,
    overrides_from_scenario,
    parse_set,
    unused_keys,
)
from sim.study.validation.runs import Arm, clear_cache, records, run_arms
from sim.study.validation.setups import (
    CONSENSUS,
    MULTIPLE_LOCAL,
    NETWORK,
    PROVIDER,
    PURE,
    SPATIAL,
    base_scenario_dict,
    try_scenario,
    variant_dict,
)

__all__ = [
    "ASSUMPTIONS",
    "CHECKS",
    "CONSENSUS",
    "MULTIPLE_LOCAL",
    "NETWORK",
    "PROVIDER",
    "PURE",
    "SPATIAL",
    "T_MIN",
    "Arm",
    "Check",
    "Label",
    "Statistic",
    "base_scenario_dict",
    "build",
    "check",
    "clear_cache",
    "differences_stat",
    "evaluate_all",
    "overrides_from_scenario",
    "parse_set",
    "pooled_ratio_stat",
    "records",
    "run_arms",
    "save",
    "table_rows",
    "try_scenario",
    "unused_keys",
    "variant_dict",
    "workload",
]
