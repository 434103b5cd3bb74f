"""The calibration's report: report.md and report.html, in English and in Dutch, with the words
of the catalogues (table `[calibrate]`); the numbers are sim/study/calibration/."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.present import i18n
from sim.study.calibration import (
    Calibration,
    accepted_ranges,
    clock,
    constraints,
    generations_table,
)


def words(lang: str) -> dict[str, str]:
    """The calibration report's words in `lang` (catalogue table `[calibrate]`)."""
    prefix = "calibrate."
    return {
        k.removeprefix(prefix): v for k, v in i18n.catalogue(lang).items() if k.startswith(prefix)
    }


def _facts(cal: Calibration, lang: str) -> list[tuple[str, str]]:
    s = words(lang)
    eps = cal.generations[-1].epsilon if cal.generations else math.nan
    return [
        (s["checks"], ", ".join(cal.keys)),
        (s["seeds"], str(cal.spec.seeds)),
        (s["population"], str(cal.spec.population)),
        (s["evaluations"], str(len(cal.evaluations))),
        (s["epsilon"], f"{eps:.4g}"),
        (
            s["defaults"],
            f"{cal.default_distance:.4g} "
            f"({s['inside'] if cal.defaults_accepted else s['outside']})",
        ),
        (s["stopped"], cal.stopped),
        (s["seconds"], clock(cal.seconds)),
    ]


def _md_table(df: Any) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _unconstrained(cal: Calibration, cons: Any) -> list[str]:
    return [p for p in cal.spec.names if not cons[cons.parameter == p].constrains.any()]


def _rule(cal: Calibration, lang: str) -> str:
    spec = cal.spec
    return words(lang)["rule"].format(w=spec.constrained_width, r=spec.rho_threshold, z=spec.rho_z)


def report_md(cal: Calibration, ranges: Any, cons: Any) -> str:
    """report.md: the summary, the generations, the accepted ranges and the constraints, in
    English, then in Dutch."""
    out = []
    for lang in ("en", "nl"):
        s = words(lang)
        out += [f"# {s['title']}: {cal.spec.name}" if lang == "en" else f"# {s['title']}", ""]
        out += [s["lead"], "", f"## {s['summary']}", ""]
        out += [f"- {k}: {v}" for k, v in _facts(cal, lang)]
        strong = cons[cons.constrains]
        out += ["", f"## {s['generations']}", "", _md_table(generations_table(cal))]
        out += ["", f"## {s['ranges']}", "", _md_table(ranges)]
        out += ["", f"## {s['constraints']}", "", _md_table(strong) if len(strong) else "-"]
        free = _unconstrained(cal, cons)
        out += ["", f"## {s['unconstrained']}", "", ", ".join(free) or s["none"], ""]
        out += [_rule(cal, lang), ""]
    return "\n".join(out)


def _html_section(cal: Calibration, ranges: Any, cons: Any, lang: str) -> list[str]:
    s, esc = words(lang), html.escape
    free = _unconstrained(cal, cons)
    return [
        f"<section lang='{lang}'><h1>{s['title']}: {esc(cal.spec.name)}</h1>",
        f"<p>{esc(s['lead'])}</p><h2>{s['summary']}</h2><ul>",
        *(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in _facts(cal, lang)),
        f"</ul><h2>{s['generations']}</h2>",
        generations_table(cal).to_html(index=False, float_format="%.4g"),
        f"<h2>{s['ranges']}</h2>",
        ranges.to_html(index=False, float_format="%.4g"),
        f"<h2>{s['constraints']}</h2>",
        cons[cons.constrains].to_html(index=False, float_format="%.3g"),
        f"<h2>{s['unconstrained']}</h2><p>{esc(', '.join(free) or s['none'])}",
        f"</p><p>{esc(_rule(cal, lang))}</p></section>",
    ]


def report_html(cal: Calibration, ranges: Any, cons: Any) -> str:
    """report.html: what report.md says, as a page."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(cal.spec.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        "</style></head><body>",
    ]
    for lang in ("en", "nl"):
        parts += _html_section(cal, ranges, cons, lang)
    parts.append("</body></html>")
    return "\n".join(parts)


def pages(cal: Calibration) -> list[Callable[[Path], None]]:
    """What the command line adds to the result folder: report.md, report.html and the
    posterior's diagnostics page in English and Dutch (diagnostics.html, diagnostics-nl.html)."""
    ranges, cons = accepted_ranges(cal), constraints(cal)

    def markdown(folder: Path) -> None:
        (folder / "report.md").write_text(report_md(cal, ranges, cons), encoding="utf-8")

    def page(folder: Path) -> None:
        (folder / "report.html").write_text(report_html(cal, ranges, cons), encoding="utf-8")

    def diagnostics(folder: Path) -> None:  # from the posterior folder save() wrote first
        from sim.present import posterior_page

        for lang, name in (("en", "diagnostics.html"), ("nl", "diagnostics-nl.html")):
            posterior_page.write(folder / "posterior", folder / name, lang)

    return [markdown, page, diagnostics]
