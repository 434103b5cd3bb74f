"""`samenspel animate --format gif|mp4`: the player's frames drawn as a video.

The same data as the HTML page (sim/present/animate.py, `page_data`: words and numbers already in
the chosen language), drawn with matplotlib one calendar month per frame; a GIF is written with
Pillow, an MP4 with imageio and the ffmpeg that imageio-ffmpeg's wheel ships. These libraries are
imported here only, and this module only for a video: the model and a sweep never load them. A video
has no selector, so municipalities are coloured by the first state (energy); the ring inside each
circle is its ownership, as on the page.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.model.config import ConfigError

SIZE = {"gif": (1920, 1080), "mp4": (1920, 1080)}  # pixels: a projector's 1080p
MONTH_SECONDS = {"gif": 0.5, "mp4": 0.5}
PAID, WITHHELD = "#009e73", "#d55e00"  # Okabe-Ito bluish green and vermillion
OWN = {False: "#a8447f", True: "#6a1f55"}  # the ownership ring (player.css's --own)
DPI = 100
LEGEND_TOP = 0.16  # the legend's share of the frame, at its foot


def check(fmt: str) -> None:
    """The libraries `fmt` needs can be imported; ConfigError naming the missing ones."""
    missing = []
    for module in ["matplotlib", "PIL"] + (["imageio", "imageio_ffmpeg"] if fmt == "mp4" else []):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ConfigError(
            f"--format: {fmt} needs {', '.join(missing)}; install them with "
            "`pip install 'samenspel[video]'`, or choose --format html"
        )


@dataclass(frozen=True)
class _Style:
    """How every frame is drawn: the palette and type size (larger and high-contrast for a
    projector), and the frame's width in pixels."""

    projector: bool
    base: int  # font size of the body text
    cmap: Any  # a municipality's colour by its state
    trust_to: Any  # RGB of full trust; no trust is `grey`
    grey: Any
    width: int
    ownership: int  # where a municipality's frame row holds its ownership (page_data's)
    states: int  # how many states a row holds before this month's paid and withheld


def _style(projector: bool, width: int, ownership: int, states: int) -> _Style:
    import numpy as np
    from matplotlib import colormaps

    return _Style(
        projector=projector,
        base=17 if projector else 14,  # points: 24 and 19 pixels at 1080p
        cmap=colormaps["cividis" if projector else "viridis"],
        trust_to=np.array([0, 0, 0] if projector else [0, 0x72, 0xB2]) / 255,
        grey=np.array([0xD4, 0xD4, 0xD4]) / 255,
        width=width,
        ownership=ownership,
        states=states,
    )


def _frames(data: dict[str, Any], width: int, height: int, title: str) -> Iterator[Any]:
    """One RGB image (numpy array) per calendar month."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    style = _style(data["projector"], width, data["ownership"], len(data["states"]))
    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    try:
        for t, label in enumerate(data["calendar"]):
            _draw_month(fig, data, t, label, title, style)
            fig.canvas.draw()
            # matplotlib types fig.canvas as the base class; the Agg canvas here has buffer_rgba
            image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()  # type: ignore[attr-defined]
            yield image
    finally:
        plt.close(fig)


def _draw_month(
    fig: Any, data: dict[str, Any], t: int, label: str, title: str, style: _Style
) -> None:
    """Calendar month `t`: the title and the month, each run in its column, the legend."""
    base = style.base
    fig.clear()
    fig.patch.set_facecolor("white")
    fig.text(0.01, 0.985, title, fontsize=base + 2, weight="bold", va="top")
    fig.text(0.99, 0.985, label, fontsize=base + 2, weight="bold", va="top", ha="right")
    runs = data["runs"]
    for k, run in enumerate(runs):
        index = data["rows"][t][k]
        column = _Column(left=k / len(runs), w=1 / len(runs), n=len(runs))
        _draw_run(fig, run, index, t > run["lastCalendar"], column, data["words"], style)
    _draw_legend(fig, data["legend"], style)


@dataclass(frozen=True)
class _Column:
    """A run's column of the frame: its left edge and width (shares of the frame's width), and
    how many runs stand side by side."""

    left: float
    w: float
    n: int


def _line(points: float, height: int) -> float:
    """A line of text of `points`, as a share of a frame `height` pixels tall."""
    return points * 1.35 / 72 * DPI / height


def _draw_run(
    fig: Any,
    run: dict[str, Any],
    index: int,
    ended: bool,
    col: _Column,
    words: dict,
    style: _Style,
) -> None:
    """One run's column: its title (and, once it has ended, that it has), the map of trust
    and municipalities, the tables and projects as text, the month's caption, and the strip
    of running series."""
    frame = run["initial"] if index < 0 else run["frames"][index]
    left, w, base = col.left, col.w, style.base
    height = round(style.width * 9 / 16)
    fig.text(left + 0.01, 0.93, run["title"], fontsize=base + 1, weight="bold", va="top")
    status = run["notStarted"] if index < 0 else run["ended"] if ended else ""
    fig.text(left + w - 0.01, 0.93, status, fontsize=base, ha="right", va="top", color=WITHHELD)
    small = base - (2 if col.n > 1 else 0)  # side by side: smaller side text
    box = (left + 0.005, 0.395, w * 0.6, 0.5)
    ax = fig.add_axes(box)
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw_map(ax, run, frame, ended, (box[2] * style.width, box[3] * height), style)
    fits = int(w * 0.38 * style.width / (0.62 * small / 72 * DPI))  # characters a line holds
    y, step = 0.88, _line(small, height)
    for text_, weight, colour in _side_lines(run, frame, words, ended):
        if y < 0.40:
            break
        shown = text_ if len(text_) <= fits else text_[: fits - 1] + "…"
        fig.text(left + w * 0.62, y, shown, fontsize=small, weight=weight, color=colour, va="top")
        y -= step
    # The caption: as many of its events as fit two lines, then "and n more".
    chars = int(w * 0.97 * style.width / (0.55 * base / 72 * DPI))
    caption = _fitted(run["ended"] if ended else frame["caption"], chars, words)
    fig.text(left + 0.01, 0.385, caption, fontsize=base, va="top", linespacing=1.2)
    for q, series in enumerate(run["strip"]):
        _draw_series(fig, run, frame, index, q, series, col, small, style)


def _fitted(caption: str, chars: int, words: dict) -> str:
    """A caption's events, as many as two lines of `chars` hold, and how many more there are
    (the page's player does the same)."""
    cut = caption.find(": ")
    events = (caption[cut + 2 :] if 0 < cut < 40 else caption).split(words["separator"])
    for k in range(len(events), 0, -1):
        rest = len(events) - k
        text_ = words["separator"].join(events[:k])
        if rest:
            text_ += " " + words["caption_more"].replace("{count}", str(rest))
        wrapped = textwrap.wrap(text_, chars)
        if len(wrapped) <= 2:
            return "\n".join(wrapped)
    more = " " + words["caption_more"].replace("{count}", str(max(len(events) - 1, 1)))
    return "\n".join(textwrap.wrap(events[0], chars - len(more) // 2)[:2]) + "…" + more


def _draw_legend(fig: Any, items: list, style: _Style) -> None:
    """The page's legend (sim/present/animate_legend.py, the same words), at the frame's
    foot: its items one after another, wrapped to the frame's width."""
    size = style.base - 5
    colours = {"paid": PAID, "withheld": WITHHELD}
    chars = int(0.98 * style.width / (0.62 * size / 72 * DPI))
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for kind, text_ in items:
        for piece in textwrap.wrap(text_, chars):
            if used and used + len(piece) + 3 > chars:
                lines.append([])
                used = 0
            lines[-1].append((piece, colours.get(kind, "#333333")))
            used += len(piece) + 3
    height = round(style.width * 9 / 16)
    y, step = LEGEND_TOP - 0.01, _line(size, height)
    fig.add_artist(_rule(LEGEND_TOP))
    for line in lines:
        x = 0.01
        for piece, colour in line:
            t = fig.text(x, y, piece, fontsize=size, color=colour, va="top")
            x += (len(piece) + 3) * 0.62 * size / 72 * DPI / style.width
            del t
        y -= step


def _rule(y: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([0.0, 1.0], [y, y], color="#999999", lw=1)


def _draw_map(
    ax: Any,
    run: dict[str, Any],
    frame: dict[str, Any],
    ended: bool,
    size: tuple[float, float],
    style: _Style,
) -> None:
    """Trust as wedges between municipalities (wider and darker with more trust), then each
    municipality as a circle coloured by its state, with its ownership as a ring inside the
    edge (filled clockwise from the top), named where the page names it (the same layouts,
    sim/present/labels.py, chosen for this map's size in pixels), with its instalments paid
    (✓) and withheld (✗) this month beside the name."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Arc, Circle

    from sim.present.labels import UNIT, choose

    munis = run["munis"]
    layout = (
        choose(run["layouts"], size[0], size[1], style.base / 72 * DPI) if run["layouts"] else None
    )
    at = layout["at"] if layout else [[m["x"] * UNIT, m["y"] * UNIT] for m in munis]
    spots = [(x, y, m["r"] * UNIT) for (x, y), m in zip(at, munis, strict=True)]
    wedges, colours = _trust_wedges(spots, frame["t"], style)
    ax.add_collection(PolyCollection(wedges, facecolors=colours, alpha=0.85, lw=0))
    for i, (m, (x, y, r)) in enumerate(zip(munis, spots, strict=True)):
        row = frame["m"][i]
        fill = style.cmap(row[0]) if row[0] is not None else "#bdbdbd"
        lw = 2 if m["centre"] else 1
        ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor="black", lw=lw))
        ax.add_patch(Circle((x, y), r * 0.8, fill=False, edgecolor="white", lw=4))
        own = row[style.ownership] or 0.0
        if own > 0:  # y points down: angles run clockwise from the top (-90)
            ax.add_patch(
                Arc(
                    (x, y),
                    1.6 * r,
                    1.6 * r,
                    theta1=-90,
                    theta2=-90 + 360 * own,
                    color=OWN[style.projector],
                    lw=2.5,
                )
            )
    if layout is None:
        xs, ys = [p[0] for p in spots], [p[1] for p in spots]
        ax.set_xlim(min(xs) - 40, max(xs) + 40)
        ax.set_ylim(max(ys) + 40, min(ys) - 40)
        return
    _draw_labels(ax, run, frame, ended, layout, size, style)


def _draw_labels(
    ax: Any,
    run: dict[str, Any],
    frame: dict[str, Any],
    ended: bool,
    layout: dict[str, Any],
    size: tuple[float, float],
    style: _Style,
) -> None:
    """The names, their marks and their leader lines, as the layout places them; the map
    framed around them (y pointing down, as on the page)."""
    from matplotlib import patheffects

    vx, vy, vw, vh = layout["view"]
    scale = min(size[0] / vw, size[1] / vh)  # pixels per map unit
    points = layout["size"] * scale * 72 / DPI
    halo = [patheffects.withStroke(linewidth=points * 0.25, foreground="white")]
    for i, (m, b) in enumerate(zip(run["munis"], layout["labels"], strict=True)):
        lead = layout["leads"][i]
        if lead:
            ax.plot([lead[0], lead[2]], [lead[1], lead[3]], color="black", lw=1)
        for q, line in enumerate(m["lines"]):
            ax.text(
                b[5 + 2 * q],
                b[0] + q * layout["line"],
                line,
                fontsize=points,
                weight="bold",
                va="baseline",
                ha="left",
                path_effects=halo,
            )
        row = frame["m"][i]
        paid, withheld = (0, 0) if ended else (row[style.states], row[style.states + 1])
        for count, sign, colour, x in ((paid, "✓", PAID, b[1]), (withheld, "✗", WITHHELD, b[2])):
            if count:
                ax.text(
                    x,
                    b[0],
                    sign + (str(count) if count > 1 else ""),
                    color=colour,
                    fontsize=points,
                    weight="bold",
                    va="baseline",
                    ha="left",
                    path_effects=halo,
                )
    ax.set_xlim(vx, vx + vw)
    ax.set_ylim(vy + vh, vy)


def _trust_wedges(spots: list[tuple], trust: list[list], style: _Style) -> tuple[list, list]:
    """For each ordered pair (i, j), a wedge from i toward j on i's side of the line between
    them, as wide as i's trust in j, and its colour from grey (none) to full trust (`spots`:
    each circle's x, y and radius in map units)."""
    wedges, colours = [], []
    for i, (ax_, ay, ar) in enumerate(spots):
        for j, (bx, by, br) in enumerate(spots):
            if i == j:
                continue
            v = trust[i][j] or 0.0
            dx, dy = bx - ax_, by - ay
            d = math.hypot(dx, dy) or 1.0
            ux, uy = dx / d, dy / d
            px, py = uy, -ux
            off, wd = 6.0, 2.0 + 14.0 * v
            sx, sy = ax_ + ux * ar, ay + uy * ar
            ex, ey = bx - ux * br, by - uy * br
            wedges.append(
                [
                    (sx + px * off, sy + py * off),
                    (sx + px * (off + wd), sy + py * (off + wd)),
                    (ex + px * (off + 2), ey + py * (off + 2)),
                    (ex + px * off, ey + py * off),
                ]
            )
            colours.append(style.grey + (style.trust_to - style.grey) * min(max(v, 0.0), 1.0))
    return wedges, colours


def _side_lines(
    run: dict[str, Any], frame: dict[str, Any], words: dict, ended: bool = False
) -> list[tuple]:
    """The tables (● met this month, ○ not; none once the run has ended) and the running and
    closed projects, as lines of (text, weight, colour)."""
    themes, munis = run["themes"], run["munis"]
    lines = [(words["tables"].upper(), "bold", "black")]
    for q, tb in enumerate(frame["tb"]):
        met = tb[0] and not ended
        mark = "● " if met else "○ "
        count = f" {tb[1] + tb[2]}"
        lines.append((mark + themes[q]["label"] + count, "bold" if met else "normal", "black"))
    lines.append(("", "normal", "black"))
    lines.append((words["coalitions"].upper(), "bold", "black"))
    if not frame["p"] and not frame["c"]:
        lines.append((words["no_projects"], "normal", "#555555"))
    for p in frame["p"][:6]:
        head = words["project"].format(pid=p[0], theme=themes[p[1]]["label"])
        members = " ".join(munis[mi]["short"] for mi, _ in p[3])
        lines.append((head, "bold" if p[2] else "normal", "black"))
        lines.append(("   " + members, "normal", "#333333"))
    for c in frame["c"][:3]:
        head = words["project"].format(pid=c[0], theme=themes[c[1]]["label"])
        lines.append((f"{head} ({c[2]})", "normal", "#777777"))
    return lines


def _draw_series(
    fig: Any,
    run: dict[str, Any],
    frame: dict[str, Any],
    index: int,
    q: int,
    series: dict[str, str],
    col: _Column,
    small: int,
    style: _Style,
) -> None:
    """The strip's series `q` up to this month, on the scale of the whole run, titled with its
    name and this month's value."""
    import numpy as np

    left, w = col.left, col.w
    upto = max(index, -1)
    each = w / len(run["strip"])
    sx = fig.add_axes((left + 0.01 + q * each, LEGEND_TOP + 0.01, each - 0.02, 0.05))
    vals = [f["s"][q] for f in run["frames"][: upto + 1]]
    every = [f["s"][q] for f in run["frames"] if f["s"][q] is not None]
    sx.plot(
        range(len(vals)),
        [np.nan if v is None else v for v in vals],
        color="black" if style.projector else "#0072b2",
        lw=1.5,
    )
    sx.set_xlim(0, len(run["frames"]) - 1)
    lo, hi = min([0.0, *every]), max([1e-9, *every])
    sx.set_ylim(lo, hi if hi > lo else lo + 1)
    sx.set_xticks([])
    sx.set_yticks([])
    for spine in ("top", "right"):
        sx.spines[spine].set_visible(False)
    value = frame["st"][q] + (" " + series["unit"] if series["unit"] else "")
    label_fits = int(each * 0.95 * style.width / (0.56 * (small - 2) / 72 * DPI))
    name = series["label"] if len(series["label"]) <= label_fits else series["short"]
    sx.set_title(f"{name}\n{value}\n{series['when']}", fontsize=small - 2, loc="left")


def write(
    data: dict[str, Any],
    path: Path,
    fmt: str,
    mark: str,
    *,
    progress: bool = False,
    title: str = "",
) -> None:
    """Draw every calendar month of `data` (sim.present.animate.page_data) into a video at `path`,
    with `mark` in its comment (how samenspel later knows the file is its own)."""
    check(fmt)
    from sim.io.progress import bar
    from sim.present.i18n import text

    width, height = SIZE[fmt]
    desc = text("cli.animate_drawing", data["lang"])
    with bar(len(data["calendar"]), desc, unit="frame", enabled=progress) as update:
        _write(_counted(_frames(data, width, height, title), update), path, fmt, mark)


def _counted(frames: Iterator[Any], update: Callable[[int], None]) -> Iterator[Any]:
    for f in frames:
        yield f
        update(1)


def _write(frames: Iterator[Any], path: Path, fmt: str, mark: str) -> None:
    seconds = MONTH_SECONDS[fmt]
    if fmt == "gif":
        from PIL import Image

        images = (Image.fromarray(f).quantize(colors=128) for f in frames)
        first = next(images)
        first.save(
            path,
            format="GIF",
            save_all=True,
            append_images=images,
            duration=int(seconds * 1000),
            loop=0,
            comment=mark.encode(),
        )
        return
    import imageio.v2 as imageio

    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=1 / seconds,
        codec="libx264",
        quality=7,
        macro_block_size=8,  # 1080 is a multiple of 8, not of 16
        ffmpeg_log_level="error",  # not its notes on a short input's frame rate
        output_params=["-metadata", f"comment={mark}", "-movflags", "+faststart"],
    )
    try:
        for f in frames:
            writer.append_data(f)
    finally:
        writer.close()
