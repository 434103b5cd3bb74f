"""`samenspel animate` and `app`: what a workshop shows, a run played month by month in one offline
page (or a GIF or MP4 video), and the interactive app served on this machine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.model.config import ConfigError, Scenario
from sim.present.cli.common import checked_scenario
from sim.present.cli.parser import (
    SCENARIO_HELP,
    Command,
    host,
    lang_option,
    large_option,
    progress_option,
    seed_option,
    whole_number,
)

APP_PORT = 8050


# --- animate ---------------------------------------------------------------------------------


def animate_options(an: argparse.ArgumentParser) -> None:
    from sim.present.animate import FORMATS

    an.add_argument("scenario", help=SCENARIO_HELP)
    an.add_argument(
        "--vs",
        default=None,
        metavar="OTHER",
        help="a second scenario (not the same one), side by side, same seed (default: none)",
    )
    seed_option(an, "integer seed")
    lang_option(an, "page or video")
    an.add_argument(
        "--out",
        default=None,
        help="output file, its name ending in .html (or .htm), .gif or .mp4 as the format "
        "(default results/animate-SCENARIO.html, or the next free name: -2, -3, ...)",
    )
    an.add_argument(
        "--force", action="store_true", help="replace an earlier samenspel file at --out"
    )
    an.add_argument(
        "--projector",
        action="store_true",
        help="start in projector mode: large type, high contrast, colour-blind-safe colours",
    )
    an.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="html, gif or mp4 (default: as --out's suffix says, else html)",
    )
    progress_option(an, "no progress bar for a video")
    large_option(an, " (a long run of a large region)", page=True)


def _played(args: argparse.Namespace) -> list[Scenario]:
    """The scenario, and the one --vs names beside it (another one)."""
    scenarios = [checked_scenario(args.scenario)]
    if args.vs is None:
        return scenarios
    try:
        scenarios.append(checked_scenario(args.vs))
    except ConfigError as exc:
        raise ConfigError(f"--vs: {exc}") from None
    if scenarios[1].name == scenarios[0].name:
        raise ConfigError(
            f"--vs: {args.vs} and {args.scenario} are both named {scenarios[0].name!r}: "
            "the page would play one scenario against itself; give --vs another scenario "
            "(or the other file a `name` of its own)"
        )
    return scenarios


def cmd_animate(args: argparse.Namespace) -> int:
    from sim.io import store
    from sim.present import animate
    from sim.present.i18n import text
    from sim.study.estimate import guard, of_animation

    fmt = animate.output_format(args.format, args.out)
    scenarios = _played(args)
    animate.check_video_support(fmt)
    guard("animate", of_animation(scenarios, fmt), args.large)
    names = [sc.name for sc in scenarios]
    dest = store.file_destination(
        None if args.out is None else Path(args.out),
        Path("results") / animate.default_name(names, fmt),
        force=args.force,
    )
    path = animate.animate(
        scenarios,
        args.seed,
        args.lang,
        dest,
        fmt=fmt,
        projector=args.projector,
        progress=not args.no_progress,
    )
    what = (
        names[0]
        if len(names) == 1
        else text("common.versus", args.lang, left=names[0], right=names[1])
    )
    months = max(sc.months for sc in scenarios)
    line = text("cli.animate_written", args.lang, what=what, months=months, path=path)
    if dest.replaces:
        line += " " + text("cli.animate_replaced", args.lang)
    print(line)
    if dest.taken is not None:
        print("  " + text("cli.animate_kept", args.lang, taken=dest.taken))
    return 0


# --- app -------------------------------------------------------------------------------------


def app_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--host",
        type=host,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    ap.add_argument(
        "--port", type=whole_number(1, 65535), default=APP_PORT, help=f"port (default {APP_PORT})"
    )
    lang_option(ap, "page (switchable in the page)")
    ap.add_argument(
        "--present",
        action="store_true",
        help="open pages in presentation mode: large type and a larger map for a room "
        "(switchable in the page; or add ?present=1 to the address)",
    )


def cmd_app(args: argparse.Namespace) -> int:
    import ipaddress
    import socket

    from sim.present.app.server import serve  # the web stack only when the app is wanted
    from sim.present.i18n import text

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family) as probe:  # say so now, not in a traceback from the server
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise ConfigError(
                f"--host {args.host} --port {args.port}: cannot listen there ({exc.strerror}); "
                "choose another --port, or an address of this machine"
            ) from None
    if not ipaddress.ip_address(args.host).is_loopback:  # no password: say what it opens
        where = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
        print(text("app.exposed", args.lang, address=where, folder=Path.cwd()), file=sys.stderr)
    serve(args.host, args.port, args.lang, args.present)
    return 0


# --- the commands ----------------------------------------------------------------------------

ANIMATE = Command(
    "animate",
    "play a run month by month in one offline HTML page (or a GIF or MP4 video)",
    "The page needs no internet connection; copy it to the laptop by the projector.",
    (
        "samenspel animate split-2022 --vs network-2024 --lang nl --projector",
        "samenspel animate network-2024 --format mp4",
    ),
    animate_options,
    cmd_animate,
)
APP = Command(
    "app",
    "the interactive workshop app: a local page in the browser, works offline",
    "Prints its address; open it in a browser. Ctrl-C stops it.",
    ("samenspel app --lang nl",),
    app_options,
    cmd_app,
)
