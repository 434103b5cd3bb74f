"""The words of a design search (`samenspel design`), in English or Dutch: the answer (which
presets the front dominates, and how clearly), the best trade-off, each rule set's levers and
objectives, and the printed summary. sim/present/design_page.py builds the page from them; the
words are the catalogues' `[design]` table."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd

from sim.model.config import load_arrangement_presets, load_themes
from sim.model.outcomes import outcome
from sim.present import i18n
from sim.present.whatif_words import difference_words, field_label, value_words
from sim.study.search import front as fr
from sim.study.search.run import Design
from sim.study.whatif import RuleDifference

WIDTH = 100  # printed lines wrap here
KINDS = {"arrangements": "rule", "culture": "culture", "behaviour": "behaviour"}


def w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"design.{key}", lang, **fields)


def join(items: list[str], lang: str) -> str:
    """ "a, b and c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return w("and", lang, first=", ".join(items[:-1]), last=items[-1])


def short_list(items: list[str], lang: str, most: int = 4) -> str:
    """At most `most` items, and how many more: "a, b, c, d and 3 more"."""
    if not items:
        return w("none", lang)
    if len(items) <= most:
        return join(items, lang)
    return w("more", lang, shown=", ".join(items[:most]), count=len(items) - most)


# --- levers ------------------------------------------------------------------------------------


def _difference(path: str) -> RuleDifference | None:
    parts = path.split(".")
    kind = KINDS.get(parts[0])
    if kind is None:
        return None
    return RuleDifference(kind, parts[-1], None, None)  # type: ignore[arg-type]


def lever_label(path: str, lang: str) -> str:
    """A lever's name as a person reads it: the rule's, culture's or behaviour's label, the
    theme's arrangement, or else its dotted path."""
    parts = path.split(".")
    if parts == ["governance"]:  # one arrangement for every theme
        return w("lever_governance_all", lang)
    if parts[0] == "governance" and len(parts) == 2 and parts[1] in load_themes():
        return w("lever_governance", lang, theme=i18n.label(load_themes()[parts[1]], lang))
    d = _difference(path)
    if d is not None:
        try:  # the app's label without its explanation in brackets
            return field_label(d, lang).split(" (")[0]
        except KeyError:
            pass
    return path


def lever_value(path: str, value: Any, lang: str) -> str:
    """A lever's value in words: an arrangement's label, a culture's interval, a rule's
    value, a number in the language's format."""
    presets = load_arrangement_presets()
    if path.split(".")[0] == "governance" and isinstance(value, str) and value in presets:
        return i18n.label(presets[value], lang)
    d = _difference(path)
    if (
        d is not None
        and d.kind == "culture"
        and d.field.endswith("_interval_months")
        and value == 1
    ):
        return w("every_month", lang)
    if d is not None:
        return difference_words(d, value, lang)
    return value_words(value, lang)


def rules_words(member: dict[str, Any], lang: str) -> str:
    """A rule set's levers: "rule: value; rule: value"."""
    return "; ".join(
        w("rule_value", lang, rule=lever_label(p, lang), value=lever_value(p, v, lang))
        for p, v in member.items()
    )


# --- objectives --------------------------------------------------------------------------------


def objective_label(key: str, lang: str) -> str:
    return outcome(key).label(lang)


def objective_value(
    key: str, row: pd.Series | dict, lang: str, label: bool = True, short: bool = False
) -> str:
    """An objective's mean with its unit and 95% interval, from a table's row: "commitment
    (paid / pledged) 0.96 [0.93; 0.99]" (`short`: "fixed" for what the rules fix)."""
    entry = outcome(key)
    mean, lo, hi = (float(row[c]) for c in (key, f"{key}_ci_low", f"{key}_ci_high"))
    unit = entry.unit(lang).lower() not in entry.label(lang).lower()  # not "meeting hours hours"
    shown = i18n.quantity(entry, mean, lang, unit=unit)
    if not (math.isnan(lo) or math.isnan(hi)):
        spread = {"ci_low": lo, "ci_high": hi, "fixed": lo == hi}
        fixed = lo == hi and short
        shown += f" ({w('fixed', lang)})" if fixed else " " + i18n.spread(entry, spread, lang)
    return f"{entry.label(lang)} {shown}" if label else shown


def objectives_words(d: Design, row: pd.Series | dict, lang: str) -> str:
    return "; ".join(objective_value(k, row, lang) for k in d.spec.directions)


def over(d: Design, lang: str) -> str:
    """The seeds (and worlds) every rule set ran on, in words."""
    if d.worlds is not None:
        return w("over_worlds", lang, worlds=len(d.worlds), seeds=len(d.seeds))
    return w("over_seeds", lang, seeds=len(d.seeds))


# --- the answer --------------------------------------------------------------------------------


def answer(d: Design, lang: str) -> list[str]:
    """The answer, first: which presets the front dominates (and whether clearly), or plainly
    that it dominates none."""
    front, presets = d.tables["front"], d.tables["presets"]
    if front.empty:
        return [w("answer_empty", lang)]
    dominated = list(presets.loc[presets["dominated"], "preset"])
    if not dominated and len(presets) == 1:
        return [w("answer_none_one", lang, preset=presets["preset"].iloc[0], front=len(front))]
    if not dominated:
        return [w("answer_none", lang, presets=len(presets), front=len(front))]
    members = int((front["dominates"] != "").sum())
    key = "answer_some_one" if members == 1 else "answer_some"
    out = [
        w(
            key,
            lang,
            members=members,
            front=len(front),
            dominated=len(dominated),
            presets=len(presets),
            dominated_list=join(dominated, lang),
        )
    ]
    clear = list(presets.loc[presets["clearly_dominated_by"] != "", "preset"])
    if clear:
        out.append(w("clear_some", lang, over=over(d, lang), clear_list=join(clear, lang)))
    else:
        out.append(w("clear_none", lang, over=over(d, lang)))
    kept = list(presets.loc[~presets["dominated"], "preset"])
    if kept:
        out.append(w("kept", lang, kept_list=join(kept, lang)))
    return [" ".join(out)]


def trade_off(d: Design, lang: str) -> list[str]:
    """The best trade-off (the most balanced rule set) and the best rule set on each
    objective."""
    front = d.tables["front"]
    if front.empty:
        return []
    keys = list(d.spec.directions)
    values = front[keys].to_numpy(float)
    i = fr.balanced(values, d.directions)
    assert i is not None, "the front is not empty"
    row = front.iloc[i]
    first = w(
        "balanced",
        lang,
        objectives=join([objective_label(k, lang) for k in keys], lang),
        id=row["id"],
        levers=rules_words(d.front[i], lang),
        values=objectives_words(d, row, lang),
    )
    extremes = []
    for k, direction in d.spec.directions.items():
        best = int(front[k].idxmax() if direction == "max" else front[k].idxmin())
        value = objective_value(k, front.iloc[best], lang, label=False)
        extremes.append(
            w(
                "extreme",
                lang,
                objective=objective_label(k, lang),
                id=front.iloc[best]["id"],
                value=value,
            )
        )
    return [f"{first} {w('balanced_why', lang)}", " ".join(extremes)]


def describe(d: Design, i: int) -> tuple[str, str]:
    """Front member `i` described for its scenario file, in English and Dutch."""
    row = d.tables["front"].iloc[i]

    def said(lang: str) -> str:
        return w(
            "scenario_description",
            lang,
            id=row["id"],
            name=d.spec.name,
            levers=rules_words(d.front[i], lang),
            over=over(d, lang),
            values=objectives_words(d, row, lang),
        )

    return said("en"), said("nl")


# --- printed -----------------------------------------------------------------------------------


def _wrapped(text: str, indent: str = "") -> str:
    hanging = indent + "  " if indent else ""
    return textwrap.fill(
        text, WIDTH, initial_indent=indent, subsequent_indent=hanging, break_on_hyphens=False
    )


def _columns(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text columns, two spaces apart."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return [
        "  " + "  ".join(x.ljust(n) for x, n in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def printed(d: Design, lang: str) -> str:
    """The printed summary: the answer, the best trade-off, the front's objectives and rules,
    and the presets on the same seeds."""
    parts = [_wrapped(p) for p in (*answer(d, lang), *trade_off(d, lang))]
    front, presets = d.tables["front"], d.tables["presets"]
    keys = list(d.spec.directions)
    heads = [objective_label(k, lang) for k in keys]
    if not front.empty:
        table = [[w("col_id", lang), *heads]]
        table += [
            [row["id"], *(objective_value(k, row, lang, False, True) for k in keys)]
            for _, row in front.iterrows()
        ]
        rules = [
            _wrapped(f"{d.ids[i]}  {rules_words(m, lang)}", "  ") for i, m in enumerate(d.front)
        ]
        first = objective_label(keys[0], lang)
        parts.append("\n".join([w("printed_front", lang, first=first), *_columns(table), *rules]))
    table = [[w("col_preset", lang), *heads]]
    for _, row in presets.iterrows():
        table.append([row["preset"], *(objective_value(k, row, lang, False, True) for k in keys)])
    parts.append("\n".join([w("printed_presets", lang), *_columns(table)]))
    return "\n\n".join(parts)
