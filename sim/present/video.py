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

SIZE = {"gif": (960, 540), "mp4": (1280, 720)}  # pixels; mp4 wants multiples of 16
MONTH_SECONDS = {"gif": 0.5, "mp4": 0.5}
PAID, WITHHELD = "#009e73", "#d55e00"  # Okabe-Ito bluish green and vermillion
OWN = {False: "#a8447f", True: "#6a1f55"}  # the ownership ring (player.css's --own)


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
        base=11 if projector else 9,
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
    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
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
    """Calendar month `t`: the title and the month, then each run in its column."""
    base = style.base
    fig.clear()
    fig.patch.set_facecolor("white")
    fig.text(0.01, 0.97, title, fontsize=base + 4, weight="bold", va="top")
    fig.text(0.99, 0.97, label, fontsize=base + 4, weight="bold", va="top", ha="right")
    runs = data["runs"]
    for k, run in enumerate(runs):
        index = data["rows"][t][k]
        column = _Column(left=k / len(runs), w=1 / len(runs), n=len(runs))
        _draw_run(fig, run, index, column, data["words"], style)


@dataclass(frozen=True)
class _Column:
    """A run's column of the frame: its left edge and width (shares of the frame's width), and
    how many runs stand side by side."""

    left: float
    w: float
    n: int


def _draw_run(
    fig: Any, run: dict[str, Any], index: int, col: _Column, words: dict, style: _Style
) -> None:
    """One run's column: its title, the map of trust and municipalities, the tables and
    projects as text, the month's caption, and the strip of running series."""
    frame = run["initial"] if index < 0 else run["frames"][index]
    left, w, base = col.left, col.w, style.base
    fig.text(left + 0.01, 0.91, run["title"], fontsize=base + 2, weight="bold")
    if index < 0:
        fig.text(
            left + w - 0.01, 0.91, run["notStarted"], fontsize=base, ha="right", color=WITHHELD
        )
    small = base - (2 if col.n > 1 else 0)  # side by side: smaller side text
    ax = fig.add_axes((left + 0.005, 0.36, w * 0.56, 0.54))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw_map(ax, run["munis"], frame, style)
    fits = int(w * 0.40 * style.width / (0.8 * small))  # characters the column holds
    y = 0.88
    for text_, weight, colour in _side_lines(run, frame, words)[:22]:
        shown = text_ if len(text_) <= fits else text_[: fits - 1] + "…"
        fig.text(
            left + w * 0.58, y, shown, fontsize=small - 1, weight=weight, color=colour, va="top"
        )
        y -= 0.028 if style.projector else 0.024
    # The caption, wrapped, and the strip.
    chars = int(110 * w * (9 / base))
    caption = "\n".join(textwrap.wrap(frame["caption"], chars)[:3])
    fig.text(left + 0.01, 0.33, caption, fontsize=base, va="top")
    for q, series in enumerate(run["strip"]):
        _draw_series(fig, run, frame, index, q, series, col, small, style)


def _draw_map(ax: Any, munis: list[dict], frame: dict[str, Any], style: _Style) -> None:
    """Trust as wedges between municipalities (wider and darker with more trust), then each
    municipality as a circle coloured by its state, with its ownership as a ring inside the
    edge (filled clockwise from the top), named, with its instalments paid (✓, right) and
    withheld (✗, left) this month."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Arc, Circle

    wedges, colours = _trust_wedges(munis, frame["t"], style)
    ax.add_collection(PolyCollection(wedges, facecolors=colours, alpha=0.85, lw=0))
    base = style.base
    for i, m in enumerate(munis):
        row = frame["m"][i]
        fill = style.cmap(row[0]) if row[0] is not None else "#bdbdbd"
        ax.add_patch(
            Circle(
                (m["x"], m["y"]),
                m["r"],
                facecolor=fill,
                edgecolor="black",
                lw=2 if m["centre"] else 1,
            )
        )
        ring = (m["x"], m["y"]), 2 * m["r"] * 0.8, 2 * m["r"] * 0.8
        ax.add_patch(Circle(ring[0], m["r"] * 0.8, fill=False, edgecolor="white", lw=4))
        own = row[style.ownership] or 0.0
        if own > 0:  # y points down: angles run clockwise from the top (-90)
            ax.add_patch(
                Arc(*ring, theta1=-90, theta2=-90 + 360 * own, color=OWN[style.projector], lw=2.5)
            )
        ax.text(
            m["x"],
            m["y"] + m["r"] + 0.03,
            m["name"],
            ha="center",
            va="top",
            fontsize=base - 1,
            weight="bold",
        )
        paid, withheld = row[style.states], row[style.states + 1]
        marks = ((paid, "✓", PAID, 1), (withheld, "✗", WITHHELD, -1))
        for count, sign, colour, side in marks:  # paid right, withheld left
            if count:
                ax.text(
                    m["x"] + side * m["r"] * 0.8,
                    m["y"] - m["r"] * 0.8,
                    sign + (str(count) if count > 1 else ""),
                    color=colour,
                    fontsize=base + 3,
                    weight="bold",
                    ha="center",
                )
    xs = [m["x"] for m in munis]
    ys = [m["y"] for m in munis]
    ax.set_xlim(min(xs) - 0.12, max(xs) + 0.12)
    ax.set_ylim(max(ys) + 0.14, min(ys) - 0.1)  # y points down, as on the page


def _trust_wedges(munis: list[dict], trust: list[list], style: _Style) -> tuple[list, list]:
    """For each ordered pair (i, j), a wedge from i toward j on i's side of the line between
    them, as wide as i's trust in j, and its colour from grey (none) to full trust."""
    wedges, colours = [], []
    for i, a in enumerate(munis):
        for j, b in enumerate(munis):
            if i == j:
                continue
            v = trust[i][j] or 0.0
            dx, dy = b["x"] - a["x"], b["y"] - a["y"]
            d = math.hypot(dx, dy) or 1.0
            ux, uy = dx / d, dy / d
            px, py = uy, -ux
            off, wd = 0.006, 0.002 + 0.014 * v
            sx, sy = a["x"] + ux * a["r"], a["y"] + uy * a["r"]
            ex, ey = b["x"] - ux * b["r"], b["y"] - uy * b["r"]
            wedges.append(
                [
                    (sx + px * off, sy + py * off),
                    (sx + px * (off + wd), sy + py * (off + wd)),
                    (ex + px * (off + 0.002), ey + py * (off + 0.002)),
                    (ex + px * off, ey + py * off),
                ]
            )
            colours.append(style.grey + (style.trust_to - style.grey) * min(max(v, 0.0), 1.0))
    return wedges, colours


def _side_lines(run: dict[str, Any], frame: dict[str, Any], words: dict) -> list[tuple]:
    """The tables (● met this month, ○ not) and the running and closed projects, as lines of
    (text, weight, colour)."""
    themes, munis = run["themes"], run["munis"]
    lines = [(words["tables"].upper(), "bold", "black")]
    for q, tb in enumerate(frame["tb"]):
        mark = "● " if tb[0] else "○ "
        lines.append((mark + themes[q]["label"], "bold" if tb[0] else "normal", "black"))
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
    sx = fig.add_axes((left + 0.01 + q * each, 0.05, each - 0.02, 0.1))
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
    label_fits = int(160 / len(run["strip"]) / col.n)
    name = (
        series["label"]
        if len(series["label"]) <= label_fits
        else series["label"][: label_fits - 1] + "…"
    )
    sx.set_title(f"{name}\n{value}", fontsize=small - 2, loc="left")


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
        macro_block_size=16,
        ffmpeg_log_level="error",  # not its notes on a short input's frame rate
        output_params=["-metadata", f"comment={mark}", "-movflags", "+faststart"],
    )
    try:
        for f in frames:
            writer.append_data(f)
    finally:
        writer.close()
