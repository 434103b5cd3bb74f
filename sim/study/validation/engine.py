"""The engine: every check in one catalogue, the runs they need worked out before any starts,
run together (each set-up once), measured, and written to a result folder."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sim.model.config import ConfigError, Scenario
from sim.study.validation.check import Check
from sim.study.validation.culture import culture_checks
from sim.study.validation.laboratory import docking_checks, settling_checks
from sim.study.validation.measures import Statistic
from sim.study.validation.overrides import Overrides
from sim.study.validation.patterns import pattern_checks
from sim.study.validation.readme import notice_checks, try_checks
from sim.study.validation.runs import arm_key, records, run_arms

CHECKS: tuple[Check, ...] = (
    *pattern_checks(),
    *culture_checks(),
    *notice_checks(),
    *docking_checks(),
    *settling_checks(),
    *try_checks(),
)
_BY_KEY = {c.key: c for c in CHECKS}

Results = Sequence[tuple[Check, Statistic]]


def check(key: str) -> Check:
    """The check with this key; ConfigError naming the keys there are otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        guess = difflib.get_close_matches(key, list(_BY_KEY), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise ConfigError(
            f"--checks: unknown check {key!r}{hint}; allowed: {', '.join(_BY_KEY)}"
        ) from None


def _chosen(keys: Sequence[str] | None) -> list[Check]:
    return [check(k) for k in keys] if keys is not None else list(CHECKS)


def workload(
    overrides: Overrides | None = None,
    keys: Sequence[str] | None = None,
    seeds: int | None = None,
) -> list[tuple[Scenario, int]]:
    """The runs `evaluate_all` would make, worked out before any: each set-up once (checks that
    share one run it once) with its number of seeds. Every scenario is built, so every override
    is checked (ConfigError naming it)."""
    out: dict[str, tuple[Scenario, int]] = {}
    for c in _chosen(keys):
        n = seeds if seeds is not None else c.seeds
        for arm in c.plan(dict(overrides or {}), range(n)).values():
            key = arm_key(arm)
            out[key] = (arm.scenario, max(n, out.get(key, (None, 0))[1]))
    return list(out.values())


def evaluate_all(
    overrides: Overrides | None = None,
    *,
    keys: Sequence[str] | None = None,
    seeds: int | Sequence[int] | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> list[tuple[Check, Statistic]]:
    """Evaluate the checks (all, or those in `keys`), each on its own number of seeds, on
    `seeds` seeds for every one, or on the given list of seeds (a calibration's). Every
    scenario is built (and so every override checked) before any run starts; the runs of all
    checks go to `workers` processes together, each once (one worker: in this process)."""
    chosen = _chosen(keys)
    overrides = dict(overrides or {})
    seed_lists = {c.key: _seed_list(seeds, c.seeds) for c in chosen}
    plans = {c.key: c.plan(overrides, seed_lists[c.key]) for c in chosen}  # raises on bad input
    needs = [(arm, seed_lists[k]) for k, plan in plans.items() for arm in plan.values()]
    run_arms(needs, workers=workers, progress=progress)
    runs = {
        c.key: {role: records(arm, seed_lists[c.key]) for role, arm in plans[c.key].items()}
        for c in chosen
    }
    return [(c, c.measure(runs[c.key])) for c in chosen]


def _seed_list(seeds: int | Sequence[int] | None, own: int) -> list[int]:
    if seeds is None:
        return list(range(own))
    if isinstance(seeds, int):
        return list(range(seeds))
    return list(seeds)


# --- the result folder ---------------------------------------------------------------------------


def table_rows(
    results: Results, words: Mapping[str, Mapping[str, str]] | None = None
) -> list[dict[str, object]]:
    """The checks table: one row per check; `words`, by key, the columns that say in words what
    each check claims (sim/present/validation_report.table_words), after its pattern."""
    return [
        {
            "key": c.key,
            "pattern": c.pattern,
            **(words or {}).get(c.key, {}),
            "target": c.target,
            "estimate": s.estimate,
            "ci_low": s.ci_low,
            "ci_high": s.ci_high,
            "t": s.t,
            "n": s.n,
            "passed": s.passed,
        }
        for c, s in results
    ]


def save(
    results: Results,
    dest,
    settings: dict,
    words: Mapping[str, Mapping[str, str]] | None = None,
    pages: Sequence[Callable[[Path], None]] = (),
) -> Path:
    """Write checks.parquet/.csv (with `words`: see `table_rows`) and manifest.json into `dest`
    atomically, with whatever `pages` write into the same folder (the command line adds the
    report)."""
    import pandas as pd

    from sim.io.store import write_atomically, write_json, write_tables
    from sim.study.run import provenance

    def fill(tmp: Path) -> None:
        table = pd.DataFrame(table_rows(results, words)).astype({"pattern": "Int64"})
        write_tables(tmp, {"checks": table})
        write_json(tmp / "manifest.json", {**settings, **provenance()})
        for page in pages:
            page(tmp)

    return write_atomically(dest, fill)
