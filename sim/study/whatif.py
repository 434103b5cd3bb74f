"""What if ...? One alternative against what it replaces, on the same seeds, as a one-page answer.

Both scenarios run with seeds `base_seed .. base_seed + R - 1` (common random numbers, via
`sim.study.compare.compare`), so each difference is *paired*: the mean over seeds of (alternative -
base) for the same seed, with a Student t 95% interval over those per-seed differences. An outcome
is "better" or "worse" when that interval excludes 0 in the direction the outcome catalogue
(sim/model/outcomes.py) calls better, "higher" or "lower" where no direction is better, "the
same" where the rules make the two equal in every seed, and "no clear difference" otherwise.

The explanation is generated from the data, never written per scenario: which rules differ
between the two (their resolved rule sets per theme, their behaviour, their set-up), which
intermediate outcomes moved (meeting hours, binding decisions, detections, trust, grip, ...) and
which events the logs count more or less often, chained mechanism -> intermediate -> result along
the channels of sim/study/explanation.py, the places in the model where a rule acts on an
intermediate and that on a result.

The default base is what the alternative replaces: the same scenario (region, calendar,
behaviour, shocks) with its `previous_governance` kept in force, so nothing changes at the start
and no transition is paid; it is named by the scenario's `replaces` key (or NAME-before).

This module is the study: the scenarios, the paired comparison, the table of differences, the
rules that differ and `save`; sim/study/explanation.py holds the channels and mechanisms as data
and who gains and who loses. The words (the explanation in sentences, the printed answer and the
HTML page) are sim/present/whatif_page.py's, which the command line passes to `save` as the
pages to write.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from sim.model.config import (
    Arrangement,
    Behaviour,
    ConfigError,
    Culture,
    Scenario,
    load_scenario,
)
from sim.model.outcomes import CRITERIA, EVENTS, MUNICIPAL, Outcome, outcome
from sim.study.compare import COMPARED, Comparison, compare
from sim.study.stats import fixed_by_rules, t_quantile
from sim.study.worlds import ROBUST, Worlds, agreement, deciding_parameter

if TYPE_CHECKING:
    from sim.io.store import Destination

Verdict = Literal["better", "worse", "higher", "lower", "none", "same"]

RESULTS: tuple[str, ...] = (*COMPARED, *CRITERIA)
"""The outcomes the answer is about: those a comparison reports, and the seven criteria."""

INTERMEDIATE: tuple[str, ...] = (
    "meeting_hours",
    "binding_share",
    "coalition_size_mean",
    "adopted",
    "renegotiations",
    "decision_lag_mean",
    "defections",
    "defections_detected",
    "defections_recovered",
    "trust_mean",
    "trust_centre_others",
    "trust_among_others",
    "grip_mean",
    "ownership_mean",
    "energy_mean",
    "legitimacy_mean",
    "exits",
    "transition_cost",
    "service_cost_per_inhabitant",
)
"""Summary outcomes on the way from the rules to the result."""

EVENT_KINDS: tuple[str, ...] = (
    "election",
    "exit",
    "budget_shock",
    "proposal_renegotiated",
    "proposal_rejected",
    "coalition_not_formed",
    "defection_detected",
    "late_entry",
    "conversation",
    "forum",
)
"""Event kinds counted per run (sim.model.outcomes.EVENTS) that the explanation looks at."""

TRANSITION = "transition"
"""The pseudo-rule "an arrangement changes at the start" (governance against previous)."""


SKIPPED_RULES = ("label", "label_nl", "description")  # words about a rule set, not rules
SCENARIO_FIELDS = (
    "region",
    "start_year",
    "years",
    "initial_trust",
    "shock_probability",
    "salience_spread",
    "shocks",
    "themes",
)
"""Set-up fields of a scenario that the explanation names when they differ."""


# --- the base ------------------------------------------------------------------------------


def default_base(alternative: Scenario) -> Scenario:
    """What `alternative` replaces: the same scenario with its previous_governance kept in force
    (no change at the start, so no transition) and, where it names the preset it `replaces`,
    that preset's culture (a scenario may change the way partners work rather than the rules);
    named by its `replaces` key or NAME-before."""
    before = kept_in_force(alternative)
    data = alternative.model_dump()
    data.update(
        name=alternative.replaces or f"{alternative.name}-before",
        description=f"What {alternative.name} replaces: its previous_governance, kept.",
        governance=before,
        previous_governance=before,
        replaces=None,
    )
    if alternative.replaces is not None:
        data["culture"] = load_scenario(alternative.replaces).culture.model_dump()
    return Scenario.model_validate(data)


def kept_in_force(alternative: Scenario) -> dict[str, str]:
    """The governance `alternative` replaces: per theme its previous arrangement (its own where
    it names none)."""
    return {t: alternative.previous_governance.get(t, a) for t, a in alternative.governance.items()}


def is_default_base(sc: Scenario, alternative: Scenario) -> bool:
    """Whether `sc` governs as `alternative`'s default base does: what it replaces, kept."""
    return sc.governance == kept_in_force(alternative) and sc.previous_governance == sc.governance


def scenarios(
    alternative: str, base: str | None = None, years: int | None = None
) -> tuple[Scenario, Scenario]:
    """The alternative and its base, loaded and checked; ConfigError naming the argument."""
    alt = load_scenario(alternative, years=years)
    if base is None:
        chosen = default_base(alt)
        if chosen.governance == alt.governance and chosen.culture == alt.culture:
            culture = (
                f"keeps the culture of {alt.replaces}, the preset it replaces"
                if alt.replaces
                else "names no preset it replaces (replaces = ...) whose culture it would change"
            )
            raise ConfigError(
                f"--base: {alternative} changes no arrangement at its start (its "
                f"previous_governance is its governance) and {culture}, so there is nothing to "
                "compare with; give --base, a preset name or a .toml file, e.g. --base "
                "multiple-local-status-quo"
            )
    else:
        try:
            chosen = load_scenario(base, years=years)
        except ConfigError as exc:
            raise ConfigError(f"--base: {exc}") from None
    if chosen.name == alt.name:
        raise ConfigError(
            f"--base: {chosen.name!r} is the alternative itself; give another scenario (a "
            "preset name or a .toml file), or leave --base out for what the alternative replaces"
        )
    if chosen.region != alt.region:
        raise ConfigError(
            f"--base: {base} runs on the region {chosen.region!r} and {alternative} on "
            f"{alt.region!r}; a what-if pairs the same municipalities seed by seed, so give a "
            f"base on {alt.region!r} (its `region` key)"
        )
    return alt, chosen


# --- paired differences --------------------------------------------------------------------


def verdict(low: float, high: float, better: str | None) -> Verdict:
    """Better / worse when the interval excludes 0 (the good direction from the catalogue),
    higher / lower where no direction is better, "none" when the interval holds 0."""
    if not (low > 0 or high < 0):  # NaN lands here too: nothing clear
        return "none"
    up = low > 0
    if better is None:
        return "higher" if up else "lower"
    return "better" if up == (better == "higher") else "worse"


def paired(
    base: pd.DataFrame,
    alternative: pd.DataFrame,
    keys: list[str],
    on: list[str],
    entries: dict[str, Outcome] | None = None,
    worlds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per key (and per group in `on` other than "seed"): the base and alternative means over the
    seeds where both are defined, the mean of the per-seed differences (alternative - base), its
    95% t interval, n, and the verdict. Over plausible worlds (a column `world` in both, and
    `worlds`, the parameter values per world), the interval is over the worlds' mean
    differences, and each verdict says whether it is robust (`robust_verdict`)."""
    over_worlds = worlds is not None and "world" in base.columns
    merged = base.merge(
        alternative, on=[*on, *(["world"] if over_worlds else [])], suffixes=("_base", "_alt")
    )
    groups = [c for c in on if c != "seed"]
    rows = []
    for key in keys:
        if f"{key}_base" not in merged.columns:
            continue
        entry = (entries or {}).get(key) or outcome_entry(key)
        parts = merged.groupby(groups, sort=False) if groups else [((), merged)]
        for group, part in parts:
            b, a = part[f"{key}_base"].astype(float), part[f"{key}_alt"].astype(float)
            ok = b.notna() & a.notna()
            d = (a - b)[ok]
            n = int(ok.sum())
            row = dict(zip(groups, group if isinstance(group, tuple) else (group,), strict=True))
            row.update(
                outcome=key,
                base=float(b[ok].mean()) if n else math.nan,
                alternative=float(a[ok].mean()) if n else math.nan,
                fixed=fixed_by_rules(float(d.std()) if n >= 2 else math.nan, float(d.mean()), n),
            )
            units = d.groupby(part["world"][ok]).mean() if over_worlds else d
            row.update(_interval(units.to_numpy(float)))
            row["verdict"] = verdict(row["ci_low"], row["ci_high"], entry.better)
            if row["fixed"] and row["difference"] == 0:
                row["verdict"] = "same"  # the rules make them equal: a fact, not "no evidence"
            if over_worlds:
                per_world = d.groupby(part["world"][ok])
                row.update(robust_verdict(row["verdict"], per_world, bool(row["fixed"]), worlds))
            rows.append(row)
    return pd.DataFrame(rows)


def _interval(d: np.ndarray) -> dict[str, float]:
    """The mean of the differences `d` (per seed, or per world) and its 95% t interval."""
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    half = t_quantile(n) * float(d.std(ddof=1)) / math.sqrt(n) if n >= 2 else math.nan
    return {"difference": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def robust_verdict(
    said: Verdict, per_world: Any, fixed: bool, worlds: pd.DataFrame
) -> dict[str, object]:
    """Whether a verdict holds across the plausible worlds: a difference (better, worse, higher,
    lower) when at least ROBUST of the worlds' mean differences have its sign; "no clear
    difference" when at least ROBUST of the worlds find none on their own seeds; what the rules
    fix holds in every world. Where it does not hold, the parameter that decides it
    (sim/study/worlds.deciding_parameter) and the share of worlds on each side."""
    means = per_world.mean()
    if said == "none":
        clear = [verdict(**_bounds(g.to_numpy(float)), better=None) != "none" for _, g in per_world]
        agree = 1.0 - float(np.mean(clear)) if clear else math.nan
    else:  # the verdict's direction is the sign of the mean difference over the worlds
        agree = agreement(means.to_numpy(float), 1 if means.mean() > 0 else -1)
    robust = fixed or bool(agree >= ROBUST)
    out: dict[str, object] = {"agree": 1.0 if fixed else agree, "robust": robust}
    split = (
        None
        if robust
        else deciding_parameter(
            worlds.set_index("world").loc[means.index].drop(columns="particle"),
            means.to_numpy(float),
        )
    )
    out.update(
        decided_by=split.parameter if split else None,
        threshold=split.threshold if split else math.nan,
        below=split.below if split else 0,
        split_accuracy=split.accuracy if split else math.nan,
        higher_in=float(np.mean(means.to_numpy(float) > 0)),
    )
    return out


def _bounds(d: np.ndarray) -> dict[str, float]:
    i = _interval(d)
    return {"low": i["ci_low"], "high": i["ci_high"]}


def outcome_entry(key: str) -> Outcome:
    """The catalogue entry of a summary key, or one for an event's count per run."""
    if key.startswith("event_"):
        kind = EVENTS[key.removeprefix("event_")]
        return Outcome(key, kind.en, kind.nl, decimals=1)
    return outcome(key)


# --- what differs in the rules ------------------------------------------------------------


@dataclass(frozen=True)
class RuleDifference:
    """One rule (or behavioural or set-up value) that differs between base and alternative."""

    kind: Literal["rule", "arrangement", "transition", "behaviour", "culture", "scenario"]
    field: str
    base: object
    alternative: object
    theme: str | None = None


def rule_differences(base: Scenario, alternative: Scenario) -> list[RuleDifference]:
    """Every difference in what the two scenarios tell the model, per theme and rule, then
    behaviour and set-up; no names compared, only the resolved rules."""
    out: list[RuleDifference] = []
    b_rules, a_rules = base.resolved_arrangements(), alternative.resolved_arrangements()
    for theme in dict.fromkeys([*b_rules, *a_rules]):
        b, a = b_rules.get(theme), a_rules.get(theme)
        if b is None or a is None:
            out.append(RuleDifference("arrangement", "governance", b, a, theme))
            continue
        fields = [f for f in Arrangement.model_fields if f not in SKIPPED_RULES]
        changed = [f for f in fields if getattr(b, f) != getattr(a, f)]
        if changed:
            out.append(RuleDifference("arrangement", "governance", b, a, theme))
            out += [RuleDifference("rule", f, getattr(b, f), getattr(a, f), theme) for f in changed]
    b_moves, a_moves = _transitions(base), _transitions(alternative)
    if b_moves != a_moves:
        out.append(RuleDifference("transition", TRANSITION, b_moves, a_moves))
    out += _differences("culture", base.culture, alternative.culture)
    out += _differences("behaviour", base.behaviour, alternative.behaviour)
    for f in SCENARIO_FIELDS:
        if getattr(base, f) != getattr(alternative, f):
            out.append(RuleDifference("scenario", f, getattr(base, f), getattr(alternative, f)))
    return out


def _differences(
    kind: Literal["behaviour", "culture"],
    base: Behaviour | Culture,
    alternative: Behaviour | Culture,
) -> list[RuleDifference]:
    """The values of a `[behaviour]` or `[culture]` table that differ, in the table's order."""
    return [
        RuleDifference(kind, f, getattr(base, f), getattr(alternative, f))
        for f in type(base).model_fields
        if getattr(base, f) != getattr(alternative, f)
    ]


def _transitions(sc: Scenario) -> tuple[str, ...]:
    """The themes whose rule set changes at the start (a transition is paid for them)."""
    before = sc.previous_arrangements()
    return tuple(t for t, a in sc.resolved_arrangements().items() if a != before[t])


# --- the analysis --------------------------------------------------------------------------


@dataclass
class WhatIf:
    """An alternative against its base on the same seeds, with everything the page shows."""

    alternative: Scenario
    base: Scenario
    comparison: Comparison
    outcomes: pd.DataFrame  # paired differences of RESULTS
    intermediates: pd.DataFrame  # of INTERMEDIATE and event counts (event_KIND)
    municipalities: pd.DataFrame  # per municipality, of MUNICIPAL
    rules: list[RuleDifference]
    base_seed: int
    replicates: int


def whatif(
    alternative: Scenario,
    base: Scenario,
    replicates: int,
    workers: int | None = None,
    base_seed: int = 0,
    progress: Callable[[int], None] | None = None,
    worlds: Worlds | None = None,
) -> WhatIf:
    """Run both on seeds base_seed.. (the same in both; with `worlds`, in the same plausible
    world, sim/study/worlds.py) and take the paired differences.

    Returns a WhatIf: `outcomes` (per outcome: base, alternative, difference, its 95% interval
    and a verdict), `intermediates`, `municipalities`, the `rules` that differ and the
    underlying `comparison`. `workers` as for `compare`.

    Example:
        >>> from sim import load_scenario, whatif
        >>> before = load_scenario("split-2022", years=1)
        >>> after = load_scenario("network-2024", years=1)
        >>> w = whatif(after, before, replicates=2, workers=1)
        >>> w.outcomes.set_index("outcome").loc["meeting_hours", "verdict"]
        'better'
    """
    c = compare([base, alternative], replicates, workers, base_seed, progress, worlds)
    return analyse(c, base_seed, replicates)


def analyse(c: Comparison, base_seed: int, replicates: int) -> WhatIf:
    """The paired differences of a comparison of [base, alternative]."""
    base, alt = c.scenarios
    runs = c.runs
    events = c.event_runs.rename(columns={k: f"event_{k}" for k in EVENTS})
    worlds = c.worlds.table() if c.worlds is not None else None
    ids = ["scenario", "seed", *(["world"] if worlds is not None else [])]
    runs = runs.merge(events, on=ids)
    b, a = runs[runs["scenario"] == base.name], runs[runs["scenario"] == alt.name]
    results = paired(b, a, [k for k in RESULTS if k in runs.columns], ["seed"], worlds=worlds)
    middle = [*INTERMEDIATE, *(f"event_{k}" for k in EVENT_KINDS)]
    intermediates = paired(b, a, middle, ["seed"], worlds=worlds)
    m = c.municipal_runs
    local = paired(
        m[m["scenario"] == base.name],
        m[m["scenario"] == alt.name],
        list(MUNICIPAL),
        ["seed", "municipality"],
        entries=MUNICIPAL,
        worlds=worlds,
    )
    return WhatIf(
        alt,
        base,
        c,
        results,
        intermediates,
        local,
        rule_differences(base, alt),
        base_seed,
        replicates,
    )


# --- the result folder ---------------------------------------------------------------------


def save(
    w: WhatIf,
    dest: Path | Destination,
    settings: dict,
    pages: Sequence[Callable[[Path], None]] = (),
) -> Path:
    """Write the tables and the resolved scenarios, atomically, with whatever `pages` write into
    the same folder (the command line adds the page and the text, sim/present/whatif_page.py)."""
    from sim.io.store import write_atomically, write_json, write_tables, write_toml
    from sim.study.run import provenance

    def fill(tmp: Path) -> None:
        write_tables(
            tmp,
            {
                "differences": pd.concat([w.outcomes, w.intermediates], ignore_index=True),
                "municipal_differences": w.municipalities,
                "runs": w.comparison.runs,
                "municipal_runs": w.comparison.municipal_runs,
                "events": w.comparison.event_runs,
            },
        )
        write_toml(
            tmp / "scenarios.toml",
            {sc.name: sc.model_dump(mode="json") for sc in (w.base, w.alternative)},
        )
        drawn = w.comparison.worlds
        if drawn is not None:
            write_tables(tmp, {"worlds": drawn.table()})
        worlds = drawn.provenance() if drawn is not None else {}
        write_json(tmp / "manifest.json", {**settings, **worlds, **provenance()})
        for page in pages:
            page(tmp)

    return write_atomically(dest, fill)
