"""How robustness (sim/study/robustness.py) is said: the least regret per outcome in words, the
report's table, the printed lines of `compare` and the printed answer of `robustness`, in
English or Dutch.

Words from the catalogues (`[robustness]` in sim/data/i18n/), numbers in the outcome's unit and
format (sim/model/outcomes.py); an outcome that does not apply to an option is said to, never
shown as a regret of zero.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from sim.model.outcomes import CRITERIA, HEADLINE, outcome
from sim.present import i18n
from sim.present.absent import absent, without_services
from sim.study.robustness import Threshold, least_regret

if TYPE_CHECKING:
    from sim.study.compare import Comparison
    from sim.study.robustness_sweep import SweepRobustness

"""The outcomes the words lead with: the three the project asks about."""

SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"robustness.{key}", lang, **fields)


def ordered(keys: Sequence[str]) -> list[str]:
    """The outcomes in the order they are said: the headline ones, the criteria, the rest."""
    present = list(dict.fromkeys(keys))
    rest = [k for k in present if k not in HEADLINE and k not in CRITERIA]
    return [k for k in (*HEADLINE, *CRITERIA) if k in present] + rest


def _names(options: str, lang: str) -> str:
    """ "a, b and c" in the language, from "a, b, c"."""
    items = options.split(", ")
    word = _w("and", lang)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _regret(key: str, value: float, lang: str) -> str:
    return i18n.quantity(outcome(key), value, lang, unit=True)


def _apart(key: str, a: float, b: float, lang: str) -> tuple[str, str]:
    """Two regrets as said side by side: with up to three more decimals than the outcome's
    where they would read the same but are not."""
    entry = outcome(key)
    for more in range(4):
        places = _places(a * entry.scale, entry.decimals) + more
        shown = [i18n.number(v * entry.scale, lang, places) for v in (a, b)]
        if shown[0] != shown[1] or a == b:
            break
    unit = entry.unit(lang)
    return (shown[0] + f" {unit}", shown[1] + f" {unit}") if unit else (shown[0], shown[1])


def _side(key: str, lang: str) -> str:
    return _w(f"side_{outcome(key).better}", lang)


def answer(row: pd.Series, over: str, lang: str) -> str:
    """The sentence for one outcome of `least_regret`: who has the least regret, how much at
    most, against the next; `over` the phrase that says over which worlds."""
    key = str(row["outcome"])
    several = "," in str(row["least"])
    fields = {
        "over": over,
        "outcome": i18n.outcome_label(key, lang),
        "option": row["least"],
        "options": _names(str(row["least"]), lang),
        "side": _side(key, lang),
        "next": row["next"],
    }
    if row["next"]:
        fields["regret"], fields["other"] = _apart(key, row["max_regret"], row["next_max"], lang)
    else:
        fields["regret"], fields["other"] = _regret(key, float(row["max_regret"]), lang), ""
    zero = float(row["max_regret"]) == 0
    if not row["next"]:
        return _w("all_equal" if zero else "least_all", lang, **fields)
    name = ("best_always" if zero else "least") + ("_tied" if several else "")
    return _w(name, lang, **fields)


def item(row: pd.Series, lang: str) -> str:
    """One outcome's least regret in a few words, for a list."""
    key = str(row["outcome"])
    fields = {
        "outcome": i18n.outcome_label(key, lang),
        "option": _names(str(row["least"]), lang),
        "regret": _regret(key, float(row["max_regret"]), lang),
        "side": _side(key, lang),
    }
    if not row["next"] and float(row["max_regret"]) == 0:
        return _w("item_equal", lang, **fields)
    return _w("item_best" if float(row["max_regret"]) == 0 else "item", lang, **fields)


def words(least: pd.DataFrame, over: str, lang: str, keys: Sequence[str] = HEADLINE) -> str:
    """One or two sentences: the first of `keys` in full, the others of them in a list."""
    rows = least.set_index("outcome", drop=False)
    chosen = [k for k in ordered(keys) if k in rows.index]
    if not chosen:
        return ""
    said = answer(rows.loc[chosen[0]], over, lang)
    if len(chosen) > 1:
        items = "; ".join(item(rows.loc[k], lang) for k in chosen[1:])
        said += " " + _w("others", lang, items=items)
    return said


# --- satisficing ---------------------------------------------------------------------------------


def threshold_words(t: Threshold, lang: str) -> str:
    """ "commitment (paid / pledged) ≥ 0.5", the number as given, in the language's format."""
    places = max(0, min(9, -int(Decimal(repr(t.value)).normalize().as_tuple().exponent)))
    value = i18n.number(t.value, lang, places)
    return f"{i18n.outcome_label(t.outcome, lang)} {SYMBOLS[t.op]} {value}"


def criteria(thresholds: Sequence[Threshold]) -> list[tuple[str, list[Threshold]]]:
    """The criteria `satisficing` reports, by their text there: each threshold, then all."""
    out = [(str(t), [t]) for t in thresholds]
    if len(thresholds) > 1:
        out.append((" and ".join(str(t) for t in thresholds), list(thresholds)))
    return out


def criterion_words(chosen: Sequence[Threshold], lang: str) -> str:
    return f" {_w('and', lang)} ".join(threshold_words(t, lang) for t in chosen)


def met_words(r: pd.Series, option: str, lang: str) -> str:
    """ "grd in 18 of 20 worlds (90% [70%; 97%])", or that it does not apply."""
    if not bool(r["applicable"]):
        return _w("satisficing_na", lang, option=option)
    share = i18n.percent(float(r["share"]), lang)
    if bool(r["fixed"]):
        interval = i18n.text("common.fixed_by_rules", lang)
    else:
        low, high = (i18n.percent(float(r[k]), lang) for k in ("ci_low", "ci_high"))
        interval = f"[{low}; {high}]"
    met, worlds = int(r["met"]), int(r["worlds"])
    fields = {"option": option, "met": met, "worlds": worlds, "share": share}
    return _w("satisficing_item", lang, interval=interval, **fields)


def satisficing_words(table: pd.DataFrame, option: str, chosen, lang: str, text: str) -> str:
    """A criterion's line: the options from the most worlds met to the fewest."""
    part = table[table["criterion"] == text]
    part = part.assign(_s=part["share"].fillna(-1)).sort_values(
        "_s", ascending=False, kind="stable"
    )
    items = "; ".join(met_words(r, str(r[option]), lang) for _, r in part.iterrows())
    return _w("satisficing_line", lang, criterion=criterion_words(chosen, lang), items=items)


# --- compare: the printed line and the report's section ---------------------------------------


def compare_lines(c: Comparison, lang: str) -> list[str]:
    """The printed summary's lines on robustness: the least regret on the headline outcomes,
    and, with thresholds, the share of worlds in which each scenario meets all of them."""
    if c.worlds is None or c.robustness.empty:
        return []
    least = least_regret(c.robustness, "scenario").set_index("outcome", drop=False)
    items = "; ".join(item(least.loc[k], lang) for k in HEADLINE if k in least.index)
    lines = [_w("compare_line", lang, worlds=len(c.worlds), items=items)] if items else []
    if c.thresholds:
        text, chosen = criteria(c.thresholds)[-1]
        said = satisficing_words(c.satisficing, "scenario", chosen, lang, text)
        lines.append("  " + _w("satisficing_printed", lang, line=said))
    return lines


def _places(x: float, decimals: int) -> int:
    """The decimals `i18n.readable` shows `x` with: `decimals`, more where they would round a
    value that is not zero to 0."""
    if x == x and x != 0 and abs(x) < 0.5 * 10.0**-decimals:
        return min(12, 1 - math.floor(math.log10(abs(x))))
    return decimals


def _mean_words(r: pd.Series, key: str, lang: str) -> str:
    """ "mean 0.012 [0.004; 0.021]": the mean regret and its interval, with the same decimals."""
    entry = outcome(key)
    mean = float(r["mean_regret"]) * entry.scale
    places = _places(mean, entry.decimals)
    if math.isnan(float(r["mean_low"])):
        return _w("mean", lang, mean=i18n.number(mean, lang, places))
    low, high = (
        i18n.number(float(r[k]) * entry.scale, lang, places) for k in ("mean_low", "mean_high")
    )
    return _w("mean_interval", lang, mean=i18n.number(mean, lang, places), low=low, high=high)


def _cell(r: pd.Series, key: str, bold: bool, lang: str) -> str:
    if not bool(r["applicable"]):
        na = html.escape(i18n.text("report.not_applicable", lang))
        return f'<td class="na-robustness">{na}</td>'
    value = i18n.quantity(outcome(key), float(r["max_regret"]), lang)
    value = f"<b>{value}</b>" if bold else value
    below = _w("same_every_world", lang) if bool(r["fixed"]) else _mean_words(r, key, lang)
    return f"<td>{value}<br><small>{html.escape(below)}</small></td>"


def _label(key: str, lang: str) -> str:
    """An outcome's label with its unit (the direction is in the regret's meaning)."""
    unit = i18n.outcome_unit(key, lang)
    return i18n.outcome_label(key, lang) + (f" ({unit})" if unit else "")


def regret_table_html(
    table: pd.DataFrame,
    option: str,
    names: list[str],
    lang: str,
    keys: Sequence[str],
    lacking: set[str] = frozenset(),  # type: ignore[assignment]
) -> str:
    """Outcomes `keys` as rows, options as columns: the largest regret (the least in bold), the
    mean with its interval below; a last column naming the least. Options `lacking` shared
    services say so where a service outcome would be (sim/present/absent.py)."""
    e = html.escape
    least = least_regret(table, option).set_index("outcome")
    by = table.set_index(["outcome", option])
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    rows = []
    for key in keys:
        leaders = str(least.loc[key, "least"]).split(", ")
        cells = "".join(
            f'<td class="na-robustness">{e(i18n.text("report.no_services", lang))}</td>'
            if absent(key, n, lacking)
            else _cell(by.loc[(key, n)], key, n in leaders, lang)
            for n in names
        )
        rows.append(
            f"<tr><th>{e(_label(key, lang))}</th>{cells}"
            f"<td class='least'>{e(_names(', '.join(leaders), lang))}</td></tr>"
        )
    return (
        f"<table class='regret'><tr><th>{e(i18n.text('report.outcome', lang))}</th>{head}"
        f"<th>{e(_w('least_head', lang))}</th></tr>{''.join(rows)}</table>"
    )


def satisficing_table_html(c: Comparison, names: list[str], lang: str) -> str:
    """Criteria as rows, scenarios as columns: in how many worlds each meets it, and the share
    with its interval."""
    e = html.escape
    by = c.satisficing.set_index(["criterion", "scenario"])
    rows = []
    for text, chosen in criteria(c.thresholds):
        cells = []
        for n in names:
            r = by.loc[(text, n)]
            if not bool(r["applicable"]):
                na = e(i18n.text("report.not_applicable", lang))
                cells.append(f'<td class="na-robustness">{na}</td>')
                continue
            met = _w("met_cell", lang, met=int(r["met"]), worlds=int(r["worlds"]))
            share = i18n.percent(float(r["share"]), lang)
            if not bool(r["fixed"]):
                low, high = (i18n.percent(float(r[k]), lang) for k in ("ci_low", "ci_high"))
                share += f" [{low}; {high}]"
            cells.append(f"<td>{e(met)}<br><small>{e(share)}</small></td>")
        rows.append(f"<tr><th>{e(criterion_words(chosen, lang))}</th>{''.join(cells)}</tr>")
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    return (
        f"<table class='satisficing'><tr><th>{e(_w('criterion_head', lang))}</th>{head}</tr>"
        f"{''.join(rows)}</table>"
    )


def compare_section(c: Comparison, lang: str) -> str:
    """The report's section on robustness over plausible worlds: the answer in words, the
    regret table, and, with thresholds, the satisficing table; empty without worlds."""
    if c.worlds is None or c.robustness.empty:
        return ""
    e = html.escape
    names = [sc.name for sc in c.scenarios]
    worlds = len(c.worlds)
    over = _w("over_worlds", lang, worlds=worlds)
    least = least_regret(c.robustness, "scenario")
    said = words(least, over, lang)
    lacking = without_services(c)
    keys = ordered(list(least["outcome"]))
    main = [k for k in keys if k in (*HEADLINE, *CRITERIA)]
    rest = [k for k in keys if k not in main]
    out = (
        f"<h2>{e(_w('heading', lang))}</h2><p class='robustness-answer'>{e(said)}</p>"
        f"{regret_table_html(c.robustness, 'scenario', names, lang, main, lacking)}"
        f"<p class='method'>{e(_w('note', lang, worlds=worlds))}</p>"
    )
    if rest:
        out += (
            f"<details><summary>{e(_w('rest_summary', lang))}</summary>"
            f"{regret_table_html(c.robustness, 'scenario', names, lang, rest, lacking)}</details>"
        )
    if c.thresholds:
        text, chosen = criteria(c.thresholds)[-1]
        line = satisficing_words(c.satisficing, "scenario", chosen, lang, text)
        out += (
            f"<h3>{e(_w('satisficing_heading', lang))}</h3><p>{e(line)}</p>"
            f"{satisficing_table_html(c, names, lang)}"
            f"<p class='method'>{e(_w('satisficing_note', lang, worlds=worlds))}</p>"
        )
    return out


# --- robustness from a sweep: the printed answer --------------------------------------------


def _over_sweep(r: SweepRobustness, lang: str) -> str:
    if not r.parameters:
        return _w("over_one", lang)
    parameters = _names(", ".join(r.parameters), lang)
    return _w("over_sweep", lang, worlds=len(r.worlds), parameters=parameters)


def _ranking(table: pd.DataFrame, key: str, lang: str) -> str:
    """One outcome's options from the least largest regret to the most, then those it does
    not apply to."""
    part = table[table["outcome"] == key]
    ok = part[part["applicable"].astype(bool)].sort_values("max_regret", kind="stable")
    if len(ok) > 1 and (ok["max_regret"] == 0).all():
        return _w("equal_everywhere", lang)
    pairs = zip(ok["option"], ok["max_regret"], strict=True)
    shown = [f"{o} {i18n.quantity(outcome(key), float(v), lang)}" for o, v in pairs]
    gone = [str(o) for o in part.loc[~part["applicable"].astype(bool), "option"]]
    if gone:
        shown.append(_w("not_applicable_to", lang, options=_names(", ".join(gone), lang)))
    return ", ".join(shown)


def sweep_text(r: SweepRobustness, lang: str, keys: Sequence[str] | None = None) -> str:
    """The printed answer of `samenspel robustness`: the least regret in words (on `keys`,
    default the headline outcomes), each outcome's options by their largest regret, the
    thresholds, and how it was computed."""
    low, high = r.per_cell
    per = str(low) if low == high else i18n.text("common.from_to", lang, start=low, end=high)
    lines = [
        _w(
            "sweep_heading",
            lang,
            factor=r.factor,
            options=len(r.options),
            worlds=len(r.worlds),
            runs=i18n.number(r.runs, lang, 0),
            per=per,
        ),
        words(r.least, _over_sweep(r, lang), lang, keys or HEADLINE)
        or words(r.least, _over_sweep(r, lang), lang, list(r.least["outcome"])[:1]),
        "",
        _w("sweep_table_heading", lang),
    ]
    for key in ordered(list(r.least["outcome"])):
        lines.append(
            f"  {i18n.outcome_heading(outcome(key), lang)}: {_ranking(r.regret, key, lang)}"
        )
    for text, chosen in criteria(r.thresholds):
        if text == criteria(r.thresholds)[0][0]:
            lines += ["", _w("sweep_satisficing_heading", lang, worlds=len(r.worlds))]
        lines.append("  " + satisficing_words(r.satisficing, "option", chosen, lang, text))
    lines += ["", _w("sweep_method", lang)]
    return "\n".join(lines)
