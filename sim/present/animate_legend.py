"""The animation's legend (sim/present/animate.py): every symbol, colour and short name the
page shows, and which running figures add up from the start and which are this month's.

One list of items, in the chosen language, that the page shows in its footer and a video
(sim/present/video.py) draws under its frames: the same words in both.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from sim.present import i18n

SO_FAR = ("commitment_cum", "progress")
"""Strip figures that add up from the run's start."""
THIS_MONTH = ("meeting_hours",)
"""Strip figures of the month shown alone; the others are levels as they stand."""

OWN_SWATCH = (
    '<svg class="own-swatch" viewBox="0 0 20 20" aria-hidden="true">'
    '<path class="own-track" d="M 10 3 a 7 7 0 1 1 0 14 a 7 7 0 1 1 0 -14"/>'
    '<path class="own-arc" d="M 10 3 a 7 7 0 1 1 0 14 a 7 7 0 1 1 0 -14" pathLength="100"'
    ' stroke-dasharray="70 100"/></svg>'
)
"""The ownership ring's legend: a ring filled to 70%, as the map draws one."""


def abbreviations(munis: Sequence[dict[str, Any]]) -> str:
    """'Albla. Alblasserdam, Dordr. Dordrecht, HIA Hendrik-Ido-Ambacht, ...': each short name
    the project chips use, with the name it stands for (names short enough to keep left out)."""
    pairs = sorted({(m["short"], m["name"]) for m in munis if m["short"] != m["name"]})
    return ", ".join(f"{short} {name}" for short, name in pairs)


def strip_words(keys: Sequence[str], lang: str) -> str:
    """Which strip figures add up from the start, which are this month's, which stand now."""
    from sim.present.view import strip_outcome

    def names(group: Sequence[str]) -> str:
        return ", ".join(strip_outcome(k).label(lang) for k in group)

    now = [k for k in keys if k not in SO_FAR and k not in THIS_MONTH]
    return i18n.text(
        "animate.strip_legend",
        lang,
        so_far=names([k for k in keys if k in SO_FAR]),
        month=names([k for k in keys if k in THIS_MONTH]),
        now=names(now),
    )


def when(key: str, lang: str) -> str:
    """What a strip figure counts: from the start, this month, or as it stands now."""
    kind = "so_far" if key in SO_FAR else "this_month" if key in THIS_MONTH else "now"
    return i18n.text(f"animate.when_{kind}", lang)


def items(munis: Sequence[dict[str, Any]], keys: Sequence[str], lang: str) -> list[tuple[str, str]]:
    """The legend as (kind, text): the symbols on the map, in the lists and in the strip."""

    def w(key: str, **fields: object) -> str:
        return i18n.text(f"animate.{key}", lang, **fields)

    out = [
        ("own", w("own_legend")),
        ("trust", w("trust_legend")),
        ("tables", w("tables_legend")),
        ("paid", w("paid_legend")),
        ("withheld", w("withheld_legend")),
        ("chips", w("chips_legend", names=abbreviations(munis))),
        ("strip", strip_words(keys, lang)),
    ]
    return out


def footer(munis: Sequence[dict[str, Any]], keys: Sequence[str], lang: str) -> str:
    """The page's footer: the legend, then notes and hints (left out in projector mode)."""

    def w(key: str) -> str:
        return html.escape(i18n.text(f"animate.{key}", lang))

    said = {kind: html.escape(text) for kind, text in items(munis, keys, lang)}
    return f"""<footer id="legend">
<span><span id="state-legend"></span> <span id="state-scale" class="legend-scale"></span>
{w("low")} &ndash; {w("high")}</span>
<span id="own-legend">{OWN_SWATCH} <span class="long">{said["own"]}</span>
<span class="short">{w("own_legend_short")}</span></span>
<span><span class="long">{said["trust"]}</span><span class="short">{w("trust_legend_short")}</span>
<span id="trust-scale" class="legend-scale"></span></span>
<span id="tables-legend">{said["tables"]}</span>
<span class="mark-paid">{said["paid"]}</span>
<span class="mark-withheld" id="free-riding-legend">{said["withheld"]}</span>
<span id="chips-legend">{said["chips"]}</span>
<span id="strip-legend" class="note">{said["strip"]}</span>
<span id="timeline-legend">{w("timeline_legend")} <span class="tl-forum">▮</span>
{w("forum_mark")} <span class="tl-conversation">▮</span> {w("conversation_mark")}</span>
<span class="note">{w("map_note")}</span>
<span class="note">{w("image_note")}</span>
<span class="hint">{w("keys_hint")}</span>
<span class="hint">{w("offline_note")}</span>
</footer>"""
