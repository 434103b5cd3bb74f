"""One look per scenario, the same in every figure and legend of a page: colour, marker and dash.

Ten scenarios side by side must stay apart for every reader, also one who cannot tell red from
green, and on a grey-scale print. So no difference is carried by colour alone: the n-th scenario
has the n-th colour, the n-th marker shape and the n-th dash pattern, and the first ten differ in
all three. The colours are the seven of Okabe & Ito, "Color universal design" (2008), without the
yellow (too faint on white), and three darker ones of Paul Tol's "muted" scheme, "Colour schemes"
(SRON technical note, 2021), which stay apart from those under the common colour-vision
deficiencies. Beyond ten scenarios the colours, shapes and dashes repeat at different offsets
(colour i mod 10, shape (i + i div 10) mod 10, dash (i + 2 (i div 10)) mod 10), so that no two
of the first hundred scenarios share all three.

The dash patterns are written out in pixels (plotly draws such a list as it is, where its named
dashes scale with the line width), so a swatch drawn here (:func:`swatch`) matches the line in a
figure exactly.
"""

from __future__ import annotations

import html
import math

PALETTE = (
    "#0072B2",  # blue (Okabe-Ito)
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#000000",  # black
    "#882255",  # wine (Tol, muted)
    "#999933",  # olive
    "#332288",  # indigo
)
SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "triangle-down",
    "star",
    "hexagon",
    "cross",
    "pentagon",
)
DASHES = (
    "",  # solid
    "8px,4px",
    "2px,3px",
    "10px,3px,2px,3px",
    "16px,5px",
    "4px,4px",
    "14px,3px,2px,3px,2px,3px",
    "2px,7px",
    "10px,3px,5px,3px",
    "20px,4px,8px,4px",
)
LINE_WIDTH = 2.0


def styles(names: list[str]) -> dict[str, dict[str, str]]:
    """Each scenario's colour, marker symbol and line dash (plotly's names), in the order given."""
    n = len(PALETTE)
    return {
        name: {
            "colour": PALETTE[i % n],
            "symbol": SYMBOLS[(i + i // n) % len(SYMBOLS)],
            "dash": DASHES[(i + 2 * (i // n)) % len(DASHES)] or "solid",
        }
        for i, name in enumerate(names)
    }


def rgba(hex_colour: str, alpha: float) -> str:
    """A '#rrggbb' colour with transparency, as CSS rgba()."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _star(cx: float, cy: float, r: float, tips: int, inner: float) -> list[tuple[float, float]]:
    """The corners of a regular polygon (inner == 1) or a star, the first tip at the top."""
    out = []
    for k in range(tips * (1 if inner == 1 else 2)):
        step = math.pi / tips if inner != 1 else 2 * math.pi / tips
        radius = r if inner == 1 or k % 2 == 0 else r * inner
        a = -math.pi / 2 + k * step
        out.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return out


def marker_svg(symbol: str, colour: str, cx: float = 0, cy: float = 0, r: float = 5.0) -> str:
    """plotly's marker `symbol` as an SVG shape centred on (cx, cy)."""
    fill = f'fill="{colour}" stroke="{colour}"'
    if symbol == "circle":
        return f'<circle cx="{cx}" cy="{cy}" r="{r}" {fill}/>'
    if symbol in ("x", "cross"):
        d = r * 0.8 if symbol == "x" else r
        lines = (
            [(-d, -d, d, d), (-d, d, d, -d)] if symbol == "x" else [(-d, 0, d, 0), (0, -d, 0, d)]
        )
        return "".join(
            f'<line x1="{cx + a}" y1="{cy + b}" x2="{cx + c}" y2="{cy + e}" stroke="{colour}" '
            'stroke-width="2.6"/>'
            for a, b, c, e in lines
        )
    corners = {
        "square": [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)],
        "diamond": [(cx, cy - r * 1.2), (cx + r, cy), (cx, cy + r * 1.2), (cx - r, cy)],
        "triangle-up": _star(cx, cy + r * 0.2, r * 1.15, 3, 1),
        "triangle-down": [(x, 2 * cy - y) for x, y in _star(cx, cy + r * 0.2, r * 1.15, 3, 1)],
        "star": _star(cx, cy, r * 1.2, 5, 0.45),
        "hexagon": _star(cx, cy, r * 1.05, 6, 1),
        "pentagon": _star(cx, cy, r * 1.1, 5, 1),
    }[symbol]
    return f'<polygon points="{_polygon(corners)}" {fill}/>'


def swatch(style: dict[str, str], label: str = "") -> str:
    """An inline SVG of a scenario's look: its line in its colour and dash, its marker on it;
    `label` (the scenario's name) as the picture's accessible name."""
    dash = "" if style["dash"] == "solid" else style["dash"].replace("px", "")
    dasharray = f' stroke-dasharray="{dash}"' if dash else ""
    name = html.escape(label, quote=True)
    return (
        f'<svg class="swatch" width="48" height="16" viewBox="0 0 48 16" role="img" '
        f'aria-label="{name}"><line x1="1" y1="8" x2="47" y2="8" stroke="{style["colour"]}" '
        f'stroke-width="{LINE_WIDTH}"{dasharray}/>'
        f"{marker_svg(style['symbol'], style['colour'], 24, 8)}</svg>"
    )
