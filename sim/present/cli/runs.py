"""`samenspel run`, `compare` and `whatif`: simulations whose results the command keeps, printed
in English or Dutch and written to a result folder with their pages."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.config import ConfigError, Scenario, list_scenarios, unchanged_overrides
from sim.present.cli.common import check_seeds, checked_scenario, chosen_worlds, warn
from sim.present.cli.parser import (
    SCENARIO_HELP,
    Command,
    lang_option,
    large_option,
    output_options,
    progress_option,
    replicates_option,
    seed_option,
    workers_option,
    worlds_option,
    years_option,
)
from sim.present.cli.robustness import compare_outcomes, satisfice_option, thresholds
from sim.present.printed import closing_line

if TYPE_CHECKING:
    from sim.study.robustness import Threshold
    from sim.study.worlds import Worlds

DEFAULT_SCENARIO = "multiple-local-status-quo"
DEFAULT_REPLICATES = 200  # 95% intervals of commitment about +-0.02 wide
WHATIF_REPLICATES = 100


# --- run -------------------------------------------------------------------------------------


def run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"{SCENARIO_HELP} (default {DEFAULT_SCENARIO})",
    )
    seed_option(run, "integer seed")
    years_option(run, "the scenario's")
    lang_option(run, "printed summary")
    output_options(run, "results/SCENARIO-seedN")


def cmd_run(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present.i18n import text
    from sim.present.summary import run_summary
    from sim.study.run import save_run, simulate  # pandas and pyarrow only when a run is wanted

    scenario = checked_scenario(args.scenario, years=args.years)
    dest = destination(
        args.out, Path("results") / f"{scenario.name}-seed{args.seed}", force=args.force
    )
    result = simulate(scenario, args.seed)
    save_run(result, dest)
    print(run_summary(result, args.lang))
    print(closing_line(dest, args.lang, text("cli.run.files", args.lang)))
    return 0


# --- compare ---------------------------------------------------------------------------------


def compare_options(cmp: argparse.ArgumentParser) -> None:
    from sim.present.i18n import text

    cmp.add_argument(
        "--scenarios",
        default=None,
        help="comma-separated preset names or .toml files (default: every preset)",
    )
    replicates_option(cmp, DEFAULT_REPLICATES, "seeds per scenario")
    worlds_option(cmp)
    years_option(cmp, "each scenario's")
    seed_option(cmp, "first seed")
    workers_option(cmp)
    lang_option(cmp, "printed table and the report")
    satisfice_option(cmp)
    cmp.add_argument(
        "--presentation",
        action="store_true",
        help="start the report in presentation mode: large type",
    )
    cmp.add_argument(
        "--from-year",
        type=int,
        default=None,
        metavar="YEAR",
        help=text("cli.compare.from_year_help", "en"),
    )
    progress_option(cmp)
    large_option(cmp)
    output_options(cmp, "results/compare")


def _names(given: str | None) -> list[str]:
    """The scenarios --scenarios names: every preset if it is not given."""
    if given is None:
        return list_scenarios()
    names = [n.strip() for n in given.split(",") if n.strip()]
    if not names:
        raise ConfigError(
            f"--scenarios: no scenario named in {given!r}; give comma-separated "
            f"preset names or .toml files, e.g. {','.join(list_scenarios()[:2])}"
        )
    return names


def _loaded(names: list[str], years: int | None) -> list[Scenario]:
    """The scenarios loaded, each with a name of its own."""
    scenarios = [checked_scenario(n, years=years) for n in names]
    seen = set()
    for sc in scenarios:
        if sc.name in seen:
            raise ConfigError(
                f"--scenarios: two scenarios are named {sc.name!r}; give each a name of its own "
                "(the `name` key of its file)"
            )
        seen.add(sc.name)
    return scenarios


def warn_calendars(scenarios: list[Scenario]) -> None:
    """Scenarios chosen side by side that start in different years run different calendars,
    and one may pay a transition at its start that another made before: say so (whatif pairs
    an alternative with its base on one calendar)."""
    starts = {sc.name: sc.start_year for sc in scenarios}
    if len(set(starts.values())) > 1:
        shown = ", ".join(f"{name} {year}" for name, year in starts.items())
        warn(
            f"the scenarios start in different years ({shown}): they run different calendars "
            "and may pay a transition the others made before their start; to compare an "
            "alternative with what it replaces on one calendar, use samenspel whatif"
        )


def check_from_year(year: int | None, scenarios: list[Scenario], lang: str) -> None:
    """--from-year must leave something to draw: a ConfigError (before anything runs) when
    every scenario has ended by then."""
    from sim.present.i18n import text

    if year is None:
        return
    end = max(sc.start_year + math.ceil(sc.months / 12) for sc in scenarios)
    if year >= end:
        start = max(sc.start_year for sc in scenarios)
        raise ConfigError(text("cli.compare.from_year_late", lang, year=year, end=end, start=start))


def _worlds_and_thresholds(args: argparse.Namespace) -> tuple[Worlds | None, list[Threshold]]:
    """The plausible worlds of a comparison and its --satisfice thresholds, which count worlds
    (a ConfigError in the user's language without them)."""
    from sim.present.i18n import text

    satisfice = thresholds(args.satisfice, compare_outcomes(), args.lang)
    worlds = chosen_worlds(args.worlds, args.replicates, args.seed)
    if satisfice and worlds is None:
        raise ConfigError(text("robustness.error.needs_worlds", args.lang))
    return worlds, satisfice


def cmd_compare(args: argparse.Namespace) -> int:
    import time

    from sim.io.progress import bar
    from sim.io.store import destination
    from sim.present.i18n import number, text
    from sim.present.printed import format_table
    from sim.present.report import write_report
    from sim.present.robustness_view import compare_lines
    from sim.study.compare import compare, save
    from sim.study.estimate import guard, of_runs

    names = _names(args.scenarios)
    check_seeds(args.seed, args.replicates)
    worlds, satisfice = _worlds_and_thresholds(args)
    scenarios = _loaded(names, args.years)
    check_from_year(args.from_year, scenarios, args.lang)
    if args.scenarios:
        warn_calendars(scenarios)
    work = of_runs([(sc, args.replicates) for sc in scenarios], "--replicates or --scenarios")
    guard("compare", work, args.large, args.workers)
    dest = destination(args.out, Path("results") / "compare", force=args.force)
    start = time.perf_counter()
    total = len(scenarios) * args.replicates
    with bar(total, "compare", enabled=not args.no_progress) as update:
        result = compare(
            scenarios, args.replicates, args.workers, args.seed, update, worlds, satisfice
        )
    elapsed = time.perf_counter() - start
    years = sorted({sc.years for sc in scenarios})
    settings = {
        "scenarios": [sc.name for sc in scenarios],
        "replicates": args.replicates,
        "base_seed": args.seed,
        "years": years[0] if len(years) == 1 else years,
        "lang": args.lang,
        "satisfice": [str(t) for t in satisfice],
        "from_year": args.from_year,
    }

    def report(folder: Path) -> None:
        write_report(result, folder / "report.html", settings, args.lang, args.presentation)

    save(result, dest, settings, pages=[report])
    heading = text(
        "cli.compare.heading_worlds" if worlds is not None else "cli.compare.heading",
        args.lang,
        scenarios=len(scenarios),
        replicates=number(args.replicates, args.lang, 0),
        seconds=number(elapsed, args.lang, 1),
        worlds=len(worlds) if worlds is not None else 0,
    )
    print(heading)
    print("\n".join([format_table(result, lang=args.lang), *compare_lines(result, args.lang)]))
    print(closing_line(dest, args.lang, text("cli.compare.files", args.lang)))
    return 0


# --- whatif ----------------------------------------------------------------------------------


def whatif_options(wi: argparse.ArgumentParser) -> None:
    wi.add_argument("alternative", help=SCENARIO_HELP)
    wi.add_argument(
        "--base",
        default=None,
        help="the scenario to compare with (default: what the alternative replaces: its "
        "`replaces` preset, else its previous_governance kept in force)",
    )
    replicates_option(wi, WHATIF_REPLICATES, "seeds, the same for both")
    worlds_option(wi)
    seed_option(wi, "first seed")
    years_option(wi, "its own")
    workers_option(wi)
    lang_option(wi, "page and the printed answer")
    progress_option(wi)
    large_option(wi)
    output_options(wi, "results/whatif-ALTERNATIVE")


def cmd_whatif(args: argparse.Namespace) -> int:
    from sim.io.progress import bar
    from sim.io.store import destination
    from sim.present import whatif_page
    from sim.present.i18n import text
    from sim.study import whatif
    from sim.study.estimate import guard, of_runs

    check_seeds(args.seed, args.replicates)
    worlds = chosen_worlds(args.worlds, args.replicates, args.seed)
    alt, base = whatif.scenarios(args.alternative, args.base, args.years)
    work = of_runs([(base, args.replicates), (alt, args.replicates)], "--replicates")
    guard("whatif", work, args.large, args.workers)
    for name, sc in ((args.alternative, alt), (args.base, base)):
        for line in unchanged_overrides(sc) if name else ():
            warn(f"{name}: {line}")
    dest = destination(args.out, Path("results") / f"whatif-{alt.name}", force=args.force)
    with bar(2 * args.replicates, "whatif", enabled=not args.no_progress) as update:
        result = whatif.whatif(alt, base, args.replicates, args.workers, args.seed, update, worlds)
    settings = {
        "alternative": alt.name,
        "base": base.name,
        "replicates": args.replicates,
        "base_seed": args.seed,
        "lang": args.lang,
    }

    def pages(folder: Path) -> None:
        whatif_page.write(result, folder, args.lang)

    whatif.save(result, dest, settings, pages=[pages])
    print(whatif_page.format_text(result, args.lang))
    print(closing_line(dest, args.lang, text("cli.whatif.files", args.lang)))
    return 0


# --- the commands ----------------------------------------------------------------------------

RUN = Command(
    "run",
    "run one simulation and write its outputs",
    "Prints a summary (outcomes, commitment per theme, budget cuts, elections and exits) and "
    "writes the monthly series, the summary, the municipalities and the event log.",
    (
        "samenspel run --scenario network-2024 --seed 7 --years 20",
        "samenspel run --scenario experiments/mine.toml --lang nl --out results/mine",
    ),
    run_options,
    cmd_run,
)
COMPARE = Command(
    "compare",
    "compare scenarios over many seeds: intervals, scorecard, HTML report",
    "Every scenario runs with the same seeds; prints each outcome's mean with its 95% "
    "interval per scenario and writes the tables and a self-contained report.html.",
    (
        "samenspel compare",
        "samenspel compare --scenarios split-2022,network-2024 --replicates 500 --lang nl",
        "samenspel compare --scenarios grd,experiments/mine.toml --presentation",
        'samenspel compare --satisfice "commitment>=0.5" --satisfice "free_riding<=0.2"',
    ),
    compare_options,
    cmd_compare,
)
WHATIF = Command(
    "whatif",
    "one alternative against what it replaces, on the same seeds, in one page",
    "Each outcome's difference with its 95% interval (paired by seed), marked better, worse "
    "or no clear difference; who gains and who loses per municipality; and an explanation "
    "generated from the rules that differ and the intermediate outcomes that moved. "
    "Printed, and written as whatif.html (offline, printable) with its tables.",
    (
        "samenspel whatif dordrecht-service",
        "samenspel whatif dordrecht-service --lang nl",
        "samenspel whatif experiments/mine.toml --base multiple-local-status-quo",
    ),
    whatif_options,
    cmd_whatif,
)
