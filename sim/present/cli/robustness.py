"""`samenspel robustness`: which level of a sweep's parameter holds up best across the other
parameters (regret and satisficing, sim/study/robustness.py), and the `--satisfice` thresholds
that `compare` shares, read and refused here in the user's language."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.config import ConfigError
from sim.present.cli.common import read_finished, warn
from sim.present.cli.parser import Command, lang_option, output_options
from sim.present.printed import closing_line

if TYPE_CHECKING:
    from sim.study.robustness import Threshold


def satisfice_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--satisfice",
        action="append",
        default=[],
        metavar="OUTCOME>=X",
        help="a threshold, e.g. commitment>=0.5 (or <=, >, <; in the runs table's unit); "
        "repeat it for several: the share of worlds in which each option meets each, and all "
        "together (default: none)",
    )


def said(exc: ConfigError, lang: str) -> ConfigError:
    """A robustness error (an unknown name, an outcome without direction, a threshold written
    wrongly) in `lang`; any other error as it is."""
    from sim.present.i18n import text
    from sim.study.robustness import BadThreshold, Undirected, Unknown

    w = lambda key, **f: text(f"robustness.error.{key}", lang, **f)  # noqa: E731
    if isinstance(exc, BadThreshold):
        return ConfigError(w("bad_threshold", text=exc.text))
    if isinstance(exc, Undirected):
        return ConfigError(w("undirected", option=exc.option, name=exc.name))
    if isinstance(exc, Unknown):
        names = exc.known[:12] + (["..."] if len(exc.known) > 12 else [])
        hint = (
            w("did_you_mean", names=" / ".join(exc.close))
            if exc.close
            else w("there_are", names=", ".join(names))
        )
        what = w(f"what_{exc.what}")
        return ConfigError(w("unknown", option=exc.option, what=what, name=exc.name, hint=hint))
    return exc


def thresholds(texts: Sequence[str], known: Sequence[str], lang: str) -> list[Threshold]:
    """The --satisfice thresholds, each checked against the outcomes `known`; a ConfigError in
    `lang` naming the first that is written wrongly or names no outcome."""
    from sim.study.robustness import parse_threshold

    try:
        return [parse_threshold(t, known) for t in texts]
    except ConfigError as exc:
        raise said(exc, lang) from None


def compare_outcomes() -> list[str]:
    """What a comparison's runs table holds per run: the outcome catalogue's summary values and
    each theme's commitment."""
    from sim.model.config import load_themes
    from sim.model.outcomes import CATALOGUE

    keys = [o.key for o in CATALOGUE if o.kind in ("scalar", "both")]
    return keys + [f"commitment_{theme}" for theme in load_themes()]


# --- robustness ------------------------------------------------------------------------------


def robustness_options(ro: argparse.ArgumentParser) -> None:
    ro.add_argument("results", type=Path, help="a sweep's results folder")
    ro.add_argument(
        "--factor",
        required=True,
        help="the parameter whose levels are the options, e.g. governance.mobility; the "
        "combinations of the other parameters are the worlds",
    )
    ro.add_argument(
        "--outcome",
        action="append",
        default=[],
        help="an outcome to compute regret on; repeat for several (default: every outcome of "
        "the sweep with a better direction; the words lead with commitment, free-riding and "
        "progress)",
    )
    satisfice_option(ro)
    lang_option(ro, "printed answer")
    ro.add_argument(
        "--partial",
        action="store_true",
        help="use an unfinished or still running sweep's finished runs (worlds with a level "
        "missing are left out)",
    )
    output_options(ro, "RESULTS-robustness, beside the sweep")


def cmd_robustness(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present.i18n import text
    from sim.present.robustness_view import sweep_text
    from sim.study import robustness_sweep as rs
    from sim.study.finished import around, outcomes_of

    sweep = read_finished(args.results, "robustness", args.lang, args.partial)
    spec, runs = sweep.spec, sweep.runs
    try:
        chosen = thresholds(args.satisfice, outcomes_of(runs, spec), args.lang)
        result = rs.robustness(spec, runs, args.factor, args.outcome, chosen, warn)
    except ConfigError as exc:
        raise said(exc, args.lang) from None
    result.folder, result.partial = args.results, args.partial
    folder = Path(args.results)
    target = args.out if args.out is not None else folder.with_name(folder.name + "-robustness")
    if around(folder, Path(target)):
        default = f"{folder.name}-robustness"
        raise ConfigError(
            text("sweeps.robustness_around", args.lang, target=target, default=default)
        )
    dest = destination(args.out, target, force=args.force)
    settings = {"lang": args.lang, "outcomes_asked": list(args.outcome)}
    rs.save(result, dest, settings)
    print(sweep_text(result, args.lang, args.outcome or None))
    files = text("robustness.files_satisficing" if chosen else "robustness.files", args.lang)
    print(closing_line(dest, args.lang, files))
    return 0


ROBUSTNESS = Command(
    "robustness",
    "which level of a parameter holds up best across the others: regret and satisficing",
    "The levels of --factor are the options, each combination of the sweep's other parameters "
    "a world (replicates averaged). Per outcome, each option's regret (its distance to the "
    "best option in each world: mean, 90th percentile, maximum) and, with --satisfice, the "
    "share of worlds in which it meets the thresholds. Prints the answer in words and writes "
    "regret.csv, satisficing.csv, worlds.csv and manifest.json beside the sweep.",
    (
        "samenspel robustness results/arrangement-robustness --factor governance",
        'samenspel robustness RESULTS --factor governance.mobility --satisfice "commitment>=0.5"'
        ' --satisfice "free_riding<=0.2" --lang nl',
    ),
    robustness_options,
    cmd_robustness,
)
