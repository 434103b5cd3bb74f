"""Where each municipality is drawn on a run's map: (x, y, radius) in a unit box, y down.

On the map when every municipality has a town centre in sim/data/places.toml (degrees and
minutes, as a Wikipedia infobox prints them) and they are not all in one place; otherwise on a
circle around the centre. Circles grow with the square root of inhabitants and are pushed apart
until none overlap. Plain data for the viewer (sim/present/view.py), the animation and the app.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from importlib import resources

MAX_RADIUS = 0.085  # the largest municipality's circle, as a share of the map's width
MIN_RADIUS = 0.03
MARGIN = 0.12  # room kept free at the map's edges, for labels
GAP = 0.012  # between two circles after they are pushed apart

PRIME = "\u2032"  # the minute sign, as the infoboxes print it (an apostrophe is taken too)
_DMS = re.compile(rf"^\s*(\d+)°(?:(\d+)[{PRIME}'])?\s*([NSEW])\s*$")


def parse_degrees(text: str) -> float:
    """'51°48\u2032N' -> 51.8 (degrees and minutes, as a Wikipedia infobox prints them)."""
    m = _DMS.match(text)
    if m is None:
        raise ValueError(f"not a coordinate in degrees and minutes: {text!r}")
    value = int(m.group(1)) + int(m.group(2) or 0) / 60.0
    return -value if m.group(3) in "SW" else value


def places() -> dict[str, tuple[float, float]]:
    """Town centres by municipality name: (latitude, longitude), sim/data/places.toml."""
    source = resources.files("sim.data").joinpath("places.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return {
        name: (parse_degrees(p["latitude"]), parse_degrees(p["longitude"]))
        for name, p in data.items()
    }


def _circle_layout(names: Sequence[str], centre: str) -> dict[str, tuple[float, float]]:
    """The fallback: the centre in the middle, the others evenly on a circle, from the top."""
    others = [n for n in names if n != centre]
    out = {centre: (0.5, 0.5)} if centre in names else {}
    for k, name in enumerate(others):
        angle = 2 * math.pi * k / max(1, len(others)) - math.pi / 2
        out[name] = (0.5 + 0.36 * math.cos(angle), 0.5 + 0.36 * math.sin(angle))
    return out


def _map_layout(coords: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]] | None:
    """Coordinates projected (longitude shrunk by cos(latitude)) into the unit box, north up."""
    lat0 = sum(lat for lat, _ in coords.values()) / len(coords)
    xs = {n: lon * math.cos(math.radians(lat0)) for n, (_, lon) in coords.items()}
    ys = {n: lat for n, (lat, _) in coords.items()}
    span = max(max(xs.values()) - min(xs.values()), max(ys.values()) - min(ys.values()))
    if span <= 0:
        return None  # all in one place: nothing to draw a map from
    x0 = (max(xs.values()) + min(xs.values())) / 2
    y0 = (max(ys.values()) + min(ys.values())) / 2
    scale = (1 - 2 * MARGIN) / span
    return {n: (0.5 + (xs[n] - x0) * scale, 0.5 - (ys[n] - y0) * scale) for n in coords}


def _push_apart(pos: dict[str, list[float]], radius: dict[str, float], rounds: int = 400) -> None:
    """Move overlapping circles apart, a little at a time, in a fixed order (deterministic)."""
    names = list(pos)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                dx = pos[b][0] - pos[a][0]
                dy = pos[b][1] - pos[a][1]
                d = math.hypot(dx, dy)
                need = radius[a] + radius[b] + GAP
                if d >= need:
                    continue
                if d == 0:
                    dx, dy, d = 1.0, 0.0, 1.0
                push = (need - d) / 2
                ux, uy = dx / d, dy / d
                pos[a][0] -= ux * push
                pos[a][1] -= uy * push
                pos[b][0] += ux * push
                pos[b][1] += uy * push
                moved = True
        for n in names:  # stay inside the box
            r = radius[n]
            pos[n][0] = min(max(pos[n][0], r), 1 - r)
            pos[n][1] = min(max(pos[n][1], r), 1 - r)
        if not moved:
            return


def layout(
    municipalities: Sequence[tuple[str, int]], centre: str
) -> dict[str, tuple[float, float, float]]:
    """Where each municipality is drawn: (x, y, radius) in a unit box, y pointing down.

    On the map when every municipality has a town centre in sim/data/places.toml and they are
    not all in one place; otherwise on a circle around the centre. The radius grows with the
    square root of inhabitants (the circle's area with the population).
    """
    names = [n for n, _ in municipalities]
    known = places()
    spots = None
    if all(n in known for n in names):
        spots = _map_layout({n: known[n] for n in names})
    if spots is None:
        spots = _circle_layout(names, centre)
    biggest = max(p for _, p in municipalities)
    radius = {
        n: max(MIN_RADIUS, MAX_RADIUS * math.sqrt(p / biggest)) if biggest > 0 else MIN_RADIUS
        for n, p in municipalities
    }
    if len(names) > 12:  # a large synthetic region: smaller circles so that they fit
        shrink = math.sqrt(12 / len(names))
        radius = {n: r * shrink for n, r in radius.items()}
    pos = {n: list(spots[n]) for n in names}
    _push_apart(pos, radius)
    return {n: (round(pos[n][0], 4), round(pos[n][1], 4), round(radius[n], 4)) for n in names}
