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
from sim.present.i18n import (
    label,
    month_label,
    quantity,
    spread,
    text,
)
from sim.present.whatif_words import (
    changes_words,
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
    for name, b, a, diff, m, _ in rows:
        wrapped = textwrap.wrap(name, width) or [""]
        out.append(f"  {wrapped[0]:<{width}} {b:>8} {a:>8}  {diff:<22}  {m}".rstrip())
        out += [f"  {line}" for line in wrapped[1:]]
    return out


def _legend(w: WhatIf, lang: str) -> str:
    worlds = " " + _t("legend_worlds", lang) if w.comparison.worlds is not None else ""
    return _t("legend", lang) + worlds


def format_text(w: WhatIf, lang: str) -> str:
    """The one-page answer as plain text, readable in 100 columns."""
    fill = lambda s: textwrap.fill(s, 99)  # noqa: E731
    lines = [_t("title", lang, alt=w.alternative.name, base=w.base.name), ""]
    lines += [fill(s) for s in intro(w, lang)]
    lines += ["", _t("in_short", lang)]
    for p in explanation(w, lang):
        lines += [textwrap.fill(p, 99, initial_indent="  ", subsequent_indent="  "), ""]
    lines += [fill(_legend(w, lang)), "", _t("outcomes_head", lang)]
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
.none, .same, .higher, .lower { color: var(--none); }
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
<p class="meta">{e(_legend(w, lang))}</p>
<h2>{e(_t("outcomes_head", lang))}</h2>
{_html_table(_table_rows(w.outcomes, lang), lang, w, _t("outcome_head", lang))}
<h2>{e(_t("intermediates_head", lang))}</h2>
{_html_table(_table_rows(w.intermediates, lang), lang, w, _t("outcome_head", lang))}
<h2>{e(_t("municipalities_head", lang))}</h2>
{"".join(local)}
</body></html>
"""


def write(w: WhatIf, folder: Path, lang: str) -> None:
    """Write the page (whatif.html) and the printed answer (whatif.txt) into `folder`."""
    (folder / "whatif.html").write_text(page(w, lang), encoding="utf-8")
    (folder / "whatif.txt").write_text(format_text(w, lang) + "\n", encoding="utf-8")
