"""`samenspel design`: many-objective search over rule sets (NSGA-II or epsilon-NSGA-II) for the
Pareto front of chosen outcomes, measured against the presets on the same seeds; the front as
tables, a page and a scenario file per rule set."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.present.cli.parser import (
    Command,
    lang_option,
    large_option,
    output_options,
    progress_option,
    workers_option,
)
from sim.present.printed import closing_line


def design_options(de: argparse.ArgumentParser) -> None:
    de.add_argument("spec", type=Path, help="design spec (.toml), e.g. experiments/design/")
    workers_option(de)
    lang_option(de, "printed summary and the page")
    progress_option(de)
    large_option(de)
    output_options(de, "results/NAME, the spec's name")


def cmd_design(args: argparse.Namespace) -> int:
    from sim.io.progress import bar
    from sim.io.store import destination
    from sim.model.config import load_scenario
    from sim.present import design_page, design_words
    from sim.present.i18n import text
    from sim.study.estimate import guard, of_sweep
    from sim.study.search.problem import platypus
    from sim.study.search.run import design, save
    from sim.study.search.spec import load_design, preset_names

    spec = load_design(args.spec)
    platypus()  # the optional extra, before any work: ConfigError saying how to install it
    presets = len(preset_names(spec))
    runs = (spec.algorithm.nfe + presets) * spec.replicates * max(1, spec.worlds)
    reduce = "algorithm.nfe, replicates or worlds"
    guard(
        str(args.spec),
        of_sweep(runs, load_scenario(spec.base, years=spec.years), reduce),
        args.large,
        args.workers,
    )
    dest = destination(args.out, Path("results") / spec.name, force=args.force)
    total = spec.algorithm.nfe + presets
    with bar(total, "design", unit="rule set", enabled=not args.no_progress) as update:
        result = design(spec, args.workers, update)

    def page(folder: Path) -> None:
        design_page.write(result, folder, args.lang)

    extra = {"lang": args.lang, "workers": args.workers}
    save(result, dest, extra, lambda i: design_words.describe(result, i), pages=[page])
    print(design_words.printed(result, args.lang))
    print()
    print(closing_line(dest, args.lang, text("design.files", args.lang)))
    return 0


DESIGN = Command(
    "design",
    "search rule sets for the best trade-offs between outcomes (NSGA-II)",
    "A many-objective search (NSGA-II or epsilon-NSGA-II, through platypus-opt, the optional "
    "extra 'explore') over the rules a spec names, each rule set run on the same seeds; the "
    "Pareto front, measured against the presets on those seeds, as front.csv, presets.csv, "
    "convergence.csv, design.html and a scenario file per rule set that run, compare, whatif "
    "and animate accept.",
    (
        "samenspel design experiments/design/steering-rules.toml",
        "samenspel design experiments/design/steering-rules.toml --lang nl --workers 2",
    ),
    design_options,
    cmd_design,
)
