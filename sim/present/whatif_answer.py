"""The what-if's first screen: the question in words, the verdict, the differences that matter
most (sim/study/whatif_rank.py ranks them and finds the model's reason for each) with a small
chart of A and B and their intervals, and who gains and who loses per municipality.

Words from `[whatif_answer]` in sim/data/i18n/; the question is the alternative's own
description where that is a question, else one made from the two names. `text_lines` gives the
printed answer's first part, `html` the page's first screen and `grid` its per-municipality
table; sim/present/whatif_page.py puts the rest after them.
"""

from __future__ import annotations

import html as _html
import math
from dataclasses import dataclass

from sim.model.outcomes import MUNICIPAL, Outcome
from sim.present.i18n import description, month_date, number, quantity, readable, text
from sim.present.whatif_glossary import abbr
from sim.present.whatif_words import field_label, join, mark, outcome_words, signed, value_of
from sim.study.whatif import WhatIf, outcome_entry
from sim.study.whatif_rank import Reason, importance, levels, reason, top


def _t(key: str, lang: str, **fields: object) -> str:
    return text(f"whatif_answer.{key}", lang, **fields)


def question(w: WhatIf, lang: str) -> str:
    """The question in words: the alternative's description where it asks one."""
    said = description(w.alternative, lang).strip()
    if said.endswith("?"):
        return said
    return _t("question", lang, alt=w.alternative.name, base=w.base.name)


def compared(w: WhatIf, lang: str) -> str:
    """Which is A, which is B, the calendar and how many runs."""
    sc = w.alternative
    last = month_date(sc.start_year, sc.months - 1).year
    when = text("common.from_to", lang, start=sc.start_year, end=last)
    return _t("compared", lang, alt=sc.name, base=w.base.name, when=when, n=w.replicates)


def verdict(w: WhatIf, lang: str) -> str:
    """How many outcomes are better and worse, and the largest gains and losses by name."""
    res = w.outcomes
    counts = res["verdict"].value_counts()
    better, worse = int(counts.get("better", 0)), int(counts.get("worse", 0))
    ranked = list(importance(w)["outcome"]) + [k for k in res["outcome"]]
    order = {k: i for i, k in reversed(list(enumerate(ranked)))}
    res = res.assign(rank=res["outcome"].map(order)).sort_values("rank", kind="stable")

    def largest(side: str) -> str:
        keys = res.loc[res["verdict"] == side, "outcome"].head(1)
        return join([outcome_words(k, lang) for k in keys], lang)

    fields = dict(total=len(res), better=better, worse=worse)
    kind = "both" if better and worse else "better" if better else "worse" if worse else "none"
    return _t(f"verdict_{kind}", lang, gains=largest("better"), losses=largest("worse"), **fields)


@dataclass(frozen=True)
class Item:
    """One difference that matters, as the first screen shows it."""

    key: str
    verdict: str
    label: str
    before: str
    after: str
    unit: str
    certainty: str
    fixed: bool
    why: str
    chart: dict[str, dict[str, float]]
    title: str


def _why(found: Reason | None, lang: str) -> str:
    if found is None:
        return _t("why_none", lang)
    if found.via is None:
        rules = join([field_label(d, lang) for d in found.rules[:2]], lang)
        return _t("why_rules", lang, rules=rules)
    entry = outcome_entry(found.via["outcome"])
    return _t(
        "why_via",
        lang,
        via=outcome_words(found.via["outcome"], lang),
        before=quantity(entry, found.via["base"], lang),
        after=value_of(entry, found.via["alternative"], lang),
    )


def _certainty(entry: Outcome, r: dict, lang: str) -> str:
    """ "(fixed by the rules)" for what the rules fix, else "(+0.28 ± 0.04)": the difference and
    the half-width of its 95% interval."""
    if bool(r["fixed"]):
        return text("common.fixed_by_rules", lang)
    half = (r["ci_high"] - r["ci_low"]) / 2 * entry.scale
    shown = number(half, lang, entry.decimals)
    if half == half and half > 0 and shown.strip("0,.") == "":  # rounds to 0: say its size
        shown = readable(half, lang, entry.decimals)
    said = _t("plus_minus", lang, difference=signed(entry, r["difference"], lang), half=shown)
    return f"({said})"


def items(w: WhatIf, lang: str) -> list[Item]:
    """The differences that matter most, most important first."""
    out = []
    for _, r in top(w).iterrows():
        key = r["outcome"]
        entry = outcome_entry(key)
        label = outcome_words(key, lang)
        a, b = quantity(entry, r["base"], lang), quantity(entry, r["alternative"], lang)
        out.append(
            Item(
                key=key,
                verdict=r["verdict"],
                label=label,
                before=a,
                after=b,
                unit=entry.unit(lang),
                certainty=_certainty(entry, r.to_dict(), lang),
                fixed=bool(r["fixed"]),
                why=_why(reason(w, key), lang),
                chart=levels(w, key),
                title=_t(
                    "row_title",
                    lang,
                    label=label,
                    a=a,
                    b=b,
                    difference=signed(entry, r["difference"], lang),
                ),
            )
        )
    return out


def text_lines(w: WhatIf, lang: str) -> list[str]:
    """The printed answer's first part: question, runs, verdict and what differs most."""
    lines = [question(w, lang), compared(w, lang), "", verdict(w, lang), ""]
    found = items(w, lang)
    if not found:
        return [*lines, _t("top_none", lang)]
    lines.append(_t("text_top", lang))
    for n, it in enumerate(found, 1):
        lines.append(
            _t(
                "text_item" if it.why else "text_item_plain",
                lang,
                n=n,
                mark=mark(it.verdict, lang).split(" ")[0],
                label=it.label,
                before=it.before,
                after=it.after,
                unit=f" {it.unit}" if it.unit else "",
                certainty=it.certainty,
                why=it.why,
            )
        )
    return lines


# --- the page's first screen ---------------------------------------------------------------

WIDTH, HEIGHT, PAD = 150, 26, 6  # one row's chart, in px


def chart(levels_: dict[str, dict[str, float]], title: str) -> str:
    """A and B as points with their 95% intervals, on a scale from 0 (or the lowest value) to
    the highest, as inline SVG (no text in it: the numbers are beside it and in its title)."""
    values = [v for side in levels_.values() for v in side.values() if not math.isnan(v)]
    lo, hi = min([0.0, *values]), max([0.0, *values])
    span = hi - lo or 1.0

    def x(v: float) -> float:
        return PAD + (v - lo) / span * (WIDTH - 2 * PAD)

    parts = [f"<title>{_html.escape(title)}</title>"]
    parts.append(f"<line x1='{x(lo):.1f}' x2='{x(hi):.1f}' y1='24' y2='24' class='axis'/>")
    for role, y in (("A", 8), ("B", 18)):
        s = levels_[role]
        if math.isnan(s["mean"]):
            continue
        if s["high"] > s["low"]:
            parts.append(
                f"<line x1='{x(s['low']):.1f}' x2='{x(s['high']):.1f}' y1='{y}' y2='{y}' "
                f"class='ci {role}'/>"
            )
        parts.append(f"<circle cx='{x(s['mean']):.1f}' cy='{y}' r='4' class='pt {role}'/>")
    return (
        f"<svg class='mini' width='{WIDTH}' height='{HEIGHT}' viewBox='0 0 {WIDTH} {HEIGHT}' "
        f"role='img'>{''.join(parts)}</svg>"
    )


def _certainty_html(it: Item, lang: str) -> str:
    """ "(fixed)" with what that means as its tooltip, or the difference ± its interval."""
    if not it.fixed:
        return _html.escape(it.certainty)
    meaning = text("whatif_glossary.fixed.define", lang)
    word = _html.escape(_t("fixed_short", lang))
    return f'(<abbr title="{_html.escape(meaning)}">{word}</abbr>)'


def html(w: WhatIf, lang: str) -> str:
    """The first screen: the question as the heading, the runs, the verdict, the differences
    that matter most with their chart and reasons."""
    e = _html.escape
    head = f"<h1>{e(question(w, lang))}</h1><p class='meta'>{e(compared(w, lang))}</p>"
    said = f"<p class='verdict'>{e(verdict(w, lang))}</p>"
    found = items(w, lang)
    if not found:
        return f"<section class='answer'>{head}{said}<p>{e(_t('top_none', lang))}</p></section>"
    legend = f' title="{e(_t("chart_legend", lang))}"'
    cols = "".join(
        f"<th{legend if c == 'col_chart' else ''}>{e(_t(c, lang))}</th>"
        for c in ("col_outcome", "col_change", "col_chart", "col_why")
    )
    rows = "".join(
        f"<tr><td class='name'><span class='{it.verdict}'>"
        f"{e(mark(it.verdict, lang).split(' ')[0])}</span> {abbr(it.label, it.key, lang)}</td>"
        f"<td class='num'>{e(it.before)} → {e(it.after)}{e(' ' + it.unit if it.unit else '')}"
        f"<br><small>{_certainty_html(it, lang)}</small></td>"
        f"<td>{chart(it.chart, it.title)}</td><td class='why'>{e(it.why)}</td></tr>"
        for it in found
    )
    return (
        f"<section class='answer'>{head}{said}<h2>{e(_t('top_head', lang))}</h2>"
        f"<table class='top'><tr>{cols}</tr>{rows}</table></section>"
    )


def grid(w: WhatIf, lang: str) -> str:
    """Who gains and who loses: a municipality per row, an outcome per column, a mark per cell
    (its numbers in the cell's title)."""
    e = _html.escape
    m = w.municipalities
    keys = [k for k in MUNICIPAL if k in set(m["outcome"])]
    cols = "".join(f"<th>{abbr(MUNICIPAL[k].label(lang), k, lang)}</th>" for k in keys)
    rows = []
    for place in dict.fromkeys(m["municipality"]):
        part = m[m["municipality"] == place].set_index("outcome")
        cells = []
        for k in keys:
            r = part.loc[k]
            entry = MUNICIPAL[k]
            title = _t(
                "row_title",
                lang,
                label=entry.label(lang),
                a=value_of(entry, r["base"], lang),
                b=value_of(entry, r["alternative"], lang),
                difference=signed(entry, r["difference"], lang),
            )
            symbol = mark(r["verdict"], lang, True).split(" ")[0]
            cells.append(f'<td class="{r["verdict"]}" title="{e(title)}">{e(symbol)}</td>')
        rows.append(f"<tr><th class='place'>{e(str(place))}</th>{''.join(cells)}</tr>")
    head = f"<tr><th>{e(_t('place', lang))}</th>{cols}</tr>"
    return (
        f"<section class='gains'><h2>{e(_t('gains_head', lang))}</h2>"
        f"<table class='grid'>{head}{''.join(rows)}</table>"
        f"<p class='legend'>{e(_t('gains_legend', lang))}</p></section>"
    )
