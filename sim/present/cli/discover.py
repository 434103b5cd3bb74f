"""`samenspel discover`: scenario discovery on a sweep's results, answer first.

    samenspel discover SWEEP --outcome NAME (--below X | --above X | --beats A --over B
                       --factor PARAM) [--method prim|cart] [--coverage C] [--lang en|nl]
                       [--out DIR] [--force] [--partial]

It asks the sweep's worlds the question (sim/study/discovery.py), finds the box where the answer
is most reliably yes (sim/study/boxes.py), prints the answer and its evidence, and writes
SWEEP-discover/ beside the sweep: discover.html (sim/present/discover_page.py), discover.txt,
boxes.csv, trajectory.csv, worlds.csv and manifest.json. The question is checked against the
sweep before anything is computed; every refusal is one line in the chosen language (exit 2).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.model.config import ConfigError
from sim.present.cli.common import read_checked, warn
from sim.present.cli.parser import Command, lang_option, output_options
from sim.present.printed import closing_line


def discover_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("sweep", type=Path, help="a sweep's results folder")
    p.add_argument(
        "--outcome", help="the outcome asked about, e.g. commitment (required; default: none)"
    )
    p.add_argument("--below", metavar="X", help="ask where the outcome is below X (default: none)")
    p.add_argument("--above", metavar="X", help="ask where the outcome is above X (default: none)")
    p.add_argument(
        "--beats",
        metavar="A",
        help="ask where level A of --factor beats level --over B on the outcome, in its better "
        "direction (default: none)",
    )
    p.add_argument(
        "--over", metavar="B", help="with --beats: the level A is compared with (default: none)"
    )
    p.add_argument(
        "--factor",
        metavar="PARAM",
        help="with --beats: the parameter, e.g. governance.mobility (default: none)",
    )
    p.add_argument("--method", choices=("prim", "cart"), default="prim", help="how to find boxes")
    p.add_argument(
        "--coverage",
        metavar="C",
        help="PRIM: the least coverage (0 to 1) of the box reported (default 0.5)",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="use an unfinished or still running sweep's finished runs",
    )
    lang_option(p, "printed answer and the page")
    output_options(p, "SWEEP-discover, beside the sweep")


def _fail(key: str, lang: str, **fields: object) -> ConfigError:
    from sim.present.i18n import text

    return ConfigError(text(f"discover.error.{key}", lang, **fields))


def _number(given: str, option: str, lang: str, low: float = -math.inf, high: float = math.inf):
    try:
        x = float(given)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and low <= x <= high):
        raise _fail("number", lang, option=option, given=given)
    return x


def question(args: argparse.Namespace):
    """The question the options ask, checked for itself (not yet against the sweep)."""
    from sim.study.discovery import Question

    lang = args.lang
    asked = [o for o in ("below", "above", "beats") if getattr(args, o) is not None]
    if len(asked) != 1:
        raise _fail("one_question", lang)
    if args.outcome is None:
        raise _fail("no_outcome", lang)
    if args.coverage is not None and args.method == "cart":
        raise _fail("coverage_cart", lang)
    if args.coverage is not None:
        _number(args.coverage, "--coverage", lang, 0.0, 1.0)
    kind = asked[0]
    if kind != "beats":
        if args.over is not None or args.factor is not None:
            raise _fail("over_without_beats", lang)
        threshold = _number(getattr(args, kind), f"--{kind}", lang)
        return Question(args.outcome, "below" if kind == "below" else "above", threshold=threshold)
    if args.over is None or args.factor is None:
        raise _fail("beats_needs", lang)
    if args.beats == args.over:
        raise _fail("same_levels", lang, level=args.beats)
    return Question(args.outcome, "beats", factor=args.factor, option=args.beats, rival=args.over)


def check_against(sweep, q, args: argparse.Namespace) -> None:
    """Refuse an unfinished sweep (unless --partial) and a question the sweep cannot answer."""
    from sim.study.discovery import direction

    lang = args.lang
    _check_complete(sweep, args)
    if q.outcome not in sweep.outcomes:
        raise _fail("outcome", lang, outcome=q.outcome, known=", ".join(sweep.outcomes))
    if (sweep.runs["status"] != "ok").all():
        raise _fail("all_failed", lang, folder=sweep.folder, runs=len(sweep.runs))
    varied = [p for p in sweep.parameters if p != q.factor]
    if q.kind == "beats":
        if q.factor not in sweep.parameters:
            known = ", ".join(sweep.parameters)
            raise _fail("factor", lang, factor=q.factor, known=known)
        levels = sweep.levels(q.factor)
        for level in (q.option, q.rival):
            if level not in levels:
                raise _fail("level", lang, level=level, factor=q.factor, known=", ".join(levels))
        if direction(q.outcome) is None:
            raise _fail("no_direction", lang, outcome=q.outcome)
    if not varied:
        raise _fail("nothing_varies", lang, folder=sweep.folder)


def _check_complete(sweep, args: argparse.Namespace) -> None:
    from sim.present.i18n import text

    lang = args.lang
    if sweep.finished == 0:
        raise _fail("no_runs", lang, folder=sweep.folder)
    if sweep.holder is not None:
        state = text("discover.error.running", lang, holder=sweep.holder)
    elif sweep.finished < sweep.total:
        state = text("discover.error.interrupted", lang)
    else:
        return
    fields = {"folder": sweep.folder, "finished": sweep.finished, "total": sweep.total}
    if not args.partial:
        raise _fail("unfinished", lang, state=state, **fields)
    warn(text("discover.partial", lang, state=state, **fields))


def _target(folder: Path, args: argparse.Namespace) -> Path:
    from sim.study.finished import around

    target = args.out if args.out is not None else folder.with_name(folder.name + "-discover")
    if around(folder, Path(target)):
        raise _fail("around", args.lang, target=target, default=f"{folder.name}-discover")
    return Path(target)


def cmd_discover(args: argparse.Namespace) -> int:
    from sim.io.store import destination, write_atomically
    from sim.present import discover_words
    from sim.present.i18n import text
    from sim.study.boxes import find
    from sim.study.discovery import cases

    q = question(args)
    sweep = read_checked(args.sweep, "discover", args.lang)
    check_against(sweep, q, args)
    target = _target(sweep.folder, args)
    found_cases = cases(sweep, q)
    if found_cases.interest in (0, found_cases.worlds):
        key = "always" if found_cases.interest else "never"
        raise _fail(key, args.lang, worlds=found_cases.worlds)
    coverage = None if args.coverage is None else float(args.coverage)
    found = find(found_cases, args.method, coverage)
    dest = destination(args.out, target, force=args.force)
    lines = wrapped(
        [
            discover_words.answer(q, found_cases, found, args.lang),
            "",
            discover_words.w("evidence_heading", args.lang),
            *discover_words.evidence(q, found_cases, found, args.lang),
        ]
    )
    write_atomically(dest, lambda tmp: _fill(tmp, sweep, q, found_cases, found, args, lines))
    print("\n".join(lines))
    print(closing_line(dest, args.lang, text("discover.files", args.lang)))
    return 0


WIDTH = 100  # printed lines, in either language


def wrapped(lines: list[str]) -> list[str]:
    """Lines wrapped to WIDTH columns, a wrapped line's rest indented under its start."""
    import textwrap

    out = []
    for line in lines:
        indent = line[: len(line) - len(line.lstrip())]
        out.append(
            textwrap.fill(line, WIDTH, subsequent_indent=indent + "  " * bool(indent))
            if line
            else ""
        )
    return out


def _fill(tmp: Path, sweep, q, c, found, args: argparse.Namespace, lines: list[str]) -> None:
    """The result folder's files."""
    from dataclasses import asdict
    from importlib import metadata

    from sim.io.store import write_json
    from sim.present import discover_page
    from sim.study.run import provenance

    found.trajectory().to_csv(tmp / "trajectory.csv", index=False)
    found.limits().to_csv(tmp / "boxes.csv", index=False)
    worlds = c.x.assign(**{"case": c.y}).join(c.values)
    worlds.to_csv(tmp / "worlds.csv", index=False)
    (tmp / "discover.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = discover_page.page(q, c, found, args.lang)
    (tmp / "discover.html").write_text(page, encoding="utf-8")
    write_json(
        tmp / "manifest.json",
        {
            "kind": "discover",
            "sweep": str(sweep.folder),
            "question": asdict(q),
            "method": found.method,
            "min_coverage": found.min_coverage,
            "settings": found.settings,
            "worlds": c.worlds,
            "cases_of_interest": c.interest,
            "runs": c.runs,
            "finished": sweep.finished,
            "total": sweep.total,
            "partial": sweep.finished < sweep.total or sweep.holder is not None,
            "seeds_shared": c.seeds_shared,
            "lang": args.lang,
            "ema_workbench": metadata.version("ema_workbench"),
            "scikit-learn": metadata.version("scikit-learn"),
            **provenance(),
        },
    )


DISCOVER = Command(
    "discover",
    "scenario discovery: where in a sweep is the answer yes (PRIM, CART)",
    "Where is an outcome below or above a threshold, or where does one level of a "
    "categorical parameter beat another, over a sweep's worlds: the box of conditions where "
    "it holds most reliably, with its coverage and density, in words, a table and a page "
    "(docs/DISCOVERY.md).",
    (
        "samenspel discover results/discover-example --outcome commitment --beats network "
        "--over steered --factor governance.mobility",
        "samenspel discover results/discover-example --outcome commitment --below 0.7 --lang nl",
    ),
    discover_options,
    cmd_discover,
)
