"""`samenspel rerun SWEEP RUN_ID`: one run of a sweep run again from what the sweep recorded,
written as `samenspel run` writes a run (with its scenario file), and checked against the
sweep's row bit for bit (sim/study/rerun.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.config import ConfigError
from sim.present.cli.parser import MAX_SEED, Command, lang_option, output_options, whole_number
from sim.present.printed import closing_line

if TYPE_CHECKING:
    from sim.study.rerun import Rerun

SHOWN = 12  # differences named one by one; the rest counted (all are in check.csv)


def rerun_options(rr: argparse.ArgumentParser) -> None:
    rr.add_argument("sweep", type=Path, help="a sweep's results folder (samenspel sweep --out)")
    rr.add_argument(
        "run_id", type=whole_number(0, MAX_SEED), help="the run's run_id in the sweep's runs table"
    )
    lang_option(rr)
    output_options(rr, "results/SWEEP-runRUN_ID")


def cmd_rerun(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present.i18n import text
    from sim.study.rerun import RerunRefused, rerun, save

    lang = args.lang
    default = Path("results") / f"{args.sweep.name or 'sweep'}-run{args.run_id}"
    dest = destination(args.out, default, force=args.force)
    try:
        done = rerun(args.sweep, args.run_id)
    except RerunRefused as exc:
        raise ConfigError(refusal(exc.key, exc.fields, lang)) from None
    save(done, dest)
    for line in verdict(done, lang):
        print(line)
    scenario = dest.path / "scenario.toml"
    print(text("rerun.parameters", lang, seed=done.seed, parameters=parameters(done, lang)))
    print(text("rerun.again", lang, scenario=scenario, seed=done.seed))
    print(closing_line(dest, lang, text("rerun.files", lang)))
    return 0 if done.same else 1


def refusal(key: str, fields: dict, lang: str) -> str:
    """Why a run cannot be run again, in one line in `lang`."""
    from sim.present.i18n import text

    fields = dict(fields)
    if "more" in fields:
        more = int(fields["more"])
        fields["more"] = text("rerun.refused.and_more", lang, count=more) if more > 0 else ""
    if "what" in fields:
        fields["what"] = str(fields["what"]).splitlines()[0]
    return text(f"rerun.refused.{key}", lang, **fields)


def verdict(done: Rerun, lang: str) -> list[str]:
    """The answer first: reproduced bit for bit, or which values differ and what may explain
    it."""
    from sim.present.i18n import text

    fields = {"run": done.run_id, "folder": done.folder, "count": len(done.compared)}
    if done.same:
        return [text("rerun.same", lang, **fields)]
    lines = [text("rerun.differs", lang, different=len(done.differences), **fields)]
    for d in done.differences[:SHOWN]:
        key = "rerun.difference_local" if d.municipality else "rerun.difference"
        lines.append(
            text(
                key,
                lang,
                outcome=d.outcome,
                municipality=d.municipality,
                sweep=shown(d.sweep),
                rerun=shown(d.rerun),
            )
        )
    if len(done.differences) > SHOWN:
        lines.append(text("rerun.more", lang, count=len(done.differences) - SHOWN))
    if done.made_by:
        what = "; ".join(f"{k} {a} -> {b}" for k, (a, b) in done.made_by.items())
        lines.append(text("rerun.made_by_other", lang, what=what))
    else:
        lines.append(text("rerun.made_by_same", lang))
    return lines


def shown(value: object) -> str:
    """A value with every digit it has (a difference may be in the last bit)."""
    from sim.study.rerun import shown as exact

    return exact(value)


def parameters(done: Rerun, lang: str) -> str:
    from sim.present.i18n import text

    if not done.parameters:
        return text("rerun.no_parameters", lang)
    return ", ".join(f"{k} = {shown(v)}" for k, v in done.parameters.items())


RERUN = Command(
    "rerun",
    "run one run of a sweep again and check it bit for bit",
    "Rebuilds the run's scenario from what the sweep recorded (its base scenario and the run's "
    "parameters), writes it as scenario.toml (for run, compare, whatif and animate), runs it "
    "with its seed, writes its tables as samenspel run does, and checks every value the sweep "
    "kept of it. Exit status 1 if a value differs.",
    (
        "samenspel rerun results/trust-and-monitoring 17",
        "samenspel rerun results/sobol-behaviour 3 --lang nl --out results/run3",
    ),
    rerun_options,
    cmd_rerun,
)
