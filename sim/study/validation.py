"""The model's claimed patterns as checks: one definition for the tests, `samenspel validate`
and a calibration.

Each :class:`Check` states a claim (docs/ODD.md section 1, README "Things to notice"), the
statistic that carries it, the direction it must take and how many seeds it needs; its
`evaluate(overrides, seeds)` runs the set-ups it compares (paired by seed) and returns a
:class:`Statistic`. Overrides (dotted scenario paths, as a sweep's parameters) apply to every
scenario a check builds, on both sides of a comparison; a check's own contrast (the thing it
varies) is applied after them and wins.

Nothing here reads an arrangement's name: the arrangements a check needs are found by their
rules (the one with every member at a table every month and no monitoring, the one with a veto,
...), and the pure-arrangement presets are the scenarios named after an arrangement.

Runs go to local worker processes (sim/study/executors.py) in batches; a run depends only on its
scenario and seed, so the numbers are the same in any executor and order. Runs are kept in a
cache for the life of the process, so checks that share a set-up run it once. This module
imports the model side only (no plotly, no web stack), so a worker stays light.
"""

from __future__ import annotations

import hashlib
import math
import os
import statistics
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.io.progress import bar
from sim.model.config import (
    PRESETS,
    ConfigError,
    Scenario,
    list_scenarios,
    load_arrangement_presets,
    load_region_spec,
    load_scenario,
    read_toml,
    scenario_from_dict,
    scenario_path,
)
from sim.model.model import RegionModel
from sim.study import docking, settling
from sim.study.executors import execute

Overrides = Mapping[str, object]
T_MIN = 3.0  # |t| > 3: a one-in-a-thousand fluke at most, so a real failure, not noise
BATCH = 25  # runs per task handed to a worker process
SPATIAL = ("mobility", "housing", "economy", "energy")
SERIES_KEPT = ("due", "paid", "service_quality", "trust_mean", "defections")


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistic:
    """What a check found: the effect with its 95% interval, and whether the claim holds."""

    estimate: float  # the effect (e.g. mean paired difference)
    ci_low: float  # 95% interval (Student t)
    ci_high: float
    n: int  # pairs / seeds used
    t: float  # signed toward the target: positive = in the claimed direction
    passed: bool


@dataclass(frozen=True)
class Check:
    """One claim of the model, how it is measured and what must hold."""

    key: str
    pattern: int | None  # the ODD pattern number (1..7); None for another documented claim
    claim_en: str
    claim_nl: str
    statistic_en: str
    statistic_nl: str
    target: str  # "> 0", "< 0", "> 0.05", ...: the direction (and margin) that must hold
    seeds: int  # default number of seeds
    evaluate: Callable[[Overrides, Sequence[int]], Statistic] = field(repr=False, compare=False)
    plan: Callable[[Overrides, Sequence[int]], dict[str, Arm]] = field(
        default=None,  # type: ignore[assignment]
        repr=False,
        compare=False,
    )  # the set-ups evaluate runs, by role (evaluate_all runs them all at once)


# --- set-ups -------------------------------------------------------------------------------------


def _arrangement_where(**rules: object) -> str:
    """The one preset arrangement whose rules have these values (arrangements are data)."""
    found = [
        name
        for name, a in load_arrangement_presets().items()
        if all(getattr(a, k) == v for k, v in rules.items())
    ]
    if len(found) != 1:
        raise RuntimeError(f"internal: {len(found)} preset arrangements have the rules {rules}")
    return found[0]


# The roles the patterns speak of, found by their rules (docs/ODD.md, 7.1).
MULTIPLE_LOCAL = _arrangement_where(seating="all", meeting_interval_months=1, monitoring=0.0)
NETWORK = _arrangement_where(seating="all", participation="opt_in")
CONSENSUS = _arrangement_where(veto=True)  # the classic GR
PROVIDER = _arrangement_where(executor="centre")  # Dordrecht as service municipality
PURE = tuple(a for a in load_arrangement_presets() if a in list_scenarios())
"""The arrangements that have a preset of their own name: every theme under that one."""


def base_scenario_dict(name: str = MULTIPLE_LOCAL) -> dict:
    """A preset scenario's file contents."""
    return tomllib.loads((PRESETS / f"{name}.toml").read_text())


def variant_dict(
    name: str = MULTIPLE_LOCAL,
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> dict:
    """A pure-arrangement preset as a dict, with its rules changed as given (see `variant`)."""
    data = base_scenario_dict(name)
    arrangement = name
    if rules:
        data["arrangements"] = {"variant": {"based_on": name, **rules}}
        arrangement = "variant"
    if themes is not None:
        data["governance"] = {t: arrangement for t in themes}
    else:
        data["governance"] = {t: arrangement for t in data["governance"]}
    if status_quo:
        data.pop("previous_governance", None)
    else:
        data["previous_governance"] = {
            t: p for t, p in data.get("previous_governance", {}).items() if t in data["governance"]
        }
    return data


def variant(
    name: str = MULTIPLE_LOCAL,
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> Scenario:
    """A pure-arrangement preset, with its rules changed as given.

    By default restricted to the spatial-economic themes and taken as the status quo (no
    transition from a previous arrangement), as multiple-local was when Common Eye looked at it.
    """
    return scenario_from_dict(variant_dict(name, themes, status_quo, **rules))


def paired_t(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Mean of b - a over pairs where both are numbers, and its t statistic."""
    d = [y - x for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d))
    return mean, (mean / se if se > 0 else math.inf * (1 if mean > 0 else -1))


OVERRIDES_SOURCE = "overrides (--set, --scenario)"


def apply_overrides(data: dict, overrides: Overrides | None) -> dict:
    """A scenario dict with dotted paths set; ConfigError naming the path if it cannot go."""
    from sim.study.experiment import apply

    try:
        return apply(data, dict(overrides or {}))
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("parameters.", "--set ", 1)) from None


def build(data: dict, overrides: Overrides | None = None, **contrast: object) -> Scenario:
    """The scenario `data` with the overrides applied, then the check's own contrast."""
    data = apply_overrides(data, overrides)
    data = apply_overrides(data, contrast) if contrast else data
    return scenario_from_dict(data, source=OVERRIDES_SOURCE)


def _preset(name: str, overrides: Overrides) -> Scenario:
    return build(load_scenario(name).model_dump(mode="json"), overrides)


ASSUMPTIONS = ("behaviour", "salience_spread", "shock_probability", "themes")
"""What `--scenario` takes of a scenario file: its assumptions, not its set-up."""
WORDS = ("name", "description", "description_nl")


def unused_keys(path_or_preset: str) -> list[str]:
    """The keys of a scenario file that `--scenario` does not use: its governance, arrangements,
    region, horizon, shocks, ... (each check builds its own set-ups); the words about it aside."""
    raw = read_toml(scenario_path(path_or_preset), "scenario")
    return [k for k in raw if k not in ASSUMPTIONS and k not in WORDS]


def overrides_from_scenario(path_or_preset: str) -> dict[str, object]:
    """A scenario file's assumptions (`ASSUMPTIONS`) as overrides: its `behaviour` table,
    `salience_spread`, `shock_probability` and `themes`, as the file gives them."""
    scenario = load_scenario(path_or_preset)  # validates it, naming any bad field
    raw = read_toml(scenario_path(path_or_preset), "scenario")
    out: dict[str, object] = {}
    validated = scenario.model_dump(mode="json")
    for key in raw.get("behaviour", {}):
        out[f"behaviour.{key}"] = validated["behaviour"][key]
    for key in ("salience_spread", "shock_probability"):
        if key in raw:
            out[key] = validated[key]
    if "themes" in Scenario.model_fields and isinstance(raw.get("themes"), dict):
        for theme, table in raw["themes"].items():
            if isinstance(table, dict):
                for k in table:
                    out[f"themes.{theme}.{k}"] = validated["themes"][theme][k]
            else:
                out[f"themes.{theme}"] = validated["themes"][theme]
    return out


# --- runs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arm:
    """One set-up a check runs: a scenario and, rarely, a named change to the built model."""

    scenario: Scenario
    tweak: str = ""  # a key of TWEAKS


def _more_autonomy(model: RegionModel) -> None:
    for m in model.municipalities:  # councils that want more of their own settings
        m.autonomy = min(1.0, m.autonomy + 0.3)


TWEAKS: dict[str, Callable[[RegionModel], None]] = {"autonomy+0.3": _more_autonomy}

Record = dict[str, Any]


def _record(model: RegionModel) -> Record:
    """What the checks read of one run, kept small."""
    rec = model.recorder
    cols = rec.columns
    return {
        "summary": rec.summary(),
        "municipalities": rec.municipality_rows(),
        "centre": model.centre.name,
        "theme_due": {t.name: rec.due_by_theme[t.index] for t in model.themes},
        "theme_paid": {t.name: rec.paid_by_theme[t.index] for t in model.themes},
        "series": {c: np.asarray(cols[c], dtype=float) for c in SERIES_KEPT},
    }


def run_batch(scenario: Scenario, tweak: str, seeds: list[int]) -> list[Record]:
    """Run `scenario` for each seed (a worker's task) and return what the checks read."""
    out = []
    for seed in seeds:
        model = RegionModel(scenario, seed=seed)
        if tweak:
            TWEAKS[tweak](model)
        out.append(_record(model.run()))
    return out


_CACHE: dict[tuple[str, int], Record] = {}


def _arm_key(arm: Arm) -> str:
    text = arm.scenario.model_dump_json() + "|" + arm.tweak
    return hashlib.sha256(text.encode()).hexdigest()


def _default_workers() -> int:
    return os.cpu_count() or 1


def run_arms(
    needs: Sequence[tuple[Arm, Sequence[int]]],
    workers: int | None = None,
    progress: bool = False,
) -> None:
    """Run every (arm, seed) not yet in the cache, in batches on `workers` processes."""
    tasks: list[tuple[Scenario, str, list[int]]] = []
    keys: list[tuple[str, list[int]]] = []
    planned: set[tuple[str, int]] = set()
    for arm, seeds in needs:
        key = _arm_key(arm)
        todo = [s for s in seeds if (key, s) not in _CACHE and (key, s) not in planned]
        planned |= {(key, s) for s in todo}
        for lo in range(0, len(todo), BATCH):
            tasks.append((arm.scenario, arm.tweak, todo[lo : lo + BATCH]))
            keys.append((key, todo[lo : lo + BATCH]))
    if not tasks:
        return
    workers = min(workers or _default_workers(), len(tasks))
    indexed = [(i, *t) for i, t in enumerate(tasks)]
    with bar(sum(len(t[2]) for t in tasks), "validate", enabled=progress) as update:
        for i, records in execute(_indexed_batch, indexed, "processes", workers):
            key, seeds = keys[i]
            for s, r in zip(seeds, records, strict=True):
                _CACHE[(key, s)] = r
            update(len(seeds))


def _indexed_batch(i: int, scenario: Scenario, tweak: str, seeds: list[int]):
    return i, run_batch(scenario, tweak, seeds)


def records(arm: Arm, seeds: Sequence[int]) -> list[Record]:
    """The runs of `arm` for `seeds`, in seed order (run first if not cached)."""
    run_arms([(arm, seeds)])
    key = _arm_key(arm)
    return [_CACHE[(key, s)] for s in seeds]


def clear_cache() -> None:
    _CACHE.clear()


# --- statistics ----------------------------------------------------------------------------------


def _t_quantile(n: int) -> float:
    if n < 2:
        return math.nan
    from scipy.stats import t  # scipy comes with Mesa; only the driver needs it

    return float(t.ppf(0.975, n - 1))


def _mean_interval(d: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, its standard error and 95% interval (the mean itself where n < 2)."""
    n = len(d)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = statistics.fmean(d)
    if n < 2:
        return mean, math.nan, mean, mean
    se = statistics.stdev(d) / math.sqrt(n)
    half = _t_quantile(n) * se
    return mean, se, mean - half, mean + half


def _signed_t(value: float, se: float, direction: int) -> float:
    """(value / se) signed toward the claim; infinite where the seeds agree exactly."""
    v = value * direction
    if math.isnan(v):
        return math.nan
    if not se > 0:  # se is 0 or n/a
        return math.inf if v > 0 else -math.inf if v < 0 else 0.0
    return v / se


def differences_stat(d: Sequence[float], direction: int, every_seed: bool = False) -> Statistic:
    """Per-seed differences `d` (NaN where a seed has no pair): their mean with a 95% interval.

    The claim holds when the t statistic toward `direction` exceeds T_MIN, or, for a claim
    about every seed, when every difference lies in `direction`.
    """
    d = [x for x in d if not math.isnan(x)]
    mean, se, lo, hi = _mean_interval(d)
    t = _signed_t(mean, se, direction)
    passed = bool(d) and all(x * direction > 0 for x in d) if every_seed else t > T_MIN
    return Statistic(mean, lo, hi, len(d), t, bool(passed))


def pooled_ratio_stat(
    a: Sequence[tuple[float, float]],
    b: Sequence[tuple[float, float]],
    direction: int,
    margin: float,
) -> Statistic:
    """Pooled b-ratio minus pooled a-ratio (sum of numerators / sum of denominators, over
    seeds); its interval by linearisation over seeds (paired). The claim holds when the
    difference lies beyond `margin` in `direction`; t is the distance beyond the margin in
    standard errors."""
    na, da = (sum(x[0] for x in a), sum(x[1] for x in a))
    nb, db = (sum(x[0] for x in b), sum(x[1] for x in b))
    n = len(a)
    if da <= 0 or db <= 0:
        return Statistic(math.nan, math.nan, math.nan, n, math.nan, False)
    ra, rb = na / da, nb / db
    est = rb - ra
    z = [
        (pb - rb * qb) / (db / n) - (pa - ra * qa) / (da / n)
        for (pa, qa), (pb, qb) in zip(a, b, strict=True)
    ]
    _, se, _, _ = _mean_interval(z)
    half = _t_quantile(n) * se if n > 1 else 0.0
    t = _signed_t(est - direction * margin, se, direction)
    return Statistic(est, est - half, est + half, n, t, bool(direction * est > margin))


# --- check builders ------------------------------------------------------------------------------


def _make(
    key: str,
    pattern: int | None,
    claim: tuple[str, str],
    statistic: tuple[str, str],
    target: str,
    seeds: int,
    plan: Callable[[Overrides], dict[str, Arm | Scenario]],
    measure: Callable[[dict[str, list[Record]]], Statistic],
) -> Check:
    def arms(overrides: Overrides, seeds: Sequence[int]) -> dict[str, Arm]:
        built = plan(overrides or {})
        return {role: x if isinstance(x, Arm) else Arm(x) for role, x in built.items()}

    def evaluate(overrides: Overrides, seeds: Sequence[int]) -> Statistic:
        seeds = list(seeds)
        plan_ = arms(overrides, seeds)
        run_arms([(arm, seeds) for arm in plan_.values()], workers=_WORKERS.get("n"))
        return measure({role: records(arm, seeds) for role, arm in plan_.items()})

    claim = tuple(c[:1].upper() + c[1:] for c in claim)  # a claim may start with a name
    return Check(key, pattern, *claim, *statistic, target, seeds, evaluate, arms)


_WORKERS: dict[str, int | None] = {"n": None}


def _paired(
    a: Callable[[Record], float], b: Callable[[Record], float], direction: int
) -> Callable[[dict[str, list[Record]]], Statistic]:
    """b(arm "b") - a(arm "a"), seed by seed (one arm "x" serves both where there is one)."""

    def measure(runs: dict[str, list[Record]]) -> Statistic:
        ra, rb = runs.get("a", runs.get("x")), runs.get("b", runs.get("x"))
        return differences_stat([b(y) - a(x) for x, y in zip(ra, rb, strict=True)], direction)

    return measure


def _summary(key: str) -> Callable[[Record], float]:
    return lambda r: float(r["summary"][key])


def _window_commitment(r: Record, window: slice) -> float:
    due = float(r["series"]["due"][window].sum())
    return float(r["series"]["paid"][window].sum()) / due if due > 0 else math.nan


def _withheld(r: Record, window: slice) -> float:
    c = _window_commitment(r, window)
    return 1 - c


def _others(r: Record, column: str) -> float:
    return statistics.fmean(
        float(m[column]) for m in r["municipalities"] if m["municipality"] != r["centre"]
    )


def named_region(sc: Scenario) -> Scenario:
    """A check that names municipalities needs the region it names them in."""
    if sc.region != load_region_spec().name:
        raise ConfigError(
            f"--set region: {sc.region!r} is not allowed for a check that compares named "
            f"municipalities; allowed: {load_region_spec().name!r} (or choose other --checks)"
        )
    return sc


def _has_transition(sc: Scenario) -> bool:
    return any(sc.previous_governance.get(t, a) != a for t, a in sc.governance.items())


def _label(arrangement: str) -> tuple[str, str]:
    a = load_arrangement_presets()[arrangement]
    return a.label, a.label_nl


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _build_checks() -> tuple[Check, ...]:
    out: list[Check] = []
    ml = MULTIPLE_LOCAL
    ml_en, ml_nl = _label(ml)

    # Pattern 1: multiple-local has the most meeting load, the least progress per hour, and
    # its commitment decays.
    def decay(runs):
        first = [_window_commitment(r, slice(0, 36)) for r in runs["x"]]
        last = [_window_commitment(r, slice(-36, None)) for r in runs["x"]]
        return differences_stat([y - x for x, y in zip(first, last, strict=True)], -1)

    out.append(
        _make(
            "p1-decay",
            1,
            (
                f"Under {ml_en}, commitment decays over time.",
                f"Onder {ml_nl} neemt de commitment in de loop van de tijd af.",
            ),
            (
                "commitment (paid / due), last 3 years minus first 3, paired by seed",
                "commitment (betaald / verschuldigd), laatste 3 jaar min eerste 3, per seed",
            ),
            "< 0",
            300,
            lambda o: {"x": build(variant_dict(), o)},
            decay,
        )
    )
    for suffix, rules, words_en, words_nl in (
        (
            "6m",
            {"meeting_interval_months": 6},
            "tables that meet twice a year",
            "tafels die twee keer per jaar vergaderen",
        ),
        (
            "6m-steering",
            {"meeting_interval_months": 6, "monitoring": 0.8, "sanction": 0.5},
            "tables that meet twice a year with a steering room",
            "tafels die twee keer per jaar vergaderen, met een regiekamer",
        ),
    ):
        plan = lambda o, rules=rules: {  # noqa: E731
            "a": build(variant_dict(), o),
            "b": build(variant_dict(**rules), o),
        }
        out.append(
            _make(
                f"p1-load-{suffix}",
                1,
                (
                    f"All seven at every table every month ({ml_en}) has more meeting hours "
                    f"than {words_en}.",
                    f"Alle zeven elke maand aan elke tafel ({ml_nl}) kost meer vergaderuren "
                    f"dan {words_nl}.",
                ),
                (
                    f"meeting hours, {words_en} minus every month, paired by seed",
                    f"vergaderuren, {words_nl} min elke maand, per seed",
                ),
                "< 0",
                200,
                plan,
                _paired(_summary("meeting_hours"), _summary("meeting_hours"), -1),
            )
        )
        out.append(
            _make(
                f"p1-per-hour-{suffix}",
                1,
                (
                    f"All seven at every table every month ({ml_en}) makes less progress per "
                    f"meeting hour than {words_en}.",
                    f"Alle zeven elke maand aan elke tafel ({ml_nl}) boekt minder voortgang "
                    f"per vergaderuur dan {words_nl}.",
                ),
                (
                    f"progress per meeting hour, {words_en} minus every month, paired by seed",
                    f"voortgang per vergaderuur, {words_nl} min elke maand, per seed",
                ),
                "> 0",
                200,
                plan,
                _paired(
                    _summary("progress_per_meeting_hour"), _summary("progress_per_meeting_hour"), 1
                ),
            )
        )
    for other in PURE:
        if other == ml:
            continue
        o_en, o_nl = _label(other)
        plan = lambda o, other=other: {  # noqa: E731
            "a": build(variant_dict(other, themes=None), o),
            "b": build(variant_dict(ml, themes=None), o),
        }
        out.append(
            _make(
                f"p1-load-vs-{other}",
                1,
                (
                    f"Under {ml_en} there are more meeting hours than under {o_en} (six "
                    "themes, no transition).",
                    f"Onder {ml_nl} zijn er meer vergaderuren dan onder {o_nl} (zes thema's, "
                    "geen transitie).",
                ),
                (
                    f"meeting hours, {ml_en} minus {o_en}, paired by seed",
                    f"vergaderuren, {ml_nl} min {o_nl}, per seed",
                ),
                "> 0",
                150,
                plan,
                _paired(_summary("meeting_hours"), _summary("meeting_hours"), 1),
            )
        )
        out.append(
            _make(
                f"p1-per-hour-vs-{other}",
                1,
                (
                    f"Under {ml_en} there is less progress per meeting hour than under {o_en} "
                    "(six themes, no transition).",
                    f"Onder {ml_nl} is er minder voortgang per vergaderuur dan onder {o_nl} "
                    "(zes thema's, geen transitie).",
                ),
                (
                    f"progress per meeting hour, {o_en} minus {ml_en}, paired by seed",
                    f"voortgang per vergaderuur, {o_nl} min {ml_nl}, per seed",
                ),
                "> 0",
                150,
                lambda o, other=other: {
                    "a": build(variant_dict(ml, themes=None), o),
                    "b": build(variant_dict(other, themes=None), o),
                },
                _paired(
                    _summary("progress_per_meeting_hour"), _summary("progress_per_meeting_hour"), 1
                ),
            )
        )

    # Pattern 2: concrete projects with local benefit (mobility) gather more commitment than
    # distributive themes (housing).
    out.append(
        _make(
            "p2-mobility-housing",
            2,
            (
                f"Under {ml_en}, mobility projects gather more commitment than housing projects.",
                f"Onder {ml_nl} krijgen mobiliteitsprojecten meer commitment dan "
                "woningbouwprojecten.",
            ),
            (
                "commitment to mobility minus commitment to housing, paired by seed",
                "commitment aan mobiliteit min commitment aan wonen, per seed",
            ),
            "> 0",
            200,
            lambda o: {"x": build(variant_dict(), o)},
            _paired(_summary("commitment_housing"), _summary("commitment_mobility"), 1),
        )
    )

    def theme_money(theme: str) -> Callable[[Record], tuple[float, float]]:
        return lambda r: (float(r["theme_paid"][theme]), float(r["theme_due"][theme]))

    def mobility_housing(runs):
        x = runs["x"]
        return pooled_ratio_stat(
            [theme_money("housing")(r) for r in x], [theme_money("mobility")(r) for r in x], 1, 0.05
        )

    for a in PURE:
        a_en, a_nl = _label(a)
        out.append(
            _make(
                f"p2-mobility-housing-{a}",
                2,
                (
                    f"Under {a_en}, mobility projects are paid for more reliably than housing "
                    "projects.",
                    f"Onder {a_nl} worden mobiliteitsprojecten betrouwbaarder betaald dan "
                    "woningbouwprojecten.",
                ),
                (
                    "paid / due for mobility minus for housing, pooled over seeds (six themes, "
                    "no transition)",
                    "betaald / verschuldigd voor mobiliteit min voor wonen, over alle seeds (zes "
                    "thema's, geen transitie)",
                ),
                "> 0.05",
                150,
                lambda o, a=a: {"x": build(variant_dict(a, themes=None), o)},
                mobility_housing,
            )
        )

    # Pattern 3: a larger own cost share lowers delivery (equal shares instead of shares per
    # inhabitant raise the small municipalities' share and lower the centre's).
    region = load_region_spec()
    by_size = sorted(region.municipalities, key=lambda m: m.population)
    small = [m.name for m in by_size[:3]]

    def delivery(name: str, direction: int):
        def money(r: Record) -> tuple[float, float]:
            row = next(m for m in r["municipalities"] if m["municipality"] == name)
            return float(row["paid"]), float(row["due"])

        def measure(runs):
            return pooled_ratio_stat(
                [money(r) for r in runs["a"]], [money(r) for r in runs["b"]], direction, 0.03
            )

        return measure

    def cost_plan(o):
        return {
            "a": named_region(build(variant_dict(), o)),
            "b": named_region(build(variant_dict(cost_allocation="equal"), o)),
        }

    for name, direction in [*((n, -1) for n in small), (region.centre, 1)]:
        more = direction < 0
        out.append(
            _make(
                f"p3-cost-share-{_slug(name)}",
                3,
                (
                    f"Equal cost shares instead of shares per inhabitant "
                    f"{'raise' if more else 'lower'} {name}'s own share, and its delivery "
                    f"{'falls' if more else 'rises'} (the withdrawing movement).",
                    f"Gelijke kostenaandelen in plaats van aandelen per inwoner "
                    f"{'verhogen' if more else 'verlagen'} het eigen aandeel van {name}, en zijn "
                    f"nakoming {'daalt' if more else 'stijgt'} (de terugtrekkende beweging).",
                ),
                (
                    f"{name}'s paid / due, equal shares minus shares per inhabitant, pooled "
                    f"over seeds ({ml_en})",
                    f"betaald / verschuldigd van {name}, gelijke aandelen min aandelen per "
                    f"inwoner, over alle seeds ({ml_nl})",
                ),
                "< -0.03" if more else "> 0.03",
                200,
                cost_plan,
                delivery(name, direction),
            )
        )

    # Pattern 4: service municipality: dearest transition, early dip, efficiency gain shrinks
    # with tailoring, clients feel less control.
    moving = [a for a in PURE if _has_transition(load_scenario(a))]
    p_en, p_nl = _label(PROVIDER)
    c_en, c_nl = _label(CONSENSUS)

    def transition_plan(o):
        return {a: _preset(a, o) for a in moving}

    def dearest(runs):
        cost = lambda a, i: float(runs[a][i]["summary"]["transition_cost"])  # noqa: E731
        n = len(runs[PROVIDER])
        return differences_stat(
            [
                cost(PROVIDER, i) - max(cost(a, i) for a in moving if a != PROVIDER)
                for i in range(n)
            ],
            1,
            every_seed=True,
        )

    def lowest(runs):
        cost = lambda a, i: float(runs[a][i]["summary"]["transition_cost"])  # noqa: E731
        n = len(runs[CONSENSUS])
        return differences_stat(
            [
                min(cost(a, i) for a in moving if a != CONSENSUS) - cost(CONSENSUS, i)
                for i in range(n)
            ],
            1,
            every_seed=True,
        )

    names_moving_en = ", ".join(_label(a)[0] for a in moving)
    names_moving_nl = ", ".join(_label(a)[1] for a in moving)
    out.append(
        _make(
            "p4-dearest-transition",
            4,
            (
                f"{p_en} has the dearest transition of the alternatives to the GRD.",
                f"{p_nl} heeft de duurste transitie van de alternatieven voor de GRD.",
            ),
            (
                f"transition cost of {p_en} minus the dearest other ({names_moving_en}), every "
                "seed",
                f"transitiekosten van {p_nl} min de duurste andere ({names_moving_nl}), elke seed",
            ),
            "> 0 (every seed)",
            1,
            transition_plan,
            dearest,
        )
    )

    def dip(runs):
        d = []
        for r in runs["x"]:
            q = r["series"]["service_quality"]
            if len(q) <= 60:  # a horizon under five years cannot show the recovery
                d.append(math.nan)
                continue
            back = q[60] == q[-1] == 1.0
            d.append(float(q[60] - q[0]) if back else -abs(q[60] - 1.0) - abs(q[-1] - 1.0))
        return differences_stat(d, 1, every_seed=True)

    out.append(
        _make(
            "p4-early-dip",
            4,
            (
                f"Under {p_en}, service quality dips early in the transition and recovers.",
                f"Onder {p_nl} daalt de dienstverleningskwaliteit vroeg in de transitie en "
                "herstelt ze.",
            ),
            (
                "service quality at month 60 minus month 0 (negative if not back at 1 by month "
                "60 and at the end), every seed",
                "dienstverleningskwaliteit in maand 60 min maand 0 (negatief als die in maand 60 "
                "en aan het eind niet terug op 1 is), elke seed",
            ),
            "> 0 (every seed)",
            5,
            lambda o: {"x": _preset(PROVIDER, o)},
            dip,
        )
    )

    def efficiency(runs):
        gain = _summary("service_efficiency_gain")
        return differences_stat(
            [gain(b) - gain(a) for a, b in zip(runs["a"], runs["b"], strict=True)],
            -1,
            every_seed=True,
        )

    def efficiency_plan(o):
        sc = _preset(PROVIDER, o)
        return {"a": Arm(sc), "b": Arm(sc, "autonomy+0.3")}

    out.append(
        _make(
            "p4-tailoring-efficiency",
            4,
            (
                f"Under {p_en}, the efficiency gain shrinks as clients want more tailoring.",
                f"Onder {p_nl} krimpt de efficiëntiewinst naarmate afnemers meer maatwerk willen.",
            ),
            (
                "efficiency gain with every council's autonomy +0.3 minus without, every seed",
                "efficiëntiewinst met de autonomie van elke raad +0,3 min zonder, elke seed",
            ),
            "< 0 (every seed)",
            30,
            efficiency_plan,
            efficiency,
        )
    )
    out.append(
        _make(
            "p4-clients-grip",
            4,
            (
                f"Clients of {p_en} feel less grip than owners of a {c_en}.",
                f"Afnemers bij {p_nl} ervaren minder grip dan eigenaars van een {c_nl}.",
            ),
            (
                f"mean grip of the municipalities other than the centre, {p_en} minus {c_en} "
                "(presets, from the GRD), paired by seed",
                f"gemiddelde grip van de gemeenten behalve de centrumgemeente, {p_nl} min "
                f"{c_nl} (presets, vanuit de GRD), per seed",
            ),
            "< 0",
            60,
            lambda o: {"a": _preset(CONSENSUS, o), "b": _preset(PROVIDER, o)},
            _paired(lambda r: _others(r, "grip_mean"), lambda r: _others(r, "grip_mean"), -1),
        )
    )

    # Pattern 5: classic GR: lowest transition impact; consensus slows decisions as interests
    # diverge.
    out.append(
        _make(
            "p5-lowest-transition",
            5,
            (
                f"A {c_en} has the lowest transition cost of the alternatives to the GRD.",
                f"Een {c_nl} heeft de laagste transitiekosten van de alternatieven voor de GRD.",
            ),
            (
                f"the cheapest other transition ({names_moving_en}) minus that of {c_en}, "
                "every seed",
                f"de goedkoopste andere transitie ({names_moving_nl}) min die van {c_nl}, elke "
                "seed",
            ),
            "> 0 (every seed)",
            1,
            transition_plan,
            lowest,
        )
    )
    out.append(
        _make(
            "p5-consensus-diverging",
            5,
            (
                f"Under a {c_en} (unanimity), fewer proposals are adopted as interests diverge.",
                f"In een {c_nl} (unanimiteit) worden minder voorstellen aangenomen naarmate "
                "belangen uiteenlopen.",
            ),
            (
                "proposals adopted, salience spread 2 minus 0, paired by seed (six themes, no "
                "transition)",
                "aangenomen voorstellen, spreiding van belangen 2 min 0, per seed (zes thema's, "
                "geen transitie)",
            ),
            "< 0",
            200,
            lambda o: {
                "a": build(variant_dict(CONSENSUS, themes=None), o, salience_spread=0.0),
                "b": build(variant_dict(CONSENSUS, themes=None), o, salience_spread=2.0),
            },
            _paired(_summary("adopted"), _summary("adopted"), -1),
        )
    )

    # Pattern 6: the network model beats multiple-local in the spatial-economic domain.
    n_en, n_nl = _label(NETWORK)
    for key, outcome_key, direction, what_en, what_nl, more_en, more_nl in (
        (
            "p6-coalition-size",
            "coalition_size_mean",
            -1,
            "mean coalition size",
            "gemiddelde coalitiegrootte",
            "smaller coalitions",
            "kleinere coalities",
        ),
        (
            "p6-meeting-hours",
            "meeting_hours",
            -1,
            "meeting hours",
            "vergaderuren",
            "less meeting load",
            "minder vergaderlast",
        ),
        (
            "p6-commitment",
            "commitment",
            1,
            "commitment (paid / pledged)",
            "commitment (betaald / toegezegd)",
            "higher commitment",
            "hogere commitment",
        ),
        ("p6-progress", "progress", 1, "progress", "voortgang", "more progress", "meer voortgang"),
    ):
        out.append(
            _make(
                key,
                6,
                (
                    f"In the spatial-economic domain, the {n_en} has {more_en} than {ml_en}.",
                    f"In het ruimtelijk-economisch domein heeft het {n_nl} {more_nl} dan {ml_nl}.",
                ),
                (
                    f"{what_en}, {n_en} minus {ml_en}, paired by seed",
                    f"{what_nl}, {n_nl} min {ml_nl}, per seed",
                ),
                "< 0" if direction < 0 else "> 0",
                150,
                lambda o: {"a": build(variant_dict(ml), o), "b": build(variant_dict(NETWORK), o)},
                _paired(_summary(outcome_key), _summary(outcome_key), direction),
            )
        )

    # Pattern 7: a budget shock raises free-riding in every arrangement.
    window = slice(24, 72)
    shock = [{"month": 24, "cut": 0.5, "months": 48}]
    for a in PURE:
        a_en, a_nl = _label(a)
        out.append(
            _make(
                f"p7-{a}",
                7,
                (
                    f"Under {a_en}, a budget shock raises free-riding.",
                    f"Onder {a_nl} verhoogt een budgetschok het meeliften.",
                ),
                (
                    "share of money due in years 3-6 that was withheld, with a cut of half the "
                    "regional room in those years minus without, paired by seed",
                    "aandeel van het in jaar 3-6 verschuldigde geld dat werd ingehouden, met een "
                    "korting van de helft van de regionale ruimte in die jaren min zonder, per "
                    "seed",
                ),
                "> 0",
                700 if a == CONSENSUS else 300,  # few projects under unanimity: more seeds
                lambda o, a=a: {
                    "a": build(variant_dict(a, themes=None), o),
                    "b": build(variant_dict(a, themes=None), o, shocks=shock),
                },
                _paired(lambda r: _withheld(r, window), lambda r: _withheld(r, window), 1),
            )
        )
    out.extend(_notice_checks(small, region.centre))
    out.extend(_docking_checks())
    out.extend(_settling_checks())
    out.extend(_try_checks(small, region.centre))
    return tuple(out)


# --- docking and settling (docs/ODD.md, section 9) ------------------------------------------------


def _game(condition: str, overrides: Overrides) -> Scenario:
    """The docking game (sim/study/docking.py) under the overrides, except what makes it the game:
    every setting its file gives wins over an override (a `--set behaviour.weight_stress=2`
    must not bring budget stress into a laboratory game), so overrides reach only the
    behaviour the docking tests (conditional_slope, trust_gain, weight_norm, ...)."""
    data = read_toml(docking.DOCKING / docking.CONDITIONS[condition], "scenario")
    reduction = {f"behaviour.{k}": v for k, v in data.get("behaviour", {}).items()}
    for theme, table in data.get("themes", {}).items():
        reduction |= {f"themes.{theme}.{k}": v for k, v in table.items()}
    reduction |= {k: data[k] for k in ("region", "years", "initial_trust") if k in data}
    return build(data, overrides, **reduction)


def _contributions(r: Record) -> list[float]:
    """Per period, the share of the four members that paid of their own accord."""
    return docking.paid_of_own_accord(r["series"]["defections"], len(r["municipalities"]))


def _deviation_stat(runs: list[Record], lab: Sequence[float], tolerance: float) -> Statistic:
    """Mean absolute deviation of the mean trajectory from the laboratory's, with a bootstrap
    interval over seeds (fixed resampling stream: the same runs give the same interval)."""
    mean_absolute_deviation = docking.mean_absolute_deviation
    paths = np.array([_contributions(r) for r in runs])
    est = mean_absolute_deviation(paths.mean(axis=0), lab)
    rng = np.random.default_rng(0)
    boot = [
        mean_absolute_deviation(paths[rng.integers(0, len(paths), len(paths))].mean(axis=0), lab)
        for _ in range(400)
    ]
    lo, hi = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
    se = float(np.std(boot))
    return Statistic(est, lo, hi, len(runs), _signed_t(tolerance - est, se, 1), est <= tolerance)


DOCKING_TOLERANCE = 0.15
"""Mean absolute deviation over ten periods, in shares of the endowment (ODD section 9)."""


def _docking_checks() -> list[Check]:
    lab = docking.experiments()
    seeds = 200
    without = lambda o: {"x": _game("without_punishment", o)}  # noqa: E731
    with_ = lambda o: {"x": _game("with_punishment", o)}  # noqa: E731
    return [
        _make(
            "dock-decay-without-punishment",
            None,
            (
                "In the public-goods game without punishment, contributions fall to at most "
                "half their first-period level (laboratory: 0.41 and 0.28 of it).",
                "In het publieke-goederenspel zonder straf dalen de bijdragen tot hoogstens de "
                "helft van die in de eerste periode (laboratorium: 0,41 en 0,28 daarvan).",
            ),
            (
                "contribution in period 10 minus half that in period 1, by seed",
                "bijdrage in periode 10 min de helft van die in periode 1, per seed",
            ),
            "< 0",
            seeds,
            without,
            lambda runs: differences_stat(
                [c[-1] - 0.5 * c[0] for c in map(_contributions, runs["x"])], -1
            ),
        ),
        _make(
            "dock-holds-with-punishment",
            None,
            (
                "In the public-goods game with punishment, contributions do not fall "
                "(laboratory: from 0.53 to 0.64).",
                "In het publieke-goederenspel met straf dalen de bijdragen niet "
                "(laboratorium: van 0,53 naar 0,64).",
            ),
            (
                "contribution in period 10 minus that in period 1, plus 0.05, by seed",
                "bijdrage in periode 10 min die in periode 1, plus 0,05, per seed",
            ),
            "> 0",
            seeds,
            with_,
            lambda runs: differences_stat(
                [c[-1] - c[0] + 0.05 for c in map(_contributions, runs["x"])], 1
            ),
        ),
        _make(
            "dock-punishment-raises",
            None,
            (
                "Once punishment has been seen (periods 2-10), contributions are higher with it "
                "than without.",
                "Zodra straf is gezien (periode 2-10), zijn de bijdragen met straf hoger dan "
                "zonder.",
            ),
            (
                "mean contribution in periods 2-10, with minus without punishment, paired by seed",
                "gemiddelde bijdrage in periode 2-10, met min zonder straf, per seed",
            ),
            "> 0",
            seeds,
            lambda o: {"a": _game("without_punishment", o), "b": _game("with_punishment", o)},
            _paired(
                lambda r: statistics.fmean(_contributions(r)[1:]),
                lambda r: statistics.fmean(_contributions(r)[1:]),
                1,
            ),
        ),
        _make(
            "dock-level-fg2010",
            None,
            (
                "Without punishment, the contributions per period lie within 0.15 of the "
                "endowment of Fischbacher & Gächter (2010), on average over ten periods.",
                "Zonder straf liggen de bijdragen per periode gemiddeld over tien perioden "
                "binnen 0,15 van het startbedrag bij Fischbacher & Gächter (2010).",
            ),
            (
                "mean absolute deviation of the mean contribution per period",
                "gemiddelde absolute afwijking van de gemiddelde bijdrage per periode",
            ),
            f"<= {DOCKING_TOLERANCE}",
            seeds,
            without,
            lambda runs: _deviation_stat(
                runs["x"], lab["fg2010"].paths["without_punishment"], DOCKING_TOLERANCE
            ),
        ),
        _make(
            "dock-level-htg2008",
            None,
            (
                "With punishment, the contributions per period lie within 0.15 of the endowment "
                "of Herrmann, Thöni & Gächter (2008), on average over ten periods.",
                "Met straf liggen de bijdragen per periode gemiddeld over tien perioden binnen "
                "0,15 van het startbedrag bij Herrmann, Thöni & Gächter (2008).",
            ),
            (
                "mean absolute deviation of the mean contribution per period",
                "gemiddelde absolute afwijking van de gemiddelde bijdrage per periode",
            ),
            f"<= {DOCKING_TOLERANCE}",
            seeds,
            with_,
            lambda runs: _deviation_stat(
                runs["x"], lab["htg2008"].paths["with_punishment"], DOCKING_TOLERANCE
            ),
        ),
    ]


SETTLING_YEARS = 50


def _drift_stat(runs: list[Record]) -> Statistic:
    slopes = []
    for r in runs:
        trust, record = settling.yearly(r["series"], SETTLING_YEARS)
        slope = settling.unexplained_slope(trust[-settling.WINDOW :], record[-settling.WINDOW :])
        if slope is not None:
            slopes.append(slope * settling.WINDOW)
    mean, se, lo, hi = _mean_interval(slopes)
    ok = bool(slopes) and settling.settled(settling.Drift(mean, lo, hi, len(slopes)))
    t = _signed_t(settling.TOLERANCE - abs(mean), se, 1)
    return Statistic(mean, lo, hi, len(slopes), t, ok)


def _settling_checks() -> list[Check]:
    """Trust settles: under every preset, no drift over a 50-year run's last twenty years
    beyond what the delivery record explains (sim/study/settling.py)."""
    return [
        _make(
            f"trust-settles-{_slug(name)}",
            None,
            (
                f"Over a 50-year run of preset {name}, mean trust drifts by no more than 0.05 in "
                "its last twenty years beyond what the delivery record explains.",
                f"In een run van 50 jaar van preset {name} verschuift het gemiddelde vertrouwen "
                "in de laatste twintig jaar niet meer dan 0,05 buiten wat de leveringen "
                "verklaren.",
            ),
            (
                "drift of yearly mean trust over years 31-50 net of paid / due over the "
                "preceding five years, mean over seeds",
                "verschuiving van het jaargemiddelde vertrouwen in jaar 31-50, gecorrigeerd voor "
                "betaald / verschuldigd in de vijf jaar ervoor, gemiddeld over seeds",
            ),
            "within ±0.05",
            20,
            lambda o, name=name: {"x": _preset(name, {**o, "years": SETTLING_YEARS})},
            lambda runs: _drift_stat(runs["x"]),
        )
        for name in list_scenarios()
    ]


def _notice_checks(small: list[str], centre: str) -> list[Check]:
    """Claims of README's "Things to notice" that no pattern covers."""
    ml_en, ml_nl = _label(MULTIPLE_LOCAL)
    p_en, p_nl = _label(PROVIDER)
    out = []

    def trust(runs):
        d = [float(r["series"]["trust_mean"][-1] - r["series"]["trust_mean"][0]) for r in runs["x"]]
        return differences_stat(d, -1)

    out.append(
        _make(
            "notice-trust-erodes",
            None,
            (
                f"Under {ml_en}, trust erodes over the years.",
                f"Onder {ml_nl} brokkelt het vertrouwen in de loop der jaren af.",
            ),
            (
                "mean trust in the last month minus the first, paired by seed",
                "gemiddeld vertrouwen in de laatste maand min de eerste, per seed",
            ),
            "< 0",
            300,
            lambda o: {"x": build(variant_dict(), o)},
            trust,
        )
    )

    def energy(runs):
        def gap(r: Record) -> float:
            e = {m["municipality"]: float(m["energy"]) for m in r["municipalities"]}
            return statistics.fmean(e[n] for n in small) - e[centre]

        return differences_stat([gap(r) for r in runs["x"]], -1)

    out.append(
        _make(
            "notice-small-energy",
            None,
            (
                f"Under {ml_en}, the three smallest municipalities ({', '.join(small)}) end with "
                f"less energy for regional work than {centre}.",
                f"Onder {ml_nl} houden de drie kleinste gemeenten ({', '.join(small)}) minder "
                f"energie voor regionaal werk over dan {centre}.",
            ),
            (
                f"energy at the end, mean of the three smallest minus {centre}'s, paired by seed",
                f"energie aan het eind, gemiddelde van de drie kleinste min die van {centre}, "
                "per seed",
            ),
            "< 0",
            200,
            lambda o: {"x": named_region(build(variant_dict(), o))},
            energy,
        )
    )
    what_if, mix = "dordrecht-service", "split-2022"  # presets (scenarios), not arrangements
    out.append(
        _make(
            "notice-dordrecht-service-transition",
            None,
            (
                f"Moving to {p_en} for every theme from the 2022 mix (preset {what_if}) costs "
                f"less in transition than the move from the GRD to the 2022 mix (preset {mix}).",
                f"Overgaan naar {p_nl} voor elk thema vanuit de mix van 2022 (preset {what_if}) "
                f"kost minder aan transitie dan de overgang van de GRD naar de mix van 2022 "
                f"(preset {mix}).",
            ),
            (
                f"transition cost, {what_if} minus {mix}, every seed",
                f"transitiekosten, {what_if} min {mix}, elke seed",
            ),
            "< 0 (every seed)",
            20,
            lambda o: {"a": _preset(mix, o), "b": _preset(what_if, o)},
            lambda runs: differences_stat(
                [
                    float(b["summary"]["transition_cost"]) - float(a["summary"]["transition_cost"])
                    for a, b in zip(runs["a"], runs["b"], strict=True)
                ],
                -1,
                every_seed=True,
            ),
        )
    )

    def dip(runs):
        d = []
        for r in runs["x"]:
            q = r["series"]["service_quality"]
            d.append(float(q[:24].mean() - q[-24:].mean()))
        return differences_stat(d, -1)

    out.append(
        _make(
            "notice-dordrecht-service-dip",
            None,
            (
                f"With {p_en} for every theme (preset {what_if}), service quality dips in the "
                "first years.",
                f"Met {p_nl} voor elk thema (preset {what_if}) daalt de "
                "dienstverleningskwaliteit in de eerste jaren.",
            ),
            (
                "mean service quality in the first 2 years minus the last 2, paired by seed",
                "gemiddelde dienstverleningskwaliteit in de eerste 2 jaar min de laatste 2, per "
                "seed",
            ),
            "< 0",
            200,
            lambda o: {"x": _preset(what_if, o)},
            dip,
        )
    )
    out.append(
        _make(
            "notice-dordrecht-service-grip",
            None,
            (
                f"With {p_en} for every theme (preset {what_if}), the other municipalities "
                f"feel less grip than in the 2022 mix (preset {mix}).",
                f"Met {p_nl} voor elk thema (preset {what_if}) ervaren de andere gemeenten "
                f"minder grip dan in de mix van 2022 (preset {mix}).",
            ),
            (
                f"mean grip of the municipalities other than the centre, {what_if} minus {mix}, "
                "paired by seed",
                f"gemiddelde grip van de gemeenten behalve de centrumgemeente, {what_if} min "
                f"{mix}, per seed",
            ),
            "< 0",
            200,
            lambda o: {"a": _preset(mix, o), "b": _preset(what_if, o)},
            _paired(lambda r: _others(r, "grip_mean"), lambda r: _others(r, "grip_mean"), -1),
        )
    )
    return out


TRIES = PRESETS.parent / "tries"
"""The README's "things to try", each a scenario file a student copies (sim/data/tries/)."""


def try_scenario(name: str, overrides: Overrides | None = None) -> Scenario:
    """A "thing to try" as its file says, with the overrides applied."""
    return build(read_toml(TRIES / f"{name}.toml", "scenario"), overrides)


def _try_checks(small: list[str], centre: str) -> list[Check]:
    """What each of README's "things to try" shows against the scenario it changes (its
    `replaces`), paired by seed, so the README can say what a student will see."""
    status_quo = "multiple-local-status-quo"
    out = []

    def contrast(name: str, base: str = status_quo):
        return lambda o: {"a": _preset(base, o), "b": try_scenario(name, o)}

    def smallest(r: Record, column: str) -> float:
        return statistics.fmean(
            float(m[column]) for m in r["municipalities"] if m["municipality"] in small
        )

    def every_seed(key: str, direction: int):
        def measure(runs: dict[str, list[Record]]) -> Statistic:
            d = [
                float(b["summary"][key]) - float(a["summary"][key])
                for a, b in zip(runs["a"], runs["b"], strict=True)
            ]
            return differences_stat(d, direction, every_seed=True)

        return measure

    rows = [
        (
            "try-meet-twice-a-year-hours",
            "meet-twice-a-year",
            status_quo,
            (
                "Tables that meet twice a year instead of monthly spend far fewer meeting hours.",
                "Tafels die twee keer per jaar vergaderen in plaats van elke maand besteden veel "
                "minder vergaderuren.",
            ),
            (
                "meeting hours, meet-twice-a-year minus the status quo, every seed",
                "vergaderuren, meet-twice-a-year min de uitgangssituatie, elke seed",
            ),
            "< 0 (every seed)",
            20,
            every_seed("meeting_hours", -1),
        ),
        (
            "try-meet-twice-a-year-progress",
            "meet-twice-a-year",
            status_quo,
            (
                "Tables that meet twice a year book more progress per meeting hour.",
                "Tafels die twee keer per jaar vergaderen boeken meer voortgang per vergaderuur.",
            ),
            (
                "progress per meeting hour, meet-twice-a-year minus the status quo, paired by seed",
                "voortgang per vergaderuur, meet-twice-a-year min de uitgangssituatie, per seed",
            ),
            "> 0",
            40,
            _paired(
                _summary("progress_per_meeting_hour"), _summary("progress_per_meeting_hour"), 1
            ),
        ),
        (
            "try-steering-room",
            "steering-room",
            status_quo,
            (
                "A steering room that notices who did not pay raises commitment.",
                "Een regiekamer die ziet wie niet betaalde verhoogt de commitment.",
            ),
            (
                "commitment, steering-room minus the status quo, paired by seed",
                "commitment, steering-room min de uitgangssituatie, per seed",
            ),
            "> 0",
            40,
            _paired(_summary("commitment"), _summary("commitment"), 1),
        ),
        (
            "try-equal-shares",
            "equal-shares",
            status_quo,
            (
                f"With equal shares the three smallest municipalities ({', '.join(small)}) pay "
                "less reliably.",
                f"Met gelijke delen betalen de drie kleinste gemeenten ({', '.join(small)}) "
                "minder betrouwbaar.",
            ),
            (
                "commitment of the three smallest, equal-shares minus the status quo, by seed",
                "commitment van de drie kleinste, equal-shares min de uitgangssituatie, per seed",
            ),
            "< 0",
            40,
            _paired(lambda r: smallest(r, "commitment"), lambda r: smallest(r, "commitment"), -1),
        ),
        (
            "try-budget-shock",
            "budget-shock",
            status_quo,
            (
                "A budget cut in the fourth year leaves the region with less progress.",
                "Een bezuiniging in het vierde jaar laat de regio met minder voortgang achter.",
            ),
            (
                "progress, budget-shock minus the status quo, paired by seed",
                "voortgang, budget-shock min de uitgangssituatie, per seed",
            ),
            "< 0",
            100,
            _paired(_summary("progress"), _summary("progress"), -1),
        ),
        (
            "try-classic-gr-majority-adopted",
            "classic-gr-majority",
            CONSENSUS,  # its pure preset: every theme under the classic GR
            (
                "A classic GR that decides by majority adopts more projects.",
                "Een klassieke GR die bij meerderheid besluit stelt meer projecten vast.",
            ),
            (
                f"projects adopted, classic-gr-majority minus {CONSENSUS}, paired by seed",
                f"vastgestelde projecten, classic-gr-majority min {CONSENSUS}, per seed",
            ),
            "> 0",
            20,
            _paired(_summary("adopted"), _summary("adopted"), 1),
        ),
        (
            "try-classic-gr-majority-grip",
            "classic-gr-majority",
            CONSENSUS,  # its pure preset: every theme under the classic GR
            (
                "In a classic GR that decides by majority the councils feel less grip.",
                "In een klassieke GR die bij meerderheid besluit ervaren de raden minder grip.",
            ),
            (
                f"felt grip, classic-gr-majority minus {CONSENSUS}, paired by seed",
                f"ervaren grip, classic-gr-majority min {CONSENSUS}, per seed",
            ),
            "< 0",
            20,
            _paired(_summary("grip_mean"), _summary("grip_mean"), -1),
        ),
        (
            "try-fragile-trust",
            "fragile-trust",
            status_quo,
            (
                "When a disappointment costs more trust, less gets done.",
                "Als een teleurstelling meer vertrouwen kost, komt er minder tot stand.",
            ),
            (
                "progress, fragile-trust minus the status quo, paired by seed",
                "voortgang, fragile-trust min de uitgangssituatie, per seed",
            ),
            "< 0",
            40,
            _paired(_summary("progress"), _summary("progress"), -1),
        ),
    ]
    for key, name, base, claim, stat, target, seeds, measure in rows:
        out.append(_make(key, None, claim, stat, target, seeds, contrast(name, base), measure))
    return out


CHECKS: tuple[Check, ...] = _build_checks()
_BY_KEY = {c.key: c for c in CHECKS}


def check(key: str) -> Check:
    """The check with this key; ConfigError naming the keys there are otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        import difflib

        guess = difflib.get_close_matches(key, list(_BY_KEY), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise ConfigError(
            f"--checks: unknown check {key!r}{hint}; allowed: {', '.join(_BY_KEY)}"
        ) from None


def workload(
    overrides: Overrides | None = None,
    keys: Sequence[str] | None = None,
    seeds: int | None = None,
) -> list[tuple[Scenario, int]]:
    """The runs `evaluate_all` would make, worked out before any: each set-up once (checks that
    share one run it once) with its number of seeds. Every scenario is built, so every override
    is checked (ConfigError naming it)."""
    chosen = [check(k) for k in keys] if keys is not None else list(CHECKS)
    out: dict[str, tuple[Scenario, int]] = {}
    for c in chosen:
        n = seeds if seeds is not None else c.seeds
        for arm in c.plan(dict(overrides or {}), range(n)).values():
            key = _arm_key(arm)
            out[key] = (arm.scenario, max(n, out.get(key, (None, 0))[1]))
    return list(out.values())


def evaluate_all(
    overrides: Overrides | None = None,
    *,
    keys: Sequence[str] | None = None,
    seeds: int | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> list[tuple[Check, Statistic]]:
    """Evaluate the checks (all, or those in `keys`), each on its own number of seeds or on
    `seeds` for every one. Every scenario is built (and so every override checked) before any
    run starts; the runs of all checks go to `workers` processes together, each once."""
    chosen = [check(k) for k in keys] if keys is not None else list(CHECKS)
    overrides = dict(overrides or {})
    seed_lists = {c.key: list(range(seeds if seeds is not None else c.seeds)) for c in chosen}
    plans = {c.key: c.plan(overrides, seed_lists[c.key]) for c in chosen}  # raises on bad input
    needs = [(arm, seed_lists[k]) for k, plan in plans.items() for arm in plan.values()]
    run_arms(needs, workers=workers, progress=progress)
    previous = _WORKERS["n"]
    _WORKERS["n"] = workers
    try:
        return [(c, c.evaluate(overrides, seed_lists[c.key])) for c in chosen]
    finally:
        _WORKERS["n"] = previous


def parse_set(items: Sequence[str]) -> dict[str, object]:
    """`PATH=VALUE` strings (VALUE a TOML literal, on one line) as overrides; ConfigError
    otherwise. A control character (a newline could start a second TOML line) is refused."""
    import re
    import unicodedata

    out: dict[str, object] = {}
    for item in items:
        bad = next((c for c in item if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
        if bad is not None:
            raise ConfigError(
                f"--set: {item!r} holds the control character {bad!r}; give PATH=VALUE on one "
                "line, e.g. behaviour.trust_loss=0.3"
            )
        path, eq, text = item.partition("=")
        path = path.strip()
        if not eq or not path:
            raise ConfigError(
                f"--set: {item!r} is not PATH=VALUE; give a dotted scenario path and a TOML "
                "value, e.g. behaviour.trust_loss=0.3 or salience_spread=1.5"
            )
        if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", path):
            raise ConfigError(
                f"--set: {path!r} is not a dotted scenario path; allowed: names of letters, "
                "digits, '_' and '-' joined by '.', e.g. behaviour.trust_loss"
            )
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            raise ConfigError(
                f"--set {path}: {text.strip()!r} is not a TOML value; allowed: a number (0.3), "
                'true/false, a quoted string ("text"), an array or an inline table'
            ) from None
        out[path] = value
    return out


# --- words a person reads: the command's table and the report --------------------------------


def words(lang: str) -> dict[str, str]:
    """The validation command's and report's words in `lang` (catalogue table `[validate]`)."""
    from sim.present import i18n  # Babel only where words are shown, not in a worker

    prefix = "validate."
    return {
        k.removeprefix(prefix): v for k, v in i18n.catalogue(lang).items() if k.startswith(prefix)
    }


def written_line(dest, lang: str = "en") -> str:
    """The closing line: where the result went (a sim.io.store.Destination), in `lang`."""
    w = words(lang)
    notes = [w["files"]]
    if dest.replaces:
        notes.insert(0, w["replaced"])
    elif dest.taken is not None:
        notes.insert(0, w["kept"].format(taken=dest.taken))
    return f"{w['written'].format(path=dest.path)} ({'; '.join(notes)})"


def claim(c: Check, lang: str = "en") -> str:
    return c.claim_nl if lang == "nl" else c.claim_en


def target_text(c: Check, lang: str = "en") -> str:
    """The target as a person reads it in `lang` (the key's text is English)."""
    return c.target.replace("(every seed)", f"({words(lang)['every_seed']})")


def statistic_text(c: Check, lang: str = "en") -> str:
    return c.statistic_nl if lang == "nl" else c.statistic_en


def number(x: float) -> str:
    """A number as the table shows it: about four significant digits; n/a and +-inf kept."""
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:.4g}"


def format_table(results: Sequence[tuple[Check, Statistic]], lang: str = "en") -> str:
    """One line per check (key, PASS/FAIL, estimate [interval], target, n, t, claim), then a
    summary line."""
    w = words(lang)
    width = max(len(c.key) for c, _ in results)
    lines = [w["header"].format(total=len(results))]
    for c, s in results:
        verdict = w["pass"] if s.passed else w["fail"]
        interval = f"[{number(s.ci_low)}, {number(s.ci_high)}]"
        lines.append(
            f"  {c.key:<{width}}  {verdict:<8}  {number(s.estimate):>10} {interval:<24} "
            f"{w['target']} {target_text(c, lang):<16} {w['n']} {s.n:<4} t {number(s.t):<6}  "
            f"{claim(c, lang)}"
        )
    lines.append(summary_line(results, lang))
    return "\n".join(lines)


def summary_line(results: Sequence[tuple[Check, Statistic]], lang: str = "en") -> str:
    w = words(lang)
    passed = sum(s.passed for _, s in results)
    line = w["summary"].format(passed=passed, total=len(results))
    failing = [c.key for c, s in results if not s.passed]
    return line + (f"; {w['failing'].format(keys=', '.join(failing))}" if failing else "")


def table_rows(results: Sequence[tuple[Check, Statistic]]) -> list[dict[str, object]]:
    """The checks table: one row per check."""
    return [
        {
            "key": c.key,
            "pattern": c.pattern,
            "claim_en": c.claim_en,
            "claim_nl": c.claim_nl,
            "statistic": c.statistic_en,
            "statistic_nl": c.statistic_nl,
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


def save(results: Sequence[tuple[Check, Statistic]], dest, settings: dict, lang: str = "en"):
    """Write checks.parquet/.csv, report.html and manifest.json into `dest`, atomically."""
    import pandas as pd

    from sim.io.store import write_atomically, write_json, write_tables
    from sim.study.run import provenance

    prov = provenance()

    def fill(tmp) -> None:
        table = pd.DataFrame(table_rows(results)).astype({"pattern": "Int64"})
        write_tables(tmp, {"checks": table})
        write_json(tmp / "manifest.json", {**settings, **prov})
        (tmp / "report.html").write_text(
            report_html(results, {**settings, **prov}, lang), encoding="utf-8"
        )

    return write_atomically(dest, fill)


def _forest_svg(results: Sequence[tuple[Check, Statistic]], lang: str) -> str:
    """Estimates with intervals against zero, one row per check, each on its own scale."""
    import html

    row, left, plot = 18, 330, 360
    height = row * len(results) + 30
    mid = left + plot / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot + 20}" '
        f'height="{height}" role="img" aria-label="{html.escape(words(lang)["forest"])}">',
        f'<line x1="{mid}" y1="5" x2="{mid}" y2="{height - 20}" stroke="#444" />',
        f'<text x="{mid}" y="{height - 5}" text-anchor="middle" font-size="11">0</text>',
    ]
    for i, (c, s) in enumerate(results):
        y = 15 + i * row
        vals = [v for v in (s.estimate, s.ci_low, s.ci_high) if math.isfinite(v)]
        scale = max((abs(v) for v in vals), default=0.0) or 1.0

        def x(v: float, scale: float = scale) -> float:
            return mid + (v / scale) * (plot / 2 - 6) if math.isfinite(v) else mid

        colour = "#1a7f37" if s.passed else "#b3261e"
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="11">'
            f"{html.escape(c.key)} {'✓' if s.passed else '✗'}</text>"
        )
        if math.isfinite(s.ci_low) and math.isfinite(s.ci_high):
            parts.append(
                f'<line x1="{x(s.ci_low):.1f}" y1="{y}" x2="{x(s.ci_high):.1f}" y2="{y}" '
                f'stroke="{colour}" stroke-width="2" />'
            )
        if math.isfinite(s.estimate):
            if s.passed:
                parts.append(f'<circle cx="{x(s.estimate):.1f}" cy="{y}" r="4" fill="{colour}" />')
            else:
                parts.append(
                    f'<rect x="{x(s.estimate) - 4:.1f}" y="{y - 4}" width="8" height="8" '
                    f'fill="white" stroke="{colour}" stroke-width="2" />'
                )
    parts.append("</svg>")
    return "".join(parts)


REPORT_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; white-space: nowrap; }
.pass { color: #1a7f37; font-weight: bold; }
.fail { color: #b3261e; font-weight: bold; }
small { color: #666; }
"""


def report_html(
    results: Sequence[tuple[Check, Statistic]], settings: Mapping[str, object], lang: str = "en"
) -> str:
    """The validation report: settings, one row per check, a forest plot; no network needed."""
    import html

    w = words(lang)
    esc = html.escape
    overrides = settings.get("overrides") or {}
    shown = (
        "<br>".join(f"<code>{esc(k)} = {esc(repr(v))}</code>" for k, v in overrides.items())
        if overrides
        else esc(w["none"])
    )
    seeds = settings.get("seeds")
    rows = []
    for c, s in results:
        verdict = w["pass"] if s.passed else w["fail"]
        mark = "✓" if s.passed else "✗"
        rows.append(
            f"<tr><td><code>{esc(c.key)}</code></td>"
            f"<td>{c.pattern if c.pattern is not None else esc(w['other_claim'])}</td>"
            f"<td>{esc(claim(c, lang))}<br><small>{esc(statistic_text(c, lang))}</small></td>"
            f'<td class="num">{esc(number(s.estimate))}</td>'
            f'<td class="num">[{esc(number(s.ci_low))}, {esc(number(s.ci_high))}]</td>'
            f"<td>{esc(target_text(c, lang))}</td>"
            f'<td class="num">{esc(number(s.t))}</td><td class="num">{s.n}</td>'
            f'<td class="{"pass" if s.passed else "fail"}">{mark} {esc(verdict)}</td></tr>'
        )
    head = "".join(
        f"<th>{esc(w[k])}</th>"
        for k in ("key", "pattern", "claim", "estimate", "interval", "target", "t", "n", "result")
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(w["title"])}</title>
<style>{REPORT_STYLE}</style></head><body>
<h1>{esc(w["title"])}</h1>
<p>{esc(w["intro"].format(t_min=T_MIN))}</p>
<h2>{esc(w["settings"])}</h2>
<table>
<tr><th>{esc(w["overrides"])}</th><td>{shown}</td></tr>
<tr><th>{esc(w["seeds"])}</th><td>{esc(str(seeds) if seeds else w["seeds_default"])}</td></tr>
<tr><th>{esc(w["version"])}</th><td>{esc(str(settings.get("samenspel", "")))}</td></tr>
<tr><th>{esc(w["commit"])}</th><td><code>{esc(str(settings.get("git_commit", "")))}</code></td></tr>
</table>
<p><b>{esc(summary_line(results, lang))}</b></p>
<h2>{esc(w["checks"])}</h2>
<table><tr>{head}</tr>{"".join(rows)}</table>
<h2>{esc(w["forest"])}</h2>
<p><small>{esc(w["forest_note"])}</small></p>
{_forest_svg(results, lang)}
</body></html>
"""
