"""The summary `samenspel run` prints, in English or Dutch.

Labels, units and number formats come from the outcome catalogue (sim/model/outcomes.py) through
sim/present/i18n.py; the themes' labels from their data; the events that matter (budget cuts,
council elections, exits) from the run's event log, each with its caption (sim/present/view.py) for
the first few.
"""

from __future__ import annotations

from sim.model.outcomes import shown_in
from sim.present import i18n
from sim.present.view import caption
from sim.study.run import RunResult

EVENTS_SHOWN = ("budget_shock", "election", "exit")
"""The event kinds the summary counts, in this order."""
FIRST = 3  # events of a kind named with their month; the rest counted
LABEL_WIDTH = 50


def _line(label: str, value: str) -> str:
    return f"  {label:<{LABEL_WIDTH}} {value:>10}"


def run_summary(result: RunResult, lang: str = "en") -> str:
    """The printed summary of one run in `lang`: its outcomes, commitment per theme, and the
    counts of the events that matter with the first few named."""
    sc = result.scenario
    s = result.summary
    lines = [
        i18n.text(
            "cli.run.heading",
            lang,
            scenario=sc.name,
            seed=result.seed,
            years=sc.years,
            start=sc.start_year,
            end=sc.start_year + sc.years - 1,
        )
    ]
    for entry in shown_in("run"):
        unit = i18n.outcome_unit(entry.key, lang)
        label = i18n.outcome_label(entry.key, lang) + (f" ({unit})" if unit else "")
        lines.append(_line(label, i18n.quantity(entry, s[entry.key], lang)))
    characters = sc.characters()
    lines.append("  " + i18n.text("cli.run.per_theme", lang))
    for theme in sc.governance:
        key = f"commitment_{theme}"
        lines.append(
            _line("  " + i18n.label(characters[theme], lang), i18n.quantity(key, s[key], lang))
        )
    lines.append("  " + i18n.text("cli.run.events", lang))
    labels = {t: {lg: i18n.label(c, lg) for lg in i18n.LANGUAGES} for t, c in characters.items()}
    log = result.events
    for kind in EVENTS_SHOWN:
        rows = log[log["event"] == kind]
        named = [
            caption(
                [
                    {
                        "kind": kind,
                        "municipality": r.municipality,
                        "theme": r.theme,
                        "value": None if r.value != r.value else r.value,
                    }
                ],
                labels,
                sc.start_year,
                int(r.month),
                lang,
            )
            for r in rows.head(FIRST).itertuples()
        ]
        if len(rows) > FIRST:
            named.append(i18n.text("cli.run.more", lang, count=len(rows) - FIRST))
        count = i18n.number(len(rows), lang, 0) if len(rows) else i18n.text("cli.run.none", lang)
        told = f" ({'; '.join(named)})" if named else ""
        lines.append(f"    {i18n.text(f'cli.run.count_{kind}', lang)}: {count}{told}")
    return "\n".join(lines)
