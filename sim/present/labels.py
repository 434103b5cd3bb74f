"""Where each municipality's name (and this month's ✓/✗ beside it) goes on the animation's map.

A name sits beside its circle, on no circle and on no other name, however long the name
("Hendrik-Ido-Ambacht", "Hardinxveld-Giessendam") and however close the circles (Zwijndrecht
by Dordrecht). Each label is placed in turn, longest first, at the first free spot of a fixed
ladder: just below its circle, above, right, left, then the diagonals and the directions in
between, then a little farther out, and so on, until a spot is free. Far enough out a spot is
always free, so every label is placed and none overlaps anything.

The map is then framed around circles and labels alike, so no label is ever cut off. Because
how large a name looks on screen depends on how large the map is drawn, the placement is made
for a ladder of type sizes (`SIZES`, in map units: the unit box of sim/present/map_layout.py is
`UNIT` wide); the page picks, on every resize, the smallest that reaches its wanted size in
pixels, and a video the one for its frame (`choose`). The page and the video draw the same
placements: both read them from `layouts` through the page's data (sim/present/animate.py).

Widths are those of a bold sans (DejaVu Sans Bold, rounded up); the page draws each name with
exactly that width (SVG `textLength`), so that the box placed here is the box drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

UNIT = 1000.0
"""The map's unit box, in map units (the page's SVG coordinates)."""

SIZES = (16, 19, 23, 27, 32, 38, 45, 53, 62, 73, 86, 100, 116, 134)
"""Label type sizes (map units) a map is laid out for."""

SPREADS = (1.0, 1.4, 2.0, 2.8, 4.0, 5.6)
"""How far apart the circles may be drawn, as a factor on their distances from the map's
middle (their sizes kept): large names need room between small circles."""

HEIGHT = 1.2  # a label's box, in type sizes: ascent and descent of the font, rounded up
BASELINE = 0.95  # where the text's baseline lies in its box, from the top
GAP = 0.25  # between a circle and its label, and between a name and its marks, in type sizes

_WIDTHS = {
    **dict.fromkeys("ijlI.,'!|:;", 0.36),
    **dict.fromkeys("frt-()/", 0.5),
    **dict.fromkeys("mMwW", 1.1),
    **dict.fromkeys("0123456789", 0.7),
    " ": 0.36,
    "✓": 0.86,
    "✗": 0.86,
}


def text_width(text: str, size: float) -> float:
    """The width of `text` in a bold sans at type size `size` (rounded up a little)."""
    em = sum(_WIDTHS.get(c, 0.8 if c.isupper() else 0.72 if c.isalpha() else 0.86) for c in text)
    return em * size


Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 (y pointing down)."""


def _directions() -> list[tuple[float, float]]:
    """Below, above, right, left, the diagonals, then the sixteen directions in between."""
    first = [90, 270, 0, 180, 45, 135, 315, 225]
    rest = [a for a in range(0, 360, 22) if all(abs(a - b) > 5 for b in first)]
    return [(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in first + rest]


DIRECTIONS = _directions()


def _hits_circle(box: Box, circle: tuple[float, float, float], margin: float) -> bool:
    x, y, r = circle
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return math.hypot(x - nx, y - ny) < r + margin


def _distance(box: Box, circle: tuple[float, float, float]) -> float:
    """From a box to a circle's edge (0 where they touch or overlap)."""
    x, y, r = circle
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return max(math.hypot(x - nx, y - ny) - r, 0.0)


def _hits_box(a: Box, b: Box, margin: float) -> bool:
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def _candidate(
    circle: tuple[float, float, float], u: tuple[float, float], d: float, w: float, h: float
) -> Box:
    """The box of size w x h whose nearest side (or corner) is `d` beyond the circle, in
    direction `u`."""
    x, y, r = circle
    px, py = x + u[0] * (r + d), y + u[1] * (r + d)
    fx = 0.5 - 0.5 * max(-1.0, min(1.0, u[0] / 0.7))
    fy = 0.5 - 0.5 * max(-1.0, min(1.0, u[1] / 0.7))
    x0, y0 = px - fx * w, py - fy * h
    return (x0, y0, x0 + w, y0 + h)


def _extent(boxes: Sequence[Box], aspect: float) -> float:
    """How large a frame around `boxes` must be drawn on a screen `aspect` times as wide as
    tall: its height, or its width over `aspect`, whichever is more."""
    w = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    h = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    return max(w / aspect, h)


def place(
    circles: Sequence[tuple[float, float, float]],
    sizes: Sequence[tuple[float, float]],
    gap: float,
    aspect: float = 2.4,
) -> list[Box]:
    """A box for each label (`sizes[i]`: its width and height) beside circle i: on no circle
    and no other label, each at least `gap` from them. Of the free spots nearest its circle,
    one nearer its own circle than any other, and of those the one that least enlarges the map
    drawn on a screen `aspect` times as wide as tall (the ladder's order breaks ties)."""
    placed: dict[int, Box] = {}
    frame: list[Box] = [(x - r, y - r, x + r, y + r) for x, y, r in circles]
    order = sorted(range(len(circles)), key=lambda i: (-sizes[i][0], i))
    for i in order:
        w, h = sizes[i]
        taken = list(placed.values())
        reach = _extent(frame + taken, 1.0) + w + h + 2 * gap
        step, d = max(h / 2, 1e-6), gap
        while i not in placed:
            free = [
                box
                for box in (_candidate(circles[i], u, d, w, h) for u in DIRECTIONS)
                if not any(_hits_circle(box, c, gap) for c in circles)
                and not any(_hits_box(box, b, gap) for b in taken)
            ]
            if free:  # nearest its own circle first; min keeps the first of equals
                placed[i] = min(
                    free,
                    key=lambda b: (
                        _distance(b, circles[i]) > min(_distance(b, c) for c in circles),
                        round(_extent([*frame, *taken, b], aspect), 6),
                    ),
                )
            d += step if d < reach else reach  # far enough out, a spot is always free
    return [placed[i] for i in range(len(circles))]


WRAP = 12
"""A hyphenated name longer than this many letters is set on two lines, broken after the
hyphen nearest its middle ("Hardinxveld-" over "Giessendam"), as maps do."""


def lines(name: str) -> list[str]:
    """The lines a name is set on: itself, or two, broken after a hyphen (`WRAP`)."""
    cuts = [k + 1 for k, c in enumerate(name) if c == "-"]
    if len(name) <= WRAP or not cuts:
        return [name]
    k = min(cuts, key=lambda k: (abs(len(name) - 2 * k), k))
    return [name[:k], name[k:]]


@dataclass(frozen=True)
class Label:
    """What a municipality's label holds: its name, and room for this month's marks (the
    widest ✓n and ✗n the run ever shows; empty when it never shows one)."""

    name: str
    paid: str = ""
    withheld: str = ""


def layout(
    circles: Sequence[tuple[float, float, float]],
    labels: Sequence[Label],
    size: float,
    spread: float = 1.0,
) -> dict:
    """The labels at type size `size` (map units) beside `circles` (x, y, r in map units),
    the circles' distances from the map's middle times `spread`: `at`, each circle's centre;
    `labels`, per label [its first baseline, x of ✓, x of ✗, ✓'s room, ✗'s room, then x and
    width of each of its `lines`] (the marks on the first line, on the side away from the
    circle); `leads`, a line from circle to name where they stand apart; `view`, the frame
    around circles and labels (x, y, width, height); `line`, from one baseline to the next."""
    mx = (min(c[0] for c in circles) + max(c[0] for c in circles)) / 2
    my = (min(c[1] for c in circles) + max(c[1] for c in circles)) / 2
    circles = [(mx + (x - mx) * spread, my + (y - my) * spread, r) for x, y, r in circles]
    g = GAP * size
    rows = []
    for lab in labels:
        wl = [text_width(line, size) for line in lines(lab.name)]
        wp = text_width(lab.paid, size) if lab.paid else 0.0
        ww = text_width(lab.withheld, size) if lab.withheld else 0.0
        rows.append((wl, wp, ww))
    sizes = [
        (max(wl[0] + (g + wp if wp else 0) + (g + ww if ww else 0), *wl), len(wl) * HEIGHT * size)
        for wl, wp, ww in rows
    ]
    boxes = place(circles, sizes, g)
    out, names = [], []
    for (wl, wp, ww), b, c in zip(rows, boxes, circles, strict=True):
        marks = (g + wp if wp else 0) + (g + ww if ww else 0)
        if (b[0] + b[2]) / 2 < c[0]:  # left of its circle: the name next to it, marks outside
            xs = [b[2] - w for w in wl]
            xp = b[2] - wl[0] - marks
        else:
            xs = [b[0]] * len(wl)
            xp = b[0] + wl[0] + g
        xw = xp + (wp + g if wp else 0)
        row = (
            b[1] + BASELINE * size,
            xp,
            xw,
            wp,
            ww,
            *(v for x, w in zip(xs, wl, strict=True) for v in (x, w)),
        )
        out.append([round(v, 1) for v in row])
        names.append((min(xs), b[1], max(x + w for x, w in zip(xs, wl, strict=True)), b[3]))
    leads = [_lead(c, b, size) for c, b in zip(circles, names, strict=True)]
    every = [(c[0] - c[2], c[1] - c[2], c[0] + c[2], c[1] + c[2]) for c in circles] + boxes
    pad = 2 * g
    x0, y0 = min(b[0] for b in every) - pad, min(b[1] for b in every) - pad
    x1, y1 = max(b[2] for b in every) + pad, max(b[3] for b in every) + pad
    view = [round(v, 1) for v in (x0, y0, x1 - x0, y1 - y0)]
    at = [[round(c[0], 1), round(c[1], 1)] for c in circles]
    line = round(HEIGHT * size, 1)
    return {
        "size": size,
        "spread": spread,
        "at": at,
        "labels": out,
        "leads": leads,
        "view": view,
        "line": line,
    }


def _lead(circle: tuple[float, float, float], box: Box, size: float) -> list[float] | None:
    """A thin line from a circle to its label, when the label is farther from it than half
    its type size (from the circle's edge to the label's nearest point); else None."""
    x, y, r = circle
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    d = math.hypot(nx - x, ny - y)
    if d - r <= 0.5 * size or d == 0:
        return None
    ux, uy = (nx - x) / d, (ny - y) / d
    return [round(v, 1) for v in (x + ux * r, y + uy * r, nx, ny)]


def layouts(circles: Sequence[tuple[float, float, float]], labels: Sequence[Label]) -> list[dict]:
    """`layout` for each of `SIZES` and `SPREADS`."""
    return [layout(circles, labels, s, f) for s in SIZES for f in SPREADS]


def choose(options: Sequence[dict], width: float, height: float, wanted: float) -> dict:
    """Of the layouts whose names are at least `wanted` pixels on a map drawn `width` x
    `height` pixels (fitted whole, as SVG's 'meet'), the one that draws the circles largest
    (least spread first); when none is, the one whose names come out largest. (The page's
    player.js does the same, `chooseLayout`.)"""

    def scale(o: dict) -> float:
        return min(width / o["view"][2], height / o["view"][3])

    fit = [o for o in options if o["size"] * scale(o) >= wanted]
    if not fit:
        return max(options, key=lambda o: (o["size"] * scale(o), -o["spread"]))
    return max(fit, key=lambda o: (scale(o), -o["spread"]))
