"""`samenspel animate`: a run (or two side by side) played month by month, in one file.

The HTML is self-contained: the run's frames (sim/present/view.py) as a JSON block, a small player
in plain JavaScript and its style sheet (sim/data/animate/), no library and no network. A
Content-Security-Policy in the page forbids every fetch, so the page opens the same in a town hall
without internet as at a desk. `--format gif|mp4` draws the same frames as a video
(sim/present/video.py, matplotlib; imported only then).

Every word on the page comes from the language catalogue (sim/present/i18n.py) in the chosen
language, and every number is formatted there by Babel, so the player itself formats nothing.

Writing is as safe as every samenspel command (README, "Your data is safe"; sim/io/store.py,
`file_destination` and `write_file_atomically`): a file appears whole or not at all, and only a
file samenspel recorded writing there, unchanged since, is ever replaced, and only with
`--force`. (`MARK`, in every HTML, GIF and MP4 it makes, says which program made the file; it
is not what makes a file samenspel's.)
"""

from __future__ import annotations

import html
import io
import json
import os
import re
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sim.io.inputs import check_name
from sim.model.config import ConfigError, Scenario
from sim.present import animate_legend, i18n
from sim.present.embed import script_json

if TYPE_CHECKING:  # the command line builds its parser from this module: keep it light
    from sim.io.store import FileDestination
    from sim.present.view import Frame, Run

FORMATS = ("html", "gif", "mp4")
"""What `samenspel animate` writes: a page that plays in a browser, or a video."""

MARK = "samenspel:animate"
"""Written into every file samenspel animate makes (HTML meta tag, GIF comment, MP4 comment):
how a later run tells its own earlier file from one it must never replace."""

STATES = ("energy", "legitimacy", "pledges_paid", "ownership")
"""What the municipalities can be coloured by, in the order of the page's selector (the
player reads a municipality's row by this position)."""

STATE_WORDS = {"energy": "state_energy", "legitimacy": "state_legitimacy"}
STATE_WORDS["pledges_paid"] = "state_pledges"
STATE_WORDS["ownership"] = "state_ownership"

OWNERSHIP = STATES.index("ownership")
"""Where a municipality's row holds its ownership (the ring in each circle)."""

SHOWN = ("commitment_cum", "progress", "meeting_hours", "trust_mean", "image_of_centre")
"""The strip the player shows: the viewer's (sim/present/view.py, STRIP), but for the mean
ownership, which the ring in each circle shows municipality by municipality."""

MARKED = {"conversation": 1, "forum": 2}
"""Events the timeline under the caption marks, by their bit in a frame's `mk`."""


# --- the page's data -------------------------------------------------------------------------


def short_name(name: str) -> str:
    """A short form for the coalition chips: initials of a compound name ("HIA"), else the
    name itself up to seven letters ("Dordrecht" -> "Dordr.")."""
    parts = [p for p in re.split(r"[-\s]+", name) if p]
    if len(parts) > 1:
        return "".join(p[0].upper() for p in parts)
    return name if len(name) <= 7 else name[:5] + "."


LABELLED = 40
"""Up to this many municipalities a map names each beside its circle; beyond, a name is in
its circle's tooltip (placing hundreds of names is neither fast nor legible)."""


def map_labels(municipalities: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where the map puts each name and its marks, for each type size (sim/present/labels.py):
    room beside each name for a one-digit ✓ and ✗ (more is squeezed into it)."""
    from sim.present.labels import UNIT, Label, layouts

    if len(municipalities) > LABELLED:
        return []
    circles = [(m["x"] * UNIT, m["y"] * UNIT, m["r"] * UNIT) for m in municipalities]
    return layouts(circles, [Label(m["name"], "✓9", "✗9") for m in municipalities])


def _fmt(key: str, value: float | None, lang: str) -> str:
    """A strip value as the outcome catalogue says it is shown."""
    from sim.present.view import strip_outcome

    if value is None:
        return i18n.text("common.not_available", lang)
    o = strip_outcome(key)
    return i18n.number(value * o.scale, lang, o.decimals)


def _share(value: float | None, lang: str) -> str:
    return i18n.text("common.not_available", lang) if value is None else i18n.percent(value, lang)


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def compact(frame: Frame, meta: Frame, lang: str, strip: Sequence[str] = SHOWN) -> dict[str, Any]:
    """A view frame cut to what the player draws, its words in one language. A
    municipality's row: its `STATES`, then the instalments it paid and withheld this month,
    then its energy, legitimacy and pledges paid as words; `mk`: the `MARKED` events of the
    month, as bits; `s` and `st`: the values of `strip` (the viewer's keys), as numbers and
    as words."""
    names = {m["name"]: i for i, m in enumerate(meta["municipalities"])}
    themes = {t["key"]: i for i, t in enumerate(meta["themes"])}
    nobody = i18n.text("animate.nobody", lang)
    return {
        "caption": frame["captions"][lang],
        "m": [
            [
                *(_round(m[s]) for s in STATES),
                len(m["paid"]),
                len(m["withheld"]),
                i18n.number(m["energy"], lang, 2),
                i18n.number(m["legitimacy"], lang, 2),
                _share(m["pledges_paid"], lang),
            ]
            for m in frame["municipalities"]
        ],
        "t": [[_round(v) for v in row] for row in frame["trust"]],
        "tb": [
            [
                int(t["met"]),
                len(t["seated"]),
                len(t["clients"]),
                i18n.text(
                    "animate.seated", lang, names=", ".join(t["seated"] + t["clients"]) or nobody
                ),
            ]
            for t in frame["tables"]
        ],
        "p": [
            [
                p["pid"],
                themes[p["theme"]],
                int(p["adopted"]),
                [[names[ms["name"]], ms["mode"]] for ms in p["members"]],
            ]
            for p in frame["projects"]
        ],
        "c": [
            [c["pid"], themes[c["theme"]], _share(c["completion"], lang)] for c in frame["closed"]
        ],
        "s": [_round(frame["strip"][k], 4) for k in strip],
        "st": [_fmt(k, frame["strip"][k], lang) for k in strip],
        "mk": sum({MARKED.get(e["kind"], 0) for e in frame["events"]}),
    }


def words(lang: str) -> dict[str, Any]:
    """The catalogue's texts the player shows, by their key within `[animate]`."""
    out: dict[str, Any] = {
        key.removeprefix("animate."): value
        for key, value in i18n.catalogue(lang).items()
        if key.startswith("animate.")
    }
    out["not_available"] = i18n.text("common.not_available", lang)
    out["separator"] = i18n.text("caption.separator", lang)
    out["speeds"] = {
        str(s): i18n.text(
            "animate.speed_value", lang, speed=i18n.number(s, lang, 1 if s < 1 else 0)
        )
        for s in (0.5, 1, 2, 4)
    }
    return out


def page_data(
    runs: Sequence[Run], lang: str, projector: bool = False, frames: bool = True
) -> dict[str, Any]:
    """Everything the player needs: the shared calendar, and per run its frames (or, with
    `frames=False`, a placeholder where `write_html` streams them)."""
    from sim.present.view import align, calendar_start

    i18n.check_language(lang)
    metas = [r.meta for r in runs]
    rows = align(metas)
    start = calendar_start(metas)
    calendar = [i18n.month_label(start, t, lang) for t in range(len(rows))]
    return {
        "lang": lang,
        "words": words(lang),
        "calendar": calendar,
        "rows": rows,
        "projector": projector,
        "states": [
            {"key": s, "label": i18n.text(f"animate.{STATE_WORDS[s]}", lang)} for s in STATES
        ],
        "ownership": OWNERSHIP,
        "legend": animate_legend.items(_shorts(runs), SHOWN, lang),
        "runs": [_run_data(run, k, rows, lang, frames) for k, run in enumerate(runs)],
    }


def _run_data(
    run: Run, k: int, rows: list[list[int]], lang: str, frames: bool = True
) -> dict[str, Any]:
    """Run `k` as the player shows it: its titles, when it starts and ends on the shared
    calendar (`rows`), its municipalities, themes and strip in `lang`, and its frames."""
    from sim.present.labels import lines

    meta = run.meta
    first, last = (
        i18n.month_label(meta["start_year"], 0, lang),
        i18n.month_label(meta["start_year"], meta["months"] - 1, lang),
    )
    last_index = min(t for t, row in enumerate(rows) if row[k] == meta["months"] - 1)
    return {
        "title": meta["scenario"],
        "subtitle": i18n.text(
            "animate.subtitle",
            lang,
            region=meta["region"],
            seed=meta["seed"],
            start=first,
            end=last,
        ),
        "notStarted": i18n.text("animate.not_started", lang, month=first),
        "ended": i18n.text("animate.ended", lang, month=last),
        "lastCalendar": last_index,
        "layouts": map_labels(meta["municipalities"]),
        "munis": [
            {
                "name": m["name"],
                "short": short_name(m["name"]),
                "lines": lines(m["name"]),
                "popText": i18n.number(m["population"], lang, 0),
                "centre": m["centre"],
                "x": m["x"],
                "y": m["y"],
                "r": m["r"],
            }
            for m in meta["municipalities"]
        ],
        "themes": [
            {"label": t["label"][lang], "arrangement": t["arrangement"][lang]}
            for t in meta["themes"]
        ],
        "strip": [
            {
                "label": s["label"][lang],
                "unit": s["unit"][lang],
                "when": animate_legend.when(s["key"], lang),
                "short": i18n.text(f"animate.short_{s['key']}", lang),
            }
            for s in meta["strip"]
            if s["key"] in SHOWN
        ],
        "numbers": [i18n.number(v / 100, lang, 2) for v in range(101)],
        "initial": compact(run.initial, meta, lang),
        "frames": [compact(f, meta, lang) for f in run.frames] if frames else _slot(k),
    }


# --- the page --------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("sim.data").joinpath("animate", name).read_text(encoding="utf-8")


def _version() -> str:
    try:
        return metadata.version("samenspel")
    except metadata.PackageNotFoundError:
        return "unknown"


CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
"""The page's Content-Security-Policy: nothing may be fetched, from anywhere."""


def title(runs: Sequence[Run], lang: str) -> str:
    names = [r.meta["scenario"] for r in runs]
    what = (
        names[0]
        if len(names) == 1
        else i18n.text("common.versus", lang, left=names[0], right=names[1])
    )
    return i18n.text("animate.page_title", lang, scenario=what)


def _slot(k: int) -> str:
    """Where run k's frames go in the page's JSON while the rest of it is made."""
    return f"@@samenspel-frames-{k}@@"


def render_html(runs: Sequence[Run], lang: str, projector: bool = False) -> str:
    """The self-contained page that plays `runs` side by side, in language `lang`."""
    out = io.StringIO()
    write_html(out, runs, lang, projector)
    return out.getvalue()


def write_html(out: TextIO, runs: Sequence[Run], lang: str, projector: bool = False) -> None:
    """The page of `render_html`, written to `out` a month at a time: each frame is compacted
    and encoded as it comes (from `sim.present.view.streamed`, as the run steps), so the memory this
    takes does not grow with the months, however long the run."""
    head, tail = _page(runs, lang).split(_slot(-1))
    out.write(head)
    rest = script_json(page_data(runs, lang, projector, frames=False))
    for k, run in enumerate(runs):
        before, rest = rest.split(json.dumps(_slot(k)), 1)
        out.write(before + "[")
        for i, frame in enumerate(run.frames):
            out.write(("," if i else "") + script_json(compact(frame, run.meta, lang)))
        out.write("]")
    out.write(rest + tail)


def _shorts(runs: Sequence[Run]) -> list[dict[str, str]]:
    """Each municipality's name and the short form the project chips use."""
    return [
        {"name": m["name"], "short": short_name(m["name"])}
        for r in runs
        for m in r.meta["municipalities"]
    ]


def _page(runs: Sequence[Run], lang: str) -> str:
    """The page around its JSON block, which `_slot(-1)` stands in for."""

    def w(key: str, **fields: object) -> str:
        return html.escape(i18n.text(f"animate.{key}", lang, **fields))

    head = html.escape(title(runs, lang))
    footer = animate_legend.footer(_shorts(runs), SHOWN, lang)
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="generator" content="{MARK} {html.escape(_version())}">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{head}</title>
<style>
{_asset("player.css")}
</style>
</head>
<body>
<svg id="svgns" aria-hidden="true"></svg>
<header>
<h1>{head}</h1>
<div class="controls">
<button id="play" type="button" aria-pressed="false">{w("play")}</button>
<label><span class="what">{w("speed")}</span> <select id="speed"></select></label>
<label><span class="what">{w("month")}</span>
<input id="slider" type="range" min="0" max="0" step="1" value="0"></label>
<span id="month-label" aria-live="polite"></span>
<label><span class="what">{w("colour_by")}</span> <select id="state"></select></label>
<label title="{w("projector_hint")}"><input id="projector" type="checkbox"> {w("projector")}</label>
</div>
</header>
<main id="panels"></main>
{footer}
<script type="application/json" id="samenspel-data">{_slot(-1)}</script>
<script>
{_asset("player.js")}
</script>
</body>
</html>
"""


# --- where it goes, safely -------------------------------------------------------------------


SUFFIXES = {"html": (".html", ".htm"), "gif": (".gif",), "mp4": (".mp4",)}
"""The file names each format is written to: a page never goes into a .txt, nor a video into
an .html."""


def output_format(fmt: str | None, out: str | os.PathLike[str] | None) -> str:
    """The format asked for, or the one `--out`'s suffix names, or html; ConfigError when
    `--out` is (or, ending in a separator, names) a folder, or its suffix is not the format's."""
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if out is None:
        return fmt or "html"
    check_name(out, "--out")
    text = os.fspath(out)
    if text.endswith((os.sep, os.altsep or os.sep)) or Path(text).is_dir():
        raise ConfigError(
            f"--out {text} is a folder; animate writes one file: give its name, e.g. "
            f"{Path(text) / 'animate.html'}"
        )
    suffix = Path(text).suffix.lower()
    named = next((f for f, endings in SUFFIXES.items() if suffix in endings), None)
    if fmt is not None and named is not None and named != fmt:
        raise ConfigError(
            f"--format: {fmt!r} does not match --out {text} (a {suffix} file); give one of them "
            f"or make them agree"
        )
    if named is None:
        kinds = {"html": "a page", "gif": "a GIF video", "mp4": "an MP4 video"}
        said = " or ".join(
            f"{kinds[f]} ({', '.join(SUFFIXES[f])})" for f in ([fmt] if fmt else FORMATS)
        )
        raise ConfigError(f"--out {text}: animate writes {said}; give a file name that ends so")
    return named


def default_name(names: Sequence[str], fmt: str) -> str:
    """animate-split-2022.html, animate-split-2022-vs-network-2024.mp4, ..."""
    return "animate-" + "-vs-".join(names) + "." + fmt


# --- the command -----------------------------------------------------------------------------


def check_video_support(fmt: str) -> None:
    """Before any run: the libraries a video needs are there (ConfigError naming them)."""
    if fmt == "html":
        return
    from sim.present import video

    video.check(fmt)


def animate(
    scenarios: Sequence[Scenario],
    seed: int,
    lang: str,
    dest: FileDestination,
    *,
    fmt: str = "html",
    projector: bool = False,
    progress: bool = False,
) -> Path:
    """Run each scenario on `seed`, and write the animation of them side by side to `dest`."""
    from sim.io.store import write_file_atomically
    from sim.present.view import streamed

    i18n.check_language(lang)
    runs = [streamed(sc, seed) for sc in scenarios]  # each month made as it is written
    if fmt == "html":

        def write(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8") as out:
                write_html(out, runs, lang, projector)

        return write_file_atomically(dest, write)
    from sim.present import video

    data = page_data(runs, lang, projector)
    return write_file_atomically(
        dest,
        lambda tmp: video.write(data, tmp, fmt, MARK, progress=progress, title=title(runs, lang)),
    )
