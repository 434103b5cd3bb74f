"""What `samenspel validate` shows: the checks' words, the printed table and its summary line,
and the self-contained report (report.html, with a forest plot in SVG).

The words are the catalogues' (sim/data/i18n/, tables `[validate]` and `[validate.check.*]`);
the checks and their statistics are sim/study/validation/.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.io.store import Destination
from sim.model.config import load_arrangement_presets
from sim.present import i18n
from sim.present.printed import closing_line
from sim.study.validation import T_MIN, Check, Label, Statistic

Results = Sequence[tuple[Check, Statistic]]


def words(lang: str) -> dict[str, str]:
    """The validation command's and report's words in `lang` (catalogue table `[validate]`)."""
    prefix = "validate."
    return {
        k.removeprefix(prefix): v for k, v in i18n.catalogue(lang).items() if k.startswith(prefix)
    }


def written_line(dest: Destination, lang: str = "en") -> str:
    """The closing line: where the result went, and what it holds, in `lang`."""
    return closing_line(dest, lang, words(lang)["files"])


def _field(value: object, lang: str) -> str:
    if isinstance(value, Label):
        return i18n.label(load_arrangement_presets()[value], lang)
    if isinstance(value, tuple):
        return ", ".join(_field(v, lang) for v in value)
    return str(value)


def _text(c: Check, part: str, lang: str) -> str:
    fields = {k: _field(v, lang) for k, v in c.fields.items()}
    return i18n.text(f"validate.check.{c.words}.{part}", lang, **fields)


def claim(c: Check, lang: str = "en") -> str:
    """The check's claim in `lang` (its first letter a capital: a claim may start with a
    label)."""
    text = _text(c, "claim", lang)
    return text[:1].upper() + text[1:]


def statistic_text(c: Check, lang: str = "en") -> str:
    """What the check's statistic is, in `lang`."""
    return _text(c, "statistic", lang)


def target_text(c: Check, lang: str = "en") -> str:
    """The target as a person reads it in `lang` (the key's text is English)."""
    shown = c.target.replace("(every seed)", f"({words(lang)['every_seed']})")
    return shown if lang == "en" else re.sub(r"(\d)\.(\d)", r"\1,\2", shown)


def table_words(results: Results) -> dict[str, dict[str, str]]:
    """Per check, the checks table's columns in words (sim.study.validation.table_rows)."""
    return {
        c.key: {
            "claim_en": claim(c, "en"),
            "claim_nl": claim(c, "nl"),
            "statistic": statistic_text(c, "en"),
            "statistic_nl": statistic_text(c, "nl"),
        }
        for c, _ in results
    }


def number(x: float, lang: str = "en") -> str:
    """A number as the table shows it: about four significant digits; +-inf kept; in Dutch
    with a decimal comma and the catalogue's "not available"."""
    if math.isnan(x):
        return i18n.text("common.not_available", lang)
    if math.isinf(x):
        return ("inf" if lang == "en" else "∞") if x > 0 else ("-inf" if lang == "en" else "-∞")
    shown = f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:.4g}"
    return shown if lang == "en" else shown.translate(str.maketrans(",.", ".,"))


def interval(low: float, high: float, lang: str = "en") -> str:
    """A 95% interval as the table shows it: "[1.5, 2.5]", in Dutch "[1,5; 2,5]"."""
    gap = ", " if lang == "en" else "; "
    return f"[{number(low, lang)}{gap}{number(high, lang)}]"


def format_table(results: Results, lang: str = "en") -> str:
    """One line per check (key, PASS/FAIL, estimate [interval], target, n, t, claim), then a
    summary line."""
    w = words(lang)
    width = max(len(c.key) for c, _ in results)
    lines = [w["header_one" if len(results) == 1 else "header"].format(total=len(results))]
    for c, s in results:
        verdict = w[outcome(c, s)]
        spread = interval(s.ci_low, s.ci_high, lang)
        lines.append(
            f"  {c.key:<{width}}  {verdict:<8}  {number(s.estimate, lang):>10} {spread:<24} "
            f"{w['target']} {target_text(c, lang):<16} {w['n']} {s.n:<4} t {number(s.t, lang):<6}  "
            f"{claim(c, lang)}"
        )
    lines.append(summary_line(results, lang))
    return "\n".join(lines)


def outcome(c: Check, s: Statistic) -> str:
    """ "pass", "fail", or "gap": a claim of the sources the model does not reproduce with
    grounded numbers (Check.gap), reported as such rather than as a failure."""
    return "pass" if s.passed else "gap" if c.gap else "fail"


def summary_line(results: Results, lang: str = "en") -> str:
    """How many checks pass, which fail, and which are known gaps."""
    w = words(lang)
    passed = sum(s.passed for _, s in results)
    line = w["summary_one" if len(results) == 1 else "summary"].format(
        passed=passed, total=len(results)
    )
    for kind in ("fail", "gap"):
        keys = [c.key for c, s in results if outcome(c, s) == kind]
        if keys:
            line += f"; {w['failing' if kind == 'fail' else 'gaps'].format(keys=', '.join(keys))}"
    return line


def pages(
    results: Results, settings: Mapping[str, object], lang: str = "en"
) -> list[Callable[[Path], None]]:
    """What the command line adds to the result folder: report.html."""
    from sim.study.run import provenance

    def report(folder: Path) -> None:
        page = report_html(results, {**settings, **provenance()}, lang)
        (folder / "report.html").write_text(page, encoding="utf-8")

    return [report]


MARKS = {"pass": "✓", "fail": "✗", "gap": "○"}
"""A check's mark by its outcome, in the table and the forest plot alike."""


def _forest_row(i: int, c: Check, s: Statistic, left: int, mid: float, half: float) -> list[str]:
    """One check's row of the forest plot: its key and mark, its interval and its estimate."""
    y = 15 + i * 18
    vals = [v for v in (s.estimate, s.ci_low, s.ci_high) if math.isfinite(v)]
    scale = max((abs(v) for v in vals), default=0.0) or 1.0

    def x(v: float) -> float:
        return mid + (v / scale) * half if math.isfinite(v) else mid

    colour = {"pass": "#1a7f37", "fail": "#b3261e", "gap": "#8a5a00"}[outcome(c, s)]
    parts = [
        f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="11">'
        f"{html.escape(c.key)} {MARKS[outcome(c, s)]}</text>"
    ]
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
    return parts


def forest_svg(results: Results, lang: str) -> str:
    """Estimates with intervals against zero, one row per check, each on its own scale."""
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
        parts += _forest_row(i, c, s, left, mid, plot / 2 - 6)
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
.gap { color: #8a5a00; font-weight: bold; }
small { color: #666; }
"""


def _report_row(c: Check, s: Statistic, lang: str) -> str:
    w, esc = words(lang), html.escape
    kind = outcome(c, s)
    verdict = w[kind]
    mark = MARKS[kind]
    return (
        f"<tr><td><code>{esc(c.key)}</code></td>"
        f"<td>{c.pattern if c.pattern is not None else esc(w['other_claim'])}</td>"
        f"<td>{esc(claim(c, lang))}<br><small>{esc(statistic_text(c, lang))}</small></td>"
        f'<td class="num">{esc(number(s.estimate, lang))}</td>'
        f'<td class="num">{esc(interval(s.ci_low, s.ci_high, lang))}</td>'
        f"<td>{esc(target_text(c, lang))}</td>"
        f'<td class="num">{esc(number(s.t, lang))}</td><td class="num">{s.n}</td>'
        f'<td class="{kind}">{mark} {esc(verdict)}</td></tr>'
    )


def report_html(results: Results, settings: Mapping[str, Any], lang: str = "en") -> str:
    """The validation report: settings, one row per check, a forest plot; no network needed."""
    w = words(lang)
    esc = html.escape
    overrides = settings.get("overrides") or {}
    shown = (
        "<br>".join(f"<code>{esc(k)} = {esc(repr(v))}</code>" for k, v in overrides.items())
        if overrides
        else esc(w["none"])
    )
    seeds = settings.get("seeds")
    rows = [_report_row(c, s, lang) for c, s in results]
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
{forest_svg(results, lang)}
</body></html>
"""
