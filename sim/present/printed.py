"""What the commands print: the closing line of a command and the comparison's table.

Words from the catalogues (sim/present/i18n.py), numbers in the language's format.
"""

from __future__ import annotations

from sim.io.store import Destination
from sim.model.outcomes import CRITERIA, outcome
from sim.present import i18n
from sim.present.worlds_view import first_lines
from sim.study.compare import COMPARED, Comparison


def closing_line(dest: Destination, lang: str = "en", files: str = "") -> str:
    """The closing line of a command, in `lang`: where its result went, what it holds
    (`files`), and whether it replaced an earlier result or kept one at the default."""
    notes = [files] if files else []
    if dest.replaces:
        notes.insert(0, i18n.text("cli.out.replaced", lang))
    elif dest.taken is not None:
        notes.insert(0, i18n.text("cli.out.kept", lang, taken=dest.taken))
    line = i18n.text("cli.out.written", lang, path=dest.path)
    return f"{line} ({'; '.join(notes)})" if notes else line


def format_table(comparison: Comparison, keys: list[str] | None = None, lang: str = "en") -> str:
    """Per outcome, each scenario's mean and 95% interval, as plain text in `lang`; over
    plausible worlds, which scenario is first in how many of them."""
    o = comparison.outcomes.set_index(["outcome", "scenario"])
    present = set(o.index.get_level_values(0))
    keys = keys or [k for k in (*COMPARED, *CRITERIA) if k in present]
    width = max(len(sc.name) for sc in comparison.scenarios)
    unscored = {sc.name: comparison.unscored(sc.name) for sc in comparison.scenarios}
    na = i18n.text("report.not_applicable", lang)
    firsts = first_lines(comparison, lang)
    lines = []
    for key in keys:
        if key not in present:
            continue
        entry = outcome(key)
        lines.append(i18n.outcome_heading(entry, lang))
        for sc in comparison.scenarios:
            if key in unscored[sc.name]:
                reason = i18n.text(f"report.missing.{unscored[sc.name][key]}", lang)
                lines.append(f"  {sc.name:<{width}}  {na}: {reason}")
                continue
            if (key, sc.name) not in o.index:
                lines.append(f"  {sc.name:<{width}}  {i18n.text('common.not_available', lang)}")
                continue
            r = o.loc[(key, sc.name)]
            mean = i18n.quantity(entry, r["mean"], lang)
            lines.append(f"  {sc.name:<{width}}  {mean:>12}  {i18n.spread(entry, r, lang)}")
        if key in firsts:
            lines.append(firsts[key])
    return "\n".join(lines)
