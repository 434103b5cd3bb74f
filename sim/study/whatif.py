"""What if ...? One alternative against what it replaces, on the same seeds, as a one-page answer.

Both scenarios run with seeds `base_seed .. base_seed + R - 1` (common random numbers, via
`sim.study.compare.compare`), so each difference is *paired*: the mean over seeds of (alternative -
base) for the same seed, with a Student t 95% interval over those per-seed differences. An outcome
is "better" or "worse" when that interval excludes 0 in the direction the outcome catalogue
(sim/model/outcomes.py) calls better, "higher" or "lower" where no direction is better, and "no
clear difference" otherwise.

The explanation is generated from the data, never written per scenario: which rules differ
between the two (their resolved rule sets per theme, their behaviour, their set-up), which
intermediate outcomes moved (meeting hours, binding decisions, detections, trust, grip, ...) and
which events the logs count more or less often, chained mechanism -> intermediate -> result along
CHANNELS, the places in the model where a rule acts on an intermediate and that on a result.

The default base is what the alternative replaces: the same scenario (region, calendar,
behaviour, shocks) with its `previous_governance` kept in force, so nothing changes at the start
and no transition is paid; it is named by the scenario's `replaces` key (or NAME-before).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sim.model.config import (
    Arrangement,
    Behaviour,
    ConfigError,
    Scenario,
    load_scenario,
    load_themes,
)
from sim.model.outcomes import CRITERIA, EVENTS, MUNICIPAL, Outcome, outcome
from sim.present.i18n import (
    catalogue,
    description,
    label,
    month_label,
    number,
    quantity,
    readable,
    text,
)
from sim.study.compare import COMPARED, Comparison, compare
from sim.study.stats import t_quantile

if TYPE_CHECKING:
    from sim.io.store import Destination

Verdict = Literal["better", "worse", "higher", "lower", "none"]

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
)
"""Event kinds counted per run (sim.model.outcomes.EVENTS) that the explanation looks at."""

TRANSITION = "transition"
"""The pseudo-rule "an arrangement changes at the start" (governance against previous)."""


@dataclass(frozen=True)
class Channel:
    """Where, in the model, rules act on an intermediate outcome, and it on results.

    `rules` are Arrangement fields (or TRANSITION); `results` summary keys. Each is read off the
    code and docs/ODD.md: the sentence says "in the model it follows from ..." only for these.
    """

    via: str
    rules: tuple[str, ...]
    results: tuple[str, ...]


CHANNELS: tuple[Channel, ...] = (
    # Meeting load: each body's interval and hours, who sits there (metrics meeting_hours);
    # irrelevant load drains energy (rules.energy_after); simplicity is hours per month.
    Channel(
        "meeting_hours",
        (
            "meeting_interval_months",
            "meeting_hours",
            "seating",
            "table_scope",
            "coalition_meeting_hours",
        ),
        ("energy_mean", "progress_per_meeting_hour", "c6_simplicity"),
    ),
    # Felt grip: consent, who set the agenda, whether what it pays lands with it
    # (rules.felt_grip); legitimacy moves toward grip and results (rules.legitimacy_after).
    Channel(
        "grip_mean",
        ("agenda_setter", "chair_excludes_centre", "participation", "decision", "cost_allocation"),
        ("legitimacy_mean", "c4_grip"),
    ),
    # Binding every member is the participation rule (coalitions.close); the criteria of
    # flexibility and tailoring use its complement (scorecard).
    Channel("binding_share", ("participation",), ("c3_flexibility", "c1_tailoring")),
    # Who is in a coalition: the participation rule, its modes and the decision procedure.
    Channel(
        "coalition_size_mean",
        ("participation", "modes", "approval_threshold", "veto", "decision"),
        ("c2_integration",),
    ),
    # A withheld instalment is noticed with the monitoring probability, recovered with the
    # sanction probability after that.
    Channel("defections_detected", ("monitoring",), ("defections_recovered",)),
    # Services: who executes at what scale, and what tailoring costs (sim/model/services.py).
    Channel(
        "service_cost_per_inhabitant",
        ("executor", "tailoring", "tailoring_cap", "tailoring_price"),
        ("service_efficiency_gain",),
    ),
    # A change of arrangement at the start costs a transition (sim/model/transition.py).
    Channel("transition_cost", (TRANSITION,), ("c7_transition",)),
    Channel("renegotiations", ("renegotiation_rounds",), ("decision_lag_mean",)),
    Channel("exits", ("exit_allowed", "exit_fee_years", "exit_moratorium_years"), ()),
)

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
    (no change at the start, so no transition), named by its `replaces` key or NAME-before."""
    before = {
        t: alternative.previous_governance.get(t, a) for t, a in alternative.governance.items()
    }
    data = alternative.model_dump()
    data.update(
        name=alternative.replaces or f"{alternative.name}-before",
        description=f"What {alternative.name} replaces: its previous_governance, kept.",
        governance=before,
        previous_governance=before,
        replaces=None,
    )
    return Scenario.model_validate(data)


def scenarios(
    alternative: str, base: str | None = None, years: int | None = None
) -> tuple[Scenario, Scenario]:
    """The alternative and its base, loaded and checked; ConfigError naming the argument."""
    alt = load_scenario(alternative, years=years)
    if base is None:
        chosen = default_base(alt)
        if chosen.governance == alt.governance:
            raise ConfigError(
                f"--base: {alternative} changes no arrangement at its start (its "
                "previous_governance is its governance), so there is nothing it replaces to "
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
) -> pd.DataFrame:
    """Per key (and per group in `on` other than "seed"): the base and alternative means over the
    seeds where both are defined, the mean of the per-seed differences (alternative - base), its
    95% t interval, n, and the verdict."""
    merged = base.merge(alternative, on=on, suffixes=("_base", "_alt"))
    groups = [c for c in on if c != "seed"]
    rows = []
    for key in keys:
        if f"{key}_base" not in merged.columns:
            continue
        entry = (entries or {}).get(key) or _entry(key)
        parts = merged.groupby(groups, sort=False) if groups else [((), merged)]
        for group, part in parts:
            b, a = part[f"{key}_base"].astype(float), part[f"{key}_alt"].astype(float)
            ok = b.notna() & a.notna()
            d = (a - b)[ok]
            n = int(ok.sum())
            mean = float(d.mean()) if n else math.nan
            half = t_quantile(n) * float(d.std()) / math.sqrt(n) if n >= 2 else math.nan
            row = dict(zip(groups, group if isinstance(group, tuple) else (group,), strict=True))
            row.update(
                outcome=key,
                base=float(b[ok].mean()) if n else math.nan,
                alternative=float(a[ok].mean()) if n else math.nan,
                difference=mean,
                ci_low=mean - half,
                ci_high=mean + half,
                n=n,
            )
            row["verdict"] = verdict(row["ci_low"], row["ci_high"], entry.better)
            rows.append(row)
    return pd.DataFrame(rows)


def _entry(key: str) -> Outcome:
    """The catalogue entry of a summary key, or one for an event's count per run."""
    if key.startswith("event_"):
        kind = EVENTS[key.removeprefix("event_")]
        return Outcome(key, kind.en, kind.nl, decimals=1)
    return outcome(key)


# --- what differs in the rules ------------------------------------------------------------


@dataclass(frozen=True)
class RuleDifference:
    """One rule (or behavioural or set-up value) that differs between base and alternative."""

    kind: Literal["rule", "arrangement", "transition", "behaviour", "scenario"]
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
    for f in Behaviour.model_fields:
        if getattr(base.behaviour, f) != getattr(alternative.behaviour, f):
            b_val, a_val = getattr(base.behaviour, f), getattr(alternative.behaviour, f)
            out.append(RuleDifference("behaviour", f, b_val, a_val))
    for f in SCENARIO_FIELDS:
        if getattr(base, f) != getattr(alternative, f):
            out.append(RuleDifference("scenario", f, getattr(base, f), getattr(alternative, f)))
    return out


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
) -> WhatIf:
    """Run both on seeds base_seed.. (the same in both) and take the paired differences."""
    c = compare([base, alternative], replicates, workers, base_seed, progress=progress)
    return analyse(c, base_seed, replicates)


def analyse(c: Comparison, base_seed: int, replicates: int) -> WhatIf:
    """The paired differences of a comparison of [base, alternative]."""
    base, alt = c.scenarios
    runs = c.runs
    events = c.event_runs.rename(columns={k: f"event_{k}" for k in EVENTS})
    runs = runs.merge(events, on=["scenario", "seed"])
    b, a = runs[runs["scenario"] == base.name], runs[runs["scenario"] == alt.name]
    results = paired(b, a, [k for k in RESULTS if k in runs.columns], ["seed"])
    middle = [*INTERMEDIATE, *(f"event_{k}" for k in EVENT_KINDS)]
    intermediates = paired(b, a, middle, ["seed"])
    m = c.municipal_runs
    local = paired(
        m[m["scenario"] == base.name],
        m[m["scenario"] == alt.name],
        list(MUNICIPAL),
        ["seed", "municipality"],
        entries=MUNICIPAL,
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


# --- words ---------------------------------------------------------------------------------


def _t(key: str, lang: str, **fields: object) -> str:
    return text(f"whatif.{key}", lang, **fields)


def _first(keys: list[str], lang: str) -> str | None:
    """The text of the first key the catalogue has (a word another component already owns
    wins over a whatif duplicate)."""
    words = catalogue(lang)
    return next((words[k] for k in keys if k in words), None)


def _changes(diffs: list[RuleDifference], lang: str) -> str:
    """Differences as one list: "rule: base → alternative; ..."."""
    return "; ".join(
        _t(
            "rule_change",
            lang,
            rule=field_label(d, lang),
            base=value_words(d.base, lang),
            alt=value_words(d.alternative, lang),
        )
        for d in diffs
    )


def field_label(d: RuleDifference, lang: str) -> str:
    """A rule's, behavioural parameter's or set-up field's name as a person reads it."""
    tables = {
        "rule": ["app.rule", "whatif.rule"],
        "behaviour": ["app.behaviour", "whatif.behaviour"],
        "scenario": ["whatif.setup"],
        "transition": ["whatif.setup"],
        "arrangement": ["whatif.setup"],
    }[d.kind]
    found = _first([f"{t}.{d.field}" for t in tables], lang)
    if found is None:
        raise KeyError(f"no label for {d.kind} {d.field!r} in the {lang} catalogue")
    return found[:1].lower() + found[1:]  # the app's labels start a line; here, mid-sentence


def value_words(v: object, lang: str) -> str:
    """A rule's value in words: catalogue words for choices, numbers in the language's format."""
    if v is None:
        return _t("value.unset", lang)
    if isinstance(v, bool):
        return text("app.value.yes", lang) if v else _t("value.no", lang)
    if isinstance(v, int):
        return number(v, lang, 0)
    if isinstance(v, float):
        return number(v, lang, 0) if v.is_integer() else readable(v, lang, 2)
    if isinstance(v, str):
        return _first([f"app.value.{v}", f"whatif.value.{v}"], lang) or v
    if isinstance(v, tuple):  # themes (a transition)
        return join([theme_label(t, lang) for t in v], lang) or _t("value.nothing", lang)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {value_words(x, lang)}" for k, x in v.items()) or _t(
            "value.nothing", lang
        )
    if isinstance(v, list):
        if v and not isinstance(v[0], str):  # shocks
            return _t("value.count", lang, count=len(v))
        return ", ".join(value_words(x, lang) for x in v) or _t("value.nothing", lang)
    return str(v)


def theme_label(theme: str, lang: str) -> str:
    return label(load_themes()[theme], lang)


def join(items: list[str], lang: str) -> str:
    """ "a, b and c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return _t("and", lang, first=", ".join(items[:-1]), last=items[-1])


def outcome_words(key: str, lang: str, entry: Outcome | None = None) -> str:
    """An outcome's label (an event count's as "... (per run)")."""
    entry = entry or _entry(key)
    if key.startswith("event_"):
        return _t("event_count", lang, event=entry.label(lang))
    return entry.label(lang)


def _value(entry: Outcome, v: float, lang: str) -> str:
    return quantity(entry, v, lang, unit=True)


def signed(entry: Outcome, v: float, lang: str) -> str:
    """A difference with its sign: "+0.04", "-1,200"."""
    shown = quantity(entry, v, lang)
    return "+" + shown if v == v and v * entry.scale > 0 and not shown.startswith("-") else shown


def interval(entry: Outcome, low: float, high: float, lang: str) -> str:
    return _t("interval", lang, low=quantity(entry, low, lang), high=quantity(entry, high, lang))


def mark(v: str, lang: str, local: bool = False) -> str:
    """The verdict as a symbol and a word (never colour alone)."""
    return _t(f"mark_local.{v}" if local and v in ("better", "worse") else f"mark.{v}", lang)


def scenario_words(sc: Scenario, lang: str, alternative: Scenario | None = None) -> str:
    """A scenario's description in the language: a derived base's generated, else its file's."""
    if (
        alternative is not None
        and sc.governance
        == {t: alternative.previous_governance.get(t, a) for t, a in alternative.governance.items()}
        and sc.previous_governance == sc.governance
    ):
        return _t("base_derived", lang, alt=alternative.name)
    return description(sc, lang)


def _item(row: pd.Series, lang: str, entry: Outcome | None = None) -> str:
    entry = entry or _entry(row["outcome"])
    return _t(
        "item",
        lang,
        label=outcome_words(row["outcome"], lang, entry),
        direction=_t("higher" if row["difference"] > 0 else "lower", lang),
        a=_value(entry, row["alternative"], lang),
        b=_value(entry, row["base"], lang),
    )


def explanation(w: WhatIf, lang: str) -> list[str]:
    """The answer in sentences, from the rules, the numbers and the event log: what is better
    and worse, which rules differ, how they act through intermediate outcomes on the result,
    what else moved, and who gains and loses."""
    alt, base = w.alternative.name, w.base.name
    paragraphs = []
    res = w.outcomes
    verdicts = res["verdict"].value_counts()
    head = _t(
        "headline",
        lang,
        alt=alt,
        base=base,
        better=int(verdicts.get("better", 0)),
        worse=int(verdicts.get("worse", 0)),
        none=int(verdicts.get("none", 0))
        + int(verdicts.get("higher", 0) + verdicts.get("lower", 0)),
    )
    for v in ("better", "worse"):
        chosen = res[res["verdict"] == v]
        if len(chosen):
            items = [outcome_words(k, lang) for k in chosen["outcome"]]
            head += " " + _t(f"list_{v}", lang, items=join(items, lang))
    paragraphs.append(head)
    paragraphs += rule_sentences(w, lang)
    paragraphs += mechanism_sentences(w, lang)
    paragraphs += municipality_sentences(w, lang)
    return paragraphs


def rule_sentences(w: WhatIf, lang: str) -> list[str]:
    """Which rules differ, grouped by the themes that share the same change."""
    if not w.rules:
        return [_t("no_rule_differs", lang)]
    groups: dict[tuple, list[str]] = {}
    labels: dict[tuple, tuple[str, str]] = {}
    for d in w.rules:
        if d.kind != "arrangement":
            continue
        changes = tuple(
            (r.field, repr(r.base), repr(r.alternative))
            for r in w.rules
            if r.kind == "rule" and r.theme == d.theme
        )
        key = (
            d.base.label if d.base else "",
            d.alternative.label if d.alternative else "",
            changes,
        )
        groups.setdefault(key, []).append(d.theme)
        labels[key] = (
            label(d.base, lang) if d.base else _t("value.nothing", lang),
            label(d.alternative, lang) if d.alternative else _t("value.nothing", lang),
        )
    out = []
    for key, themes in groups.items():
        theme_rules = [r for r in w.rules if r.kind == "rule" and r.theme == themes[0]]
        changes = _changes(theme_rules, lang)
        out.append(
            _t(
                "rules_theme",
                lang,
                themes=join([theme_label(t, lang) for t in themes], lang),
                base_arr=labels[key][0],
                alt_arr=labels[key][1],
                changes=changes,
            )
        )
    for d in w.rules:
        if d.kind == "transition":
            out.append(
                _t(
                    "transition",
                    lang,
                    alt=w.alternative.name,
                    base=w.base.name,
                    alt_themes=value_words(d.alternative, lang),
                    base_themes=value_words(d.base, lang),
                )
            )
    for kind in ("behaviour", "scenario"):
        diffs = [d for d in w.rules if d.kind == kind]
        if diffs:
            out.append(_t(f"{kind}_differs", lang, changes=_changes(diffs, lang)))
    return out


def mechanism_sentences(w: WhatIf, lang: str) -> list[str]:
    """Mechanism -> intermediate -> result along CHANNELS, then what else moved."""
    mid = w.intermediates.set_index("outcome")
    res = w.outcomes.set_index("outcome")
    differing = {d.field for d in w.rules if d.kind in ("rule", "transition")}
    moved = lambda df, k: k in df.index and df.loc[k, "verdict"] != "none"  # noqa: E731
    rule_names = {
        d.field: field_label(d, lang) for d in w.rules if d.kind in ("rule", "transition")
    }
    out = []
    for ch in CHANNELS:
        why = [rule_names[r] for r in ch.rules if r in differing]
        if moved(mid, ch.via):
            row = mid.loc[ch.via].copy()
            row["outcome"] = ch.via
            sentence = _t("moved", lang, item=_item(row, lang), alt=w.alternative.name)
            if why:
                sentence += _t("because", lang, rules=join(why, lang))
            fed = []
            for k in ch.results:
                source = res if k in res.index else mid
                if moved(source, k):
                    r = source.loc[k].copy()
                    r["outcome"] = k
                    fed.append(
                        _item(r, lang) + _t("verdict_after", lang, mark=mark(r["verdict"], lang))
                    )
            if fed:
                sentence += _t("feeds", lang, results=join(fed, lang))
            out.append(sentence + _t("stop", lang))
        elif why and ch.via in mid.index:
            out.append(
                _t("unmoved", lang, rules=join(why, lang), label=outcome_words(ch.via, lang))
            )
    vias = {ch.via for ch in CHANNELS}
    others = w.intermediates[
        (w.intermediates["verdict"] != "none")
        & ~w.intermediates["outcome"].isin(vias)
        & ~w.intermediates["outcome"].str.startswith("event_")
    ]
    if len(others):
        items = [_item(r, lang) for _, r in others.iterrows()]
        out.append(_t("also_moved", lang, alt=w.alternative.name, items=join(items, lang)))
    events = w.intermediates[
        (w.intermediates["verdict"] != "none") & w.intermediates["outcome"].str.startswith("event_")
    ]
    if len(events):
        items = [_item(r, lang) for _, r in events.iterrows()]
        out.append(_t("events_moved", lang, alt=w.alternative.name, items=join(items, lang)))
    return out


def municipality_sentences(w: WhatIf, lang: str) -> list[str]:
    """Who gains and who loses, on what."""
    m = w.municipalities
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for place in dict.fromkeys(m["municipality"]):
        rows = m[m["municipality"] == place]
        gains = tuple(rows[rows["verdict"] == "better"]["outcome"])
        loses = tuple(rows[rows["verdict"] == "worse"]["outcome"])
        groups.setdefault((gains, loses), []).append(place)  # alike ones in one sentence
    parts = []
    for (gains, loses), places in groups.items():
        many = "_many" if len(places) > 1 else ""
        fields = {
            "place": join(places, lang),
            "gains": join([MUNICIPAL[k].label(lang) for k in gains], lang),
            "loses": join([MUNICIPAL[k].label(lang) for k in loses], lang),
        }
        kind = "gains_loses" if gains and loses else "gains" if gains else "loses" if loses else ""
        parts.append(
            _t(f"{kind}{many}", lang, **fields) if kind else _t("local_none", lang, **fields)
        )
    return [
        _t("local_intro", lang, alt=w.alternative.name, base=w.base.name) + " " + " ".join(parts)
    ]


# --- the page ------------------------------------------------------------------------------


def _calendar(sc: Scenario, lang: str) -> str:
    return text(
        "common.from_to",
        lang,
        start=month_label(sc.start_year, 0, lang),
        end=month_label(sc.start_year, sc.months - 1, lang),
    )


def intro(w: WhatIf, lang: str) -> list[str]:
    """The question, the two scenarios, the calendar and how the numbers were made."""
    alt, base = w.alternative, w.base
    lines = [
        _t("scenario_line", lang, role="B", name=alt.name, words=scenario_words(alt, lang)),
        _t(
            "scenario_line",
            lang,
            role="A",
            name=base.name,
            words=scenario_words(base, lang, alternative=alt),
        ),
        _t("calendar", lang, alt=alt.name, when=_calendar(alt, lang))
        + (
            " " + _t("calendar", lang, alt=base.name, when=_calendar(base, lang))
            if (base.start_year, base.years) != (alt.start_year, alt.years)
            else ""
        ),
        _t(
            "method",
            lang,
            n=w.replicates,
            first=w.base_seed,
            last=w.base_seed + w.replicates - 1,
        ),
    ]
    return lines


def _table_rows(df: pd.DataFrame, lang: str, local: bool = False) -> list[tuple[str, ...]]:
    rows = []
    for _, r in df.iterrows():
        entry = MUNICIPAL[r["outcome"]] if local else _entry(r["outcome"])
        unit = entry.unit(lang)
        name = outcome_words(r["outcome"], lang, entry) + (f" ({unit})" if unit else "")
        rows.append(
            (
                name,
                quantity(entry, r["base"], lang),
                quantity(entry, r["alternative"], lang),
                signed(entry, r["difference"], lang)
                + " "
                + interval(entry, r["ci_low"], r["ci_high"], lang),
                mark(r["verdict"], lang, local),
                r["verdict"],
            )
        )
    return rows


LABEL_WIDTH = 24


def _text_table(rows: list[tuple[str, ...]], lang: str) -> list[str]:
    head = f"  {'':<{LABEL_WIDTH}} {'A':>9} {'B':>9}  {_t('difference_head', lang):<24}"
    out = [head.rstrip()]
    for name, b, a, diff, m, _ in rows:
        wrapped = textwrap.wrap(name, LABEL_WIDTH, break_long_words=False) or [""]
        out.append(f"  {wrapped[0]:<{LABEL_WIDTH}} {b:>9} {a:>9}  {diff:<24}  {m}".rstrip())
        out += [f"  {line}" for line in wrapped[1:]]
    return out


def format_text(w: WhatIf, lang: str) -> str:
    """The one-page answer as plain text, readable in 100 columns."""
    fill = lambda s: textwrap.fill(s, 99)  # noqa: E731
    lines = [_t("title", lang, alt=w.alternative.name, base=w.base.name), ""]
    lines += [fill(s) for s in intro(w, lang)]
    lines += ["", _t("in_short", lang)]
    for p in explanation(w, lang):
        lines += [textwrap.fill(p, 99, initial_indent="  ", subsequent_indent="  "), ""]
    lines += [fill(_t("legend", lang)), "", _t("outcomes_head", lang)]
    lines += _text_table(_table_rows(w.outcomes, lang), lang)
    lines += ["", _t("intermediates_head", lang)]
    lines += _text_table(_table_rows(w.intermediates, lang), lang)
    lines += ["", _t("municipalities_head", lang)]
    for place in dict.fromkeys(w.municipalities["municipality"]):
        lines.append(f" {place}")
        part = w.municipalities[w.municipalities["municipality"] == place]
        lines += _text_table(_table_rows(part, lang, True), lang)[1:]
    return "\n".join(lines)


STYLE = """
:root { --better: #0072B2; --worse: #D55E00; --none: #555; }
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1000px; color: #222;
       line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.4em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.name { text-align: left; }
.better { color: var(--better); font-weight: 600; }
.worse { color: var(--worse); font-weight: 600; }
.none, .higher, .lower { color: var(--none); }
.short p { margin: 0.5em 0; }
.meta { color: #444; font-size: 0.95em; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h1 { font-size: 14pt; } h2 { font-size: 11pt; break-after: avoid; }
  table { font-size: 8pt; break-inside: auto; } tr { break-inside: avoid; }
  th { background: none; }
  .better, .worse { color: #000; }
  @page { size: A4; margin: 12mm; }
}
"""


def _html_table(rows: list[tuple[str, ...]], lang: str, w: WhatIf, first: str) -> str:
    e = html.escape
    head = (
        f"<tr><th>{e(first)}</th><th>A: {e(w.base.name)}</th><th>B: {e(w.alternative.name)}</th>"
        f"<th>{e(_t('difference_head', lang))}</th><th>{e(_t('verdict_head', lang))}</th></tr>"
    )
    body = "".join(
        f"<tr><td class='name'>{e(name)}</td><td>{e(b)}</td><td>{e(a)}</td><td>{e(diff)}</td>"
        f"<td class='{v}'>{e(m)}</td></tr>"
        for name, b, a, diff, m, v in rows
    )
    return f"<table>{head}{body}</table>"


def page(w: WhatIf, lang: str) -> str:
    """The one-page answer as a self-contained HTML page (no script, nothing fetched)."""
    e = html.escape
    title = _t("title", lang, alt=w.alternative.name, base=w.base.name)
    meta = "".join(f"<p class='meta'>{e(s)}</p>" for s in intro(w, lang))
    short = "".join(f"<p>{e(p)}</p>" for p in explanation(w, lang))
    local = []
    for place in dict.fromkeys(w.municipalities["municipality"]):
        part = w.municipalities[w.municipalities["municipality"] == place]
        local.append(f"<h3>{e(place)}</h3>")
        local.append(_html_table(_table_rows(part, lang, True), lang, w, _t("outcome_head", lang)))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(title)}</title><style>{STYLE}</style></head><body>
<h1>{e(title)}</h1>
{meta}
<h2>{e(_t("in_short", lang))}</h2>
<div class="short">{short}</div>
<p class="meta">{e(_t("legend", lang))}</p>
<h2>{e(_t("outcomes_head", lang))}</h2>
{_html_table(_table_rows(w.outcomes, lang), lang, w, _t("outcome_head", lang))}
<h2>{e(_t("intermediates_head", lang))}</h2>
{_html_table(_table_rows(w.intermediates, lang), lang, w, _t("outcome_head", lang))}
<h2>{e(_t("municipalities_head", lang))}</h2>
{"".join(local)}
</body></html>
"""


def save(w: WhatIf, dest: Path | Destination, settings: dict, lang: str) -> Path:
    """Write the page, the text, the tables and the resolved scenarios, atomically."""
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
        write_json(tmp / "manifest.json", {**settings, **provenance()})
        (tmp / "whatif.html").write_text(page(w, lang), encoding="utf-8")
        (tmp / "whatif.txt").write_text(format_text(w, lang) + "\n", encoding="utf-8")

    return write_atomically(dest, fill)
