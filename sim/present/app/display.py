"""What the workshop app's page shows of a session's month, in one language (no web code).

`nodes` and `edge_line` (the network view: the municipalities' colours, labels, borders and hover
texts, and where each direction of trust is drawn), `panel` (the month's words and numbers beside
the map), `month_text` and `scaled` (a strip value as the charts plot it). The words come from the
catalogue (sim/present/i18n.py), the formatting from the animation's `compact`, the colours from
the animation's (sim/data/animate/player.js).
"""

from __future__ import annotations

import math
from typing import Any

from sim.present import i18n
from sim.present.animate import compact, short_name
from sim.present.app.session import Session, choice_label
from sim.present.view import Frame, strip_outcome

# The animation's colours (sim/data/animate/player.js): viridis for a state, grey to blue for
# trust, grey where a value is missing.
VIRIDIS: tuple[str, ...] = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80")
VIRIDIS += ("#5ec962", "#addc30", "#fde725")
TRUST_LOW, TRUST_HIGH, MISSING = "#d4d4d4", "#0072b2", "#bdbdbd"


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _mix(a: str, b: str, f: float) -> str:
    x, y = _hex(a), _hex(b)
    return "#" + "".join(f"{round(u + (v - u) * f):02x}" for u, v in zip(x, y, strict=True))


def state_colour(value: float | None) -> str:
    """A state in [0, 1] on the viridis scale (grey where it is missing)."""
    if value is None:
        return MISSING
    v = min(max(value, 0.0), 1.0) * (len(VIRIDIS) - 1)
    k = min(int(v), len(VIRIDIS) - 2)
    return _mix(VIRIDIS[k], VIRIDIS[k + 1], v - k)


def trust_colour(value: float | None) -> str:
    return _mix(TRUST_LOW, TRUST_HIGH, min(max(value or 0.0, 0.0), 1.0))


def trust_width(value: float | None) -> float:
    return 0.0 if value is None else round(0.3 + 3.0 * min(max(value, 0.0), 1.0), 2)


PAID, WITHHELD, PLAIN = "#1a9850", "#d73027", "#444444"


def node_data(m: Frame, shown: Frame, state: str) -> dict[str, Any]:
    """What of a municipality changes month by month in the network view: its colour (by
    `state`), its label with ✓ (paid an instalment this month) and ✗ (withheld one), its
    border (red where it withheld, green where it only paid)."""
    name = short_name(m["name"]) if m["r"] < 0.05 else m["name"]
    mark = "✓" * bool(shown["paid"]) + "✗" * bool(shown["withheld"])
    border = WITHHELD if shown["withheld"] else PAID if shown["paid"] else PLAIN
    return {
        "colour": state_colour(shown[state]),
        "label": f"{name} {mark}" if mark else name,
        "border": border,
        "bw": 1 if border == PLAIN else 4,
    }


EDGE_OFFSET = 0.008
"""How far each direction of trust is drawn beside the line between two centres (unit box)."""


def edge_line(meta: Frame, i: int, j: int) -> tuple[float, float, float, float]:
    """Where i's trust in j is drawn: from circle i to circle j, on its own side of the line
    between them (so the two directions lie side by side, as in the animation)."""
    a, b = meta["municipalities"][i], meta["municipalities"][j]
    dx, dy = b["x"] - a["x"], b["y"] - a["y"]
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    ox, oy = -uy * EDGE_OFFSET, ux * EDGE_OFFSET
    return (
        round(a["x"] + ux * a["r"] * 0.8 + ox, 4),
        round(a["y"] + uy * a["r"] * 0.8 + oy, 4),
        round(b["x"] - ux * b["r"] * 0.8 + ox, 4),
        round(b["y"] - uy * b["r"] * 0.8 + oy, 4),
    )


def nodes(session: Session, state: str, lang: str) -> dict[str, list[Any]]:
    """The network view's municipalities this month: colour, label, border and hover text."""
    meta, frame = session.viewer.meta, session.frame
    data = [
        node_data(m, shown, state)
        for m, shown in zip(meta["municipalities"], frame["municipalities"], strict=True)
    ]
    return {
        "colour": [d["colour"] for d in data],
        "label": [d["label"] for d in data],
        "border": [d["border"] for d in data],
        "bw": [d["bw"] for d in data],
        "hover": [tooltip(session, m["name"], lang) for m in meta["municipalities"]],
    }


def month_text(session: Session, lang: str) -> str:
    """The month label: "before January 2022" until the first month has run."""
    frame = session.frame
    if frame["month"] < 0:
        return i18n.text("app.before_start", lang, month=frame["label"][lang])
    if session.viewer.done:
        return i18n.text("app.last_month", lang, month=frame["label"][lang])
    return frame["label"][lang]


def panel(session: Session, lang: str) -> dict[str, Any]:
    """The month's words and numbers beside the map, in `lang`."""
    meta, frame = session.viewer.meta, session.frame
    shown = compact(frame, meta, lang, [s["key"] for s in meta["strip"]])
    theme_label = {t["key"]: t["label"][lang] for t in meta["themes"]}
    nobody = i18n.text("animate.nobody", lang)
    paid = [m["name"] for m in frame["municipalities"] if m["paid"]]
    withheld = [m["name"] for m in frame["municipalities"] if m["withheld"]]
    return {
        "month": month_text(session, lang),
        "caption": shown["caption"] or i18n.text("app.press_step", lang),
        "strip": [
            {
                "label": s["label"][lang],
                "value": text,
                "unit": s["unit"][lang],
            }
            for s, text in zip(meta["strip"], shown["st"], strict=True)
        ],
        "paid": ", ".join(paid) or nobody,
        "withheld": ", ".join(withheld) or nobody,
        "tables": [
            {
                "theme": t["label"][lang],
                "arrangement": t["arrangement"][lang],
                "met": bool(row[0]),
                "seated": row[3],
            }
            for t, row in zip(meta["themes"], shown["tb"], strict=True)
        ],
        "projects": [
            {
                "title": i18n.text(
                    "animate.project", lang, pid=p["pid"], theme=theme_label[p["theme"]]
                ),
                "members": ", ".join(
                    short_name(ms["name"])
                    + ("" if ms["mode"] == "full" else f" ({choice_label(ms['mode'], lang)})")
                    for ms in p["members"]
                )
                or nobody,
            }
            for p in frame["projects"]
        ],
    }


def tooltip(session: Session, name: str, lang: str) -> str:
    """A municipality's state this month, one line (the animation's tooltip)."""
    for m in session.frame["municipalities"]:
        if m["name"] == name:
            na = i18n.text("common.not_available", lang)
            return i18n.text(
                "animate.tooltip",
                lang,
                name=name,
                inhabitants=i18n.number(m["population"], lang, 0),
                energy=na if m["energy"] is None else i18n.number(m["energy"], lang, 2),
                legitimacy=na if m["legitimacy"] is None else i18n.number(m["legitimacy"], lang, 2),
                pledges=na if m["pledges_paid"] is None else i18n.percent(m["pledges_paid"], lang),
                ownership=na if m["ownership"] is None else i18n.number(m["ownership"], lang, 2),
            )
    return ""


def scaled(key: str, value: float | None) -> float | None:
    """A strip value as the charts plot it (the outcome catalogue's scale)."""
    return None if value is None else value * strip_outcome(key).scale
