"""Scenario discovery in words, English or Dutch: the answer first, then the evidence.

The answer says how often the question's answer is yes over the sweep's worlds, and where it is
most reliably yes: the box's conditions, its density ("of cases") and its coverage ("holds ... of
the worlds where it wins"). The evidence gives the box's statistics, each limit against the
sweep's range with its quasi-p value, what was dropped or left out, and how the worlds were
formed. Words: the catalogues' `[discover]` table.
"""

from __future__ import annotations

import math

from sim.present import i18n
from sim.present.whatif_words import join
from sim.study.boxes import Box, Discovery, Limit
from sim.study.discovery import Cases, Question
from sim.study.stats import wilson


def w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"discover.{key}", lang, **fields)


def pct(x: float, lang: str) -> str:
    return i18n.percent(x, lang, 0)


def decimals(d: Discovery, parameter: str) -> int:
    """Places that show a parameter's values: every value of a grid exactly (0.25 as 0.25, 4
    as 4), otherwise two significant places of its range (0.1 to 0.9: two decimals)."""
    grid = d.grid.get(parameter, ())
    for places in range(5):
        if grid and all(abs(round(v, places) - v) < 1e-9 for v in grid):
            return places
    low, high = d.ranges[parameter]
    span = abs(high - low)
    if span == 0 or not math.isfinite(span):
        return 2
    return max(0, min(6, 1 - math.floor(math.log10(span))))


def given(x: float, lang: str) -> str:
    """A number the user gave, with as many places as it has (0.7, 12, 0.125), up to six."""
    places = next((k for k in range(7) if abs(round(x, k) - x) < 1e-12), 6)
    return i18n.number(x, lang, places)


def short_names(parameters: list[str]) -> dict[str, str]:
    """Each parameter's last part (trust_loss), or its whole path where that part is shared."""
    last = [p.rsplit(".", 1)[-1] for p in parameters]
    return {p: s if last.count(s) == 1 else p for p, s in zip(parameters, last, strict=True)}


def value(x: float, d: Discovery, parameter: str, lang: str) -> str:
    return i18n.number(x, lang, decimals(d, parameter))


def either(items: list[str], lang: str) -> str:
    """ "a", "a or b", "a, b or c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {i18n.text('common.or', lang)} {items[-1]}"


def condition(limit: Limit, d: Discovery, name: str, lang: str) -> str:
    """One limit as a condition: "trust_loss ≤ 0.3", "0.2 ≤ x ≤ 0.5", "mobility is a or b"."""
    if limit.categorical:
        return w("is_level", lang, name=name, levels=either(list(limit.levels), lang))
    lo, hi = d.ranges[limit.parameter]
    low, high = (value(v, d, limit.parameter, lang) for v in (limit.low, limit.high))
    if limit.low > lo and limit.high < hi:
        return f"{low} ≤ {name} ≤ {high}"
    if limit.low > lo:
        return f"{name} ≥ {low}"
    return f"{name} ≤ {high}"


def conditions(box: Box, d: Discovery, lang: str) -> str:
    names = short_names(list(d.ranges))
    return join([condition(x, d, names[x.parameter], lang) for x in box.limits], lang)


def range_words(limit: Limit | None, d: Discovery, parameter: str, lang: str) -> str:
    """A limit's range ("0.2 to 0.5", "a, b"), or the sweep's where `limit` is None."""
    full = d.ranges[parameter]
    if full and isinstance(full[0], str):
        return ", ".join(limit.levels if limit is not None else full)
    lo, hi = (limit.low, limit.high) if limit is not None else full
    start, end = (value(v, d, parameter, lang) for v in (lo, hi))
    return i18n.text("common.from_to", lang, start=start, end=end)


def outcome_name(key: str, lang: str) -> str:
    try:
        return i18n.outcome_label(key, lang)
    except KeyError:
        return key


def answer(q: Question, c: Cases, d: Discovery, lang: str) -> str:
    """The answer: how often, and where most reliably."""
    fields = {
        "outcome": outcome_name(q.outcome, lang),
        "share": pct(c.base_rate, lang),
        "worlds": i18n.number(c.worlds, lang, 0),
    }
    if q.kind == "beats":
        first = sentence(w("answer_beats", lang, option=q.option, rival=q.rival, **fields))
    else:
        threshold = given(float(q.threshold or 0), lang)
        first = sentence(w(f"answer_{q.kind}", lang, threshold=threshold, **fields))
    box = d.box
    if not box.limits:
        return f"{first} {w('no_box', lang, method=d.method.upper(), share=pct(c.base_rate, lang))}"
    where = w(
        "box_beats" if q.kind == "beats" else "box_threshold",
        lang,
        density=pct(box.density, lang),
        coverage=pct(box.coverage, lang),
        conditions=conditions(box, d, lang),
    )
    return f"{first} {where}"


def sentence(text: str) -> str:
    """A sentence starts with a capital, whatever word it starts with (an option's name)."""
    return text[:1].upper() + text[1:]


def evidence(q: Question, c: Cases, d: Discovery, lang: str) -> list[str]:
    """The evidence behind the answer, a line each (the box's limits indented)."""
    box = d.box
    low, high = wilson(c.interest, c.worlds)
    lines = [
        w(
            "stats",
            lang,
            coverage=pct(box.coverage, lang),
            density=pct(box.density, lang),
            mass=pct(box.mass, lang),
            n=i18n.number(box.n, lang, 0),
            worlds=i18n.number(c.worlds, lang, 0),
            base=pct(c.base_rate, lang),
            low=pct(low, lang),
            high=pct(high, lang),
        )
    ]
    for lim in box.limits:
        qp = "" if math.isnan(lim.qp) else w("qp", lang, qp=i18n.readable(lim.qp, lang, 3))
        lines.append(
            "  "
            + w(
                "limit",
                lang,
                name=lim.parameter,
                box=range_words(lim, d, lim.parameter, lang),
                full=range_words(None, d, lim.parameter, lang),
            )
            + qp
        )
    lines += [w("rule_" + d.method, lang, **rule_fields(d, lang))]
    if d.dropped:
        relaxed = [w(f"side_{side}", lang, name=name) for name, side in d.dropped]
        lines.append(w("dropped", lang, names="; ".join(relaxed)))
    if d.left_out:
        lines.append(w("left_out", lang, names=", ".join(d.left_out)))
    lines.append(worlds_words(q, c, lang))
    return lines


def rule_fields(d: Discovery, lang: str) -> dict[str, str]:
    return {
        "boxes": i18n.number(len(d.boxes), lang, 0),
        "coverage": pct(d.min_coverage or 0.0, lang),
        "step": str(d.selected if d.selected is not None else d.box.id),
        "mass": pct(float(d.settings.get("mass_min", 0.0)), lang),
    }


def worlds_words(q: Question, c: Cases, lang: str) -> str:
    """How the worlds were formed: averaged, paired, what was left out."""
    reps = i18n.number(c.replicates, lang, 0)
    if q.kind != "beats":
        text = w("worlds_threshold", lang, replicates=reps)
    elif c.seeds_shared:
        text = w("worlds_paired", lang, option=q.option, rival=q.rival, replicates=reps)
        if c.clear is not None:
            clear = i18n.number(c.clear, lang, 0)
            text += " " + w("clear", lang, option=q.option, clear=clear, worlds=c.worlds)
    else:
        text = w("worlds_unpaired", lang, option=q.option, rival=q.rival, replicates=reps)
    if c.ties:
        text += " " + w("ties", lang, ties=i18n.number(c.ties, lang, 0))
    if c.missing:
        missing = i18n.number(c.missing, lang, 0)
        text += " " + w("missing", lang, missing=missing, outcome=outcome_name(q.outcome, lang))
    return text


def labels(q: Question, lang: str) -> tuple[str, str]:
    """What a case of interest and the others are called in a legend."""
    if q.kind == "beats":
        return w("yes_beats", lang, option=q.option), w("no_beats", lang, rival=q.rival)
    threshold = given(float(q.threshold or 0), lang)
    name = outcome_name(q.outcome, lang)
    return (
        w(f"yes_{q.kind}", lang, outcome=name, threshold=threshold),
        w(f"no_{q.kind}", lang, outcome=name, threshold=threshold),
    )
