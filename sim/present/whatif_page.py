"""`samenspel whatif` in words: the explanation in sentences, the printed answer and the page.

The numbers and what they say are sim/study/whatif.py's (the paired differences, the rules that
differ) and sim/study/explanation.py's (the changes grouped by theme, the mechanisms along the
channels, who gains and who loses); this module only words them, from the catalogues
(`[whatif]` in sim/data/i18n/en.toml and nl.toml), in English or Dutch: `format_text` (plain text
in 100 columns) and `page` (a self-contained HTML page, printable, nothing fetched). `write`
writes both into a result folder: the command line passes it to `whatif.save`.
"""

from __future__ import annotations

import html
import textwrap
from pathlib import Path

import pandas as pd

from sim.model.config import Scenario
from sim.model.outcomes import MUNICIPAL
from sim.present import whatif_answer, whatif_glossary
from sim.present.i18n import (
    label,
    month_label,
    quantity,
    spread,
    text,
)
from sim.present.whatif_glossary import Term, abbr, used
from sim.present.whatif_words import (
    changes_words,
    difference_words,
    field_label,
    item_words,
    join,
    mark,
    outcome_words,
    robustness_words,
    scenario_words,
    signed,
    theme_label,
    value_words,
    worlds_sentences,
)
from sim.study.explanation import (
    ArrangementChange,
    also_moved,
    arrangement_changes,
    events_moved,
    gains_and_losses,
    mechanisms,
)
from sim.study.whatif import WhatIf, outcome_entry


def _t(key: str, lang: str, **fields: object) -> str:
    return text(f"whatif.{key}", lang, **fields)


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
        none=int(verdicts.get("none", 0) + verdicts.get("same", 0))
        + int(verdicts.get("higher", 0) + verdicts.get("lower", 0)),
    )
    for v in ("better", "worse"):
        chosen = res[res["verdict"] == v]
        if len(chosen):
            items = [outcome_words(k, lang) for k in chosen["outcome"]]
            head += " " + _t(f"list_{v}", lang, items=join(items, lang))
    paragraphs.append(head)
    paragraphs += worlds_sentences(w, lang)
    paragraphs += rule_sentences(w, lang)
    paragraphs += mechanism_sentences(w, lang)
    paragraphs += municipality_sentences(w, lang)
    return paragraphs


def rule_sentences(w: WhatIf, lang: str) -> list[str]:
    """Which rules differ, grouped by the themes that share the same change."""
    if not w.rules:
        return [_t("no_rule_differs", lang)]
    nothing = _t("value.nothing", lang)
    out = [
        _t(
            "rules_theme",
            lang,
            themes=join([theme_label(t, lang) for t in change.themes], lang),
            base_arr=label(change.base, lang) if change.base else nothing,
            alt_arr=label(change.alternative, lang) if change.alternative else nothing,
            changes=changes_words(list(change.rules), lang),
        )
        for change in arrangement_changes(w.rules)
    ]
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
    for kind in ("culture", "behaviour", "scenario"):
        diffs = [d for d in w.rules if d.kind == kind]
        if diffs:
            out.append(_t(f"{kind}_differs", lang, changes=changes_words(diffs, lang)))
            if kind == "culture":  # the model's culture effects are smaller than the sources'
                out.append(_t("culture_caveat", lang))
    return out


def mechanism_sentences(w: WhatIf, lang: str) -> list[str]:
    """Mechanism -> intermediate -> result along the channels, then what else moved."""
    alt = w.alternative.name
    out = []
    for m in mechanisms(w):
        why = [field_label(d, lang) for d in m.rules]
        if m.moved is None:
            what = outcome_words(m.channel.via, lang)
            out.append(_t("unmoved", lang, rules=join(why, lang), label=what))
            continue
        sentence = _t("moved", lang, item=item_words(m.moved, lang), alt=alt)
        if why:
            sentence += _t("because", lang, rules=join(why, lang))
        fed = [
            item_words(r, lang) + _t("verdict_after", lang, mark=mark(r["verdict"], lang))
            for r in m.fed
        ]
        if fed:
            sentence += _t("feeds", lang, results=join(fed, lang))
        out.append(sentence + _t("stop", lang))
    for key, moved in (("also_moved", also_moved(w)), ("events_moved", events_moved(w))):
        if len(moved):
            items = [item_words(r, lang) for _, r in moved.iterrows()]
            out.append(_t(key, lang, alt=alt, items=join(items, lang)))
    return out


def municipality_sentences(w: WhatIf, lang: str) -> list[str]:
    """Who gains and who loses, on what."""
    parts = []
    for (gains, loses), places in gains_and_losses(w).items():
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
            "method_worlds" if w.comparison.worlds is not None else "method",
            lang,
            n=w.replicates,
            first=w.base_seed,
            last=w.base_seed + w.replicates - 1,
            worlds=len(w.comparison.worlds) if w.comparison.worlds is not None else 0,
            per=w.replicates // len(w.comparison.worlds) if w.comparison.worlds else 0,
        ),
    ]
    return lines


def _table_rows(df: pd.DataFrame, lang: str, local: bool = False) -> list[tuple[str, ...]]:
    """Per row: its name (with unit), A, B, the difference with its interval (or "fixed by the
    rules"), the mark, the verdict and the outcome's key."""
    rows: list[tuple[str, ...]] = []
    for _, r in df.iterrows():
        entry = MUNICIPAL[r["outcome"]] if local else outcome_entry(r["outcome"])
        unit = entry.unit(lang)
        name = outcome_words(r["outcome"], lang, entry) + (f" ({unit})" if unit else "")
        rows.append(
            (
                name,
                quantity(entry, r["base"], lang),
                quantity(entry, r["alternative"], lang),
                signed(entry, r["difference"], lang)
                + " "
                + spread(entry, r, lang, _t("interval", lang, low="{lo}", high="{hi}")),
                mark(r["verdict"], lang, local) + robustness_words(r, lang),
                r["verdict"],
                r["outcome"],
            )
        )
    return rows


WIDTH = 100  # the printed answer's columns


def _text_table(rows: list[tuple[str, ...]], lang: str) -> list[str]:
    """Rows as text within WIDTH columns: the label column takes what the longest mark leaves
    beside a difference of up to 24 characters (12 to 24; a longer word is broken). A longer
    difference (a value fixed by the rules, whose mark is short) runs into the gap."""
    longest = max((len(r[4]) for r in rows), default=0)
    width = max(12, min(24, WIDTH - (2 + 1 + 8 + 1 + 8 + 2 + 24 + 2) - longest))
    head = f"  {'':<{width}} {'A':>8} {'B':>8}  {_t('difference_head', lang):<22}"
    out = [head.rstrip()]
    for name, b, a, diff, m, *_ in rows:
        wrapped = textwrap.wrap(name, width) or [""]
        out.append(f"  {wrapped[0]:<{width}} {b:>8} {a:>8}  {diff:<22}  {m}".rstrip())
        out += [f"  {line}" for line in wrapped[1:]]
    return out


def _legend(w: WhatIf, lang: str) -> str:
    worlds = " " + _t("legend_worlds", lang) if w.comparison.worlds is not None else ""
    return _t("legend", lang) + worlds


def _fill(s: str, indent: str = "") -> str:
    return textwrap.fill(s, 99, initial_indent=indent, subsequent_indent=indent)


def rules_lines(w: WhatIf, lang: str) -> list[str]:
    """The rules that differ as lines: per group of themes a heading, then a rule a line."""
    if not w.rules:
        return [_fill(_t("no_rule_differs", lang))]
    out = []
    for change in arrangement_changes(w.rules):
        out.append(_fill(_a("rules_line", lang, **_arrangements(change, lang))))
        for d in change.rules:
            said = _t(
                "rule_change",
                lang,
                rule=field_label(d, lang),
                base=difference_words(d, d.base, lang),
                alt=difference_words(d, d.alternative, lang),
            )
            out.append(_fill(said, "    "))
    return out + [_fill(s) for s in other_rule_sentences(w, lang)]


def _a(key: str, lang: str, **fields: object) -> str:
    return text(f"whatif_answer.{key}", lang, **fields)


def _arrangements(change: ArrangementChange, lang: str) -> dict[str, str]:
    nothing = _t("value.nothing", lang)
    return {
        "themes": join([theme_label(t, lang) for t in change.themes], lang),
        "base_arr": label(change.base, lang) if change.base else nothing,
        "alt_arr": label(change.alternative, lang) if change.alternative else nothing,
    }


def other_rule_sentences(w: WhatIf, lang: str) -> list[str]:
    """The differences outside the themes' rule sets: transition, culture, behaviour, set-up."""
    said = rule_sentences(w, lang)
    return said[len(arrangement_changes(w.rules)) :] if w.rules else []


def glossary_terms(w: WhatIf, lang: str, where: str) -> list[Term]:
    """The terms of the first screen and the municipalities' table, and the general terms the
    page uses."""
    keys = [it.key for it in whatif_answer.items(w, lang)] + list(MUNICIPAL)
    return used(lang, keys, where)


def format_text(w: WhatIf, lang: str) -> str:
    """The printed answer: the answer first (question, verdict, what differs most, who gains
    and who loses), then the method, every table, the rules and the mechanisms, and at the end
    the words used, within 100 columns."""
    lines = [
        textwrap.fill(s, 99, subsequent_indent="     " if s[:1].isdigit() else "") if s else ""
        for s in whatif_answer.text_lines(w, lang)
    ]
    lines += [""] + [_fill(s) for s in municipality_sentences(w, lang)]
    lines += ["", "", _a("text_more", lang), "-" * len(_a("text_more", lang))]
    lines += [_fill(s) for s in intro(w, lang)]
    lines += [_fill(_a("rank_rule", lang)), ""]
    lines += [_fill(s) + "\n" for s in worlds_sentences(w, lang)]
    lines += [_fill(_legend(w, lang)), "", _t("outcomes_head", lang)]
    lines += _text_table(_table_rows(w.outcomes, lang), lang)
    lines += ["", _t("intermediates_head", lang)]
    lines += _text_table(_table_rows(w.intermediates, lang), lang)
    lines += ["", _a("rules_head", lang), *rules_lines(w, lang)]
    lines += ["", _a("mechanisms_head", lang)]
    lines += [_fill(s, "  ") + "\n" for s in mechanism_sentences(w, lang)]
    lines += [_t("municipalities_head", lang)]
    for place in dict.fromkeys(w.municipalities["municipality"]):
        lines.append(f" {place}")
        part = w.municipalities[w.municipalities["municipality"] == place]
        lines += _text_table(_table_rows(part, lang, True), lang)[1:]
    said = "\n".join(lines)
    glossary = whatif_glossary.as_text(glossary_terms(w, lang, said), lang)
    terms = [
        textwrap.fill(g, 99, initial_indent="  ", subsequent_indent="    ") for g in glossary[1:]
    ]
    return "\n".join([*lines, "", glossary[0], *terms])


STYLE = """
:root { --better: #0072B2; --worse: #D55E00; --none: #555; }
body { font-family: system-ui, sans-serif; margin: 1em auto; max-width: 1000px; color: #222;
       line-height: 1.35; padding: 0 1em; }
h1 { font-size: 1.45em; margin: 0.2em 0 0.3em; } h2 { font-size: 1.1em; margin: 0.9em 0 0.3em; }
h3 { font-size: 1em; margin: 0.8em 0 0.2em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.4em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.name, td.why, th.place { text-align: left; }
td.num { white-space: nowrap; }
table.top td { vertical-align: middle; } table.top small { color: #444; font-size: 1em; }
table.grid td { text-align: center; font-size: 1.1em; }
table.grid th { font-weight: 600; font-size: 0.95em; }
.better { color: var(--better); font-weight: 600; }
.worse { color: var(--worse); font-weight: 600; }
.none, .same, .higher, .lower { color: var(--none); }
.verdict { font-size: 1.05em; }
.meta, .legend { color: #444; font-size: 0.9em; margin: 0.2em 0; }
abbr[title] { text-decoration: underline dotted; cursor: help; }
svg.mini { display: block; }
svg.mini .axis { stroke: #bbb; stroke-width: 1; }
svg.mini .ci { stroke-width: 2; }
svg.mini .ci.A { stroke: #777; } svg.mini .ci.B { stroke: #0072B2; }
svg.mini .pt.A { fill: #fff; stroke: #555; stroke-width: 1.5; } svg.mini .pt.B { fill: #0072B2; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; }
details > div { margin-left: 1em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 0.8em; font-size: 0.85em; }
dt { font-weight: 600; } dd { margin: 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  h1 { font-size: 13pt; } h2 { font-size: 10.5pt; break-after: avoid; }
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
        f"<tr><td class='name'>{abbr(name, key, lang)}</td><td>{e(b)}</td><td>{e(a)}</td>"
        f"<td>{e(diff)}</td><td class='{v}'>{e(m)}</td></tr>"
        for name, b, a, diff, m, v, key in rows
    )
    return f"<table>{head}{body}</table>"


def rules_html(w: WhatIf, lang: str) -> str:
    """The rules that differ: per group of themes a table of rule, A and B; then the
    differences outside the rule sets in sentences."""
    e = html.escape
    if not w.rules:
        return f"<p>{e(_t('no_rule_differs', lang))}</p>"
    out = []
    head = (
        f"<tr><th>{e(_a('rule_col', lang))}</th><th>A: {e(w.base.name)}</th>"
        f"<th>B: {e(w.alternative.name)}</th></tr>"
    )
    for change in arrangement_changes(w.rules):
        out.append(f"<h3>{e(_a('rules_line', lang, **_arrangements(change, lang)))}</h3>")
        rows = "".join(
            f"<tr><td class='name'>{e(field_label(d, lang))}</td>"
            f"<td class='name'>{e(difference_words(d, d.base, lang))}</td>"
            f"<td class='name'>{e(difference_words(d, d.alternative, lang))}</td></tr>"
            for d in change.rules
        )
        out.append(f"<table>{head}{rows}</table>")
    out += [f"<p>{e(s)}</p>" for s in other_rule_sentences(w, lang)]
    return "".join(out)


def _folded(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary><div>{body}</div></details>"


def _rest(w: WhatIf, lang: str) -> str:
    """Everything after the answer, folded: method, all outcomes, what happened on the way,
    the rules, the mechanisms and the municipalities' numbers."""
    e = html.escape
    paragraphs = lambda xs: "".join(f"<p>{e(x)}</p>" for x in xs)  # noqa: E731
    local = []
    for place in dict.fromkeys(w.municipalities["municipality"]):
        part = w.municipalities[w.municipalities["municipality"] == place]
        local.append(f"<h3>{e(place)}</h3>")
        local.append(_html_table(_table_rows(part, lang, True), lang, w, _t("outcome_head", lang)))
    outcome = _t("outcome_head", lang)
    return "".join(
        [
            f"<h2>{e(_a('more', lang))}</h2>",
            _folded(
                _a("method_head", lang),
                paragraphs([*intro(w, lang), _a("rank_rule", lang), _legend(w, lang)])
                + paragraphs(worlds_sentences(w, lang)),
            ),
            _folded(
                _t("outcomes_head", lang),
                _html_table(_table_rows(w.outcomes, lang), lang, w, outcome),
            ),
            _folded(
                _t("intermediates_head", lang),
                _html_table(_table_rows(w.intermediates, lang), lang, w, outcome),
            ),
            _folded(_a("rules_head", lang), rules_html(w, lang)),
            _folded(_a("mechanisms_head", lang), paragraphs(mechanism_sentences(w, lang))),
            _folded(_a("local_head", lang), "".join(local)),
        ]
    )


def page(w: WhatIf, lang: str) -> str:
    """The answer as a self-contained HTML page (no script, nothing fetched): the first screen
    (question, verdict, what differs most with a chart), who gains and who loses, the rest
    folded, and the words used."""
    e = html.escape
    title = _t("title", lang, alt=w.alternative.name, base=w.base.name)
    body = whatif_answer.html(w, lang) + whatif_answer.grid(w, lang) + _rest(w, lang)
    shown = format_text(w, lang)  # every word the page says, to find the terms it uses
    glossary = whatif_glossary.as_html(glossary_terms(w, lang, shown), lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(title)}</title><style>{STYLE}</style></head><body>
{body}
{glossary}
</body></html>
"""


def write(w: WhatIf, folder: Path, lang: str) -> None:
    """Write the page (whatif.html) and the printed answer (whatif.txt) into `folder`."""
    (folder / "whatif.html").write_text(page(w, lang), encoding="utf-8")
    (folder / "whatif.txt").write_text(format_text(w, lang) + "\n", encoding="utf-8")
