"""The `samenspel` command line.

    samenspel run [--scenario NAME|FILE] [--seed N] [--years Y] [--out DIR]
    samenspel compare [--scenarios A,B,...] [--replicates R] [--years Y] [--out DIR] [--large]
    samenspel calibrate SPEC [--out DIR] [--force] [--workers N | --scheduler ADDRESS] [--large]
    samenspel sweep SPEC [--workers N | --scheduler ADDRESS | --in-process] [--resume] [--large]
    samenspel analyze RESULTS
    samenspel validate [--scenario FILE] [--set PATH=VALUE ...] [--checks KEY,...] [--seeds N]
                       [--large]
    samenspel animate SCENARIO [--vs OTHER] [--seed N] [--lang nl|en] [--out FILE] [--projector]
                      [--format html|gif|mp4] [--large]
    samenspel app [--host 127.0.0.1] [--port N] [--lang nl|en]
    samenspel whatif ALTERNATIVE [--base BASE] [--replicates R] [--lang nl|en] [--out DIR]
                     [--large]
    samenspel scenarios [--lang nl|en]
    samenspel arrangements [--lang nl|en]
    samenspel rules [--lang nl|en]
    samenspel --version

`run` and `compare` print in English or Dutch (`--lang`); help texts are English (argparse's
own words are). Warnings go to stderr as `samenspel: warning: ...` and never change the exit
status.

Exit status: 0 on success, 2 on bad input (a usage error or a scenario that does not validate)
or on a job estimated beyond the thresholds of sim/study/estimate.py without `--large`, with nothing
written; `validate` exits 1 when a check fails, and any command 1 when its Dask cluster or a
worker process is lost or unusable; 143 on SIGTERM and 130 on Ctrl-C, at any moment, with one
line on stderr (sim/study/signals.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.model.config import (
    ConfigError,
    Scenario,
    list_scenarios,
    load_scenario,
    toml_literal,
    unchanged_overrides,
)
from sim.present.i18n import LANGUAGES
from sim.present.printed import closing_line
from sim.study.executors import WORKER_WAIT, LostCluster, UnusableCluster
from sim.study.signals import stop_on_signals

DEFAULT_SCENARIO = "multiple-local-status-quo"
DEFAULT_REPLICATES = 200  # 95% intervals of commitment about +-0.02 wide
FORCE_HELP = "replace an earlier samenspel result in the --out folder (never anything else)"


MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in every table
MAX_WORKERS = 512
MAX_REPLICATES = 100_000


def _whole_number(minimum: int, maximum: int):
    """An argparse type: a whole number in [minimum, maximum], with a message saying so."""

    def parse(text: str) -> int:
        value = int(text) if text.isascii() and text.strip().lstrip("+").isdigit() else None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {minimum} to {maximum:,}, got {text!r}"
            )
        return value

    return parse


_seed = _whole_number(0, MAX_SEED)
_workers = _whole_number(1, MAX_WORKERS)
_replicates = _whole_number(1, MAX_REPLICATES)
_years = _whole_number(1, 100)


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; every option's default said (argparse's
    ArgumentDefaultsHelpFormatter, but not twice where the help says it already)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or not action.option_strings or action.default is None:
            return text
        if action.default is argparse.SUPPRESS:  # --help, --version
            return text
        if action.default is False:  # a flag
            return f"{text} (default: off)"
        return f"{text} (default %(default)s)"


def _command(
    sub: argparse._SubParsersAction, name: str, summary: str, description: str, *examples: str
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary, a description and examples under its help."""
    import textwrap

    shown = "\n".join(f"  {e}" for e in examples)
    return sub.add_parser(
        name,
        help=summary,
        description=textwrap.fill(f"{summary[0].upper()}{summary[1:]}. {description}", 78),
        epilog=f"examples:\n{shown}" if examples else None,
        formatter_class=_Help,
    )


def _lang_option(parser: argparse.ArgumentParser, what: str = "printed words") -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help=f"language of the {what}: English or Dutch (decimal comma, Dutch month names)",
    )


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("samenspel")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: make setup)"


def _output_options(parser: argparse.ArgumentParser, default: str) -> None:
    """--out and --force, alike for every command that writes a result folder."""
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default {default}, or the next free name: NAME-2, NAME-3, ...)",
    )
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def _large_option(parser: argparse.ArgumentParser, what: str = "", page: bool = False) -> None:
    """--large, alike for every command whose size the user sets (sim/study/estimate.py)."""
    from sim.study.estimate import LARGE_CPU_SECONDS, LARGE_MEMORY, LARGE_PAGE, duration, size

    limits = [f"{duration(LARGE_CPU_SECONDS)} of CPU", f"{size(LARGE_MEMORY)} of memory"]
    limits += [f"a page of {size(LARGE_PAGE)}"] if page else []
    parser.add_argument(
        "--large",
        action="store_true",
        help=f"run it even when its estimate is beyond {', '.join(limits[:-1])} or {limits[-1]}"
        f"{what}; without it, such a job stops before it starts, stating the estimate",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Agent-based simulation of regional cooperation in the Drechtsteden.\n"
        "`samenspel COMMAND --help` describes a command, its options and their defaults.",
        epilog="examples:\n  samenspel scenarios\n  samenspel run --scenario split-2022 --lang nl"
        "\n  samenspel compare --scenarios split-2022,network-2024",
        formatter_class=_Help,
    )
    parser.add_argument(
        "--version", action="version", version=f"samenspel {_version()}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = _command(
        sub,
        "run",
        "run one simulation and write its outputs",
        "Prints a summary (outcomes, commitment per theme, budget cuts, elections and exits) and "
        "writes the monthly series, the summary, the municipalities and the event log.",
        "samenspel run --scenario network-2024 --seed 7 --years 20",
        "samenspel run --scenario experiments/mine.toml --lang nl --out results/mine",
    )
    run.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"a preset name (samenspel scenarios) or a .toml file (default {DEFAULT_SCENARIO})",
    )
    run.add_argument("--seed", type=_seed, default=0, help="integer seed (default 0)")
    run.add_argument(
        "--years",
        type=_years,
        default=None,
        help="horizon in years, 1..100 (default: the scenario's)",
    )
    _lang_option(run, "printed summary")
    _output_options(run, "results/SCENARIO-seedN")
    cmp = _command(
        sub,
        "compare",
        "compare scenarios over many seeds: intervals, scorecard, HTML report",
        "Every scenario runs with the same seeds; prints each outcome's mean with its 95% "
        "interval per scenario and writes the tables and a self-contained report.html.",
        "samenspel compare",
        "samenspel compare --scenarios split-2022,network-2024 --replicates 500 --lang nl",
        "samenspel compare --scenarios grd,experiments/mine.toml --presentation",
    )
    cmp.add_argument(
        "--scenarios",
        default=None,
        help="comma-separated preset names or .toml files (default: every preset)",
    )
    cmp.add_argument(
        "--replicates",
        type=_replicates,
        default=DEFAULT_REPLICATES,
        help=f"seeds per scenario (default {DEFAULT_REPLICATES})",
    )
    cmp.add_argument(
        "--years",
        type=_years,
        default=None,
        help="horizon in years, 1..100 (default: each scenario's)",
    )
    cmp.add_argument("--seed", type=_seed, default=0, help="first seed (default 0)")
    cmp.add_argument(
        "--workers", type=_workers, default=None, help="processes (default: all cores)"
    )
    _lang_option(cmp, "printed table and the report")
    cmp.add_argument(
        "--presentation",
        action="store_true",
        help="start the report in presentation mode: large type",
    )
    cmp.add_argument("--no-progress", action="store_true", help="no progress bar")
    _large_option(cmp)
    _output_options(cmp, "results/compare")
    sw = _command(
        sub,
        "sweep",
        "run an experiment spec, streaming results to disk",
        "A design over scenario parameters (see experiments/sweeps/); each finished batch is "
        "committed, so --resume completes an interrupted sweep.",
        "samenspel sweep experiments/sweeps/sobol-behaviour.toml",
        "samenspel sweep SPEC --scheduler tcp://127.0.0.1:8786 --resume",
    )
    sw.add_argument("spec", type=Path, help="experiment spec (.toml), e.g. experiments/sweeps/")
    where = sw.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_workers, default=None, help="local processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler",
        default=None,
        help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786 (default: none, local)",
    )
    where.add_argument("--in-process", action="store_true", help="run in this process")
    sw.add_argument("--resume", action="store_true", help="complete an interrupted sweep")
    _wait_option(sw)
    sw.add_argument(
        "--out", type=Path, default=None, help="folder (default results/NAME, the spec's name)"
    )
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    _large_option(sw)
    cal = _command(
        sub,
        "calibrate",
        "calibrate behaviour parameters against the patterns (ABC-SMC)",
        "Which values of the behavioural assumptions are compatible with the patterns the "
        "model claims (docs/CALIBRATION.md).",
        "samenspel calibrate experiments/calibration.toml",
    )
    cal.add_argument("spec", type=Path, help="calibration spec (.toml), e.g. experiments/")
    cal_where = cal.add_mutually_exclusive_group()
    cal_where.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help='local processes for the points (with executor.parallel = "points"; '
        "default: the spec's executor)",
    )
    cal_where.add_argument(
        "--scheduler",
        default=None,
        help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786 (default: none, local)",
    )
    _wait_option(cal)
    cal.add_argument("--no-progress", action="store_true", help="no line per generation")
    most = "population x (1 + (generations - 1) x max_batches)"
    _large_option(cal, f", counting its most points: {most}")
    _output_options(cal, "results/calibration")
    an = _command(
        sub,
        "analyze",
        "sensitivity indices and main effects of a sweep",
        "Sobol or Morris indices (by the sweep's design) and main effects, as CSV and HTML.",
        "samenspel analyze results/sobol-behaviour",
    )
    an.add_argument("results", type=Path, help="a sweep's results folder")
    an.add_argument(
        "--partial",
        action="store_true",
        help="analyse an unfinished or still running sweep's finished runs (unequal numbers "
        "of runs per design point)",
    )
    _output_options(an, "RESULTS-analysis, beside the sweep")
    va = _command(
        sub,
        "validate",
        "check the model's claimed patterns (docs/ODD.md, section 1)",
        "Runs every check (or those named) over its seeds; exit status 0 if all pass, 1 if "
        "one fails. --scenario and --set apply assumptions to every scenario a check builds.",
        "samenspel validate --checks p1-decay,p6-commitment --seeds 50",
        "samenspel validate --set behaviour.trust_loss=0.3 --set salience_spread=1.5 --lang nl",
    )
    va.add_argument(
        "--scenario",
        default=None,
        help="take this scenario's assumptions (its behaviour table, salience_spread, "
        "shock_probability, themes) as overrides: a preset name or a .toml file; its "
        "governance, arrangements, region, years, shocks and the rest are not used (each check "
        "runs its own set-ups), and a warning names those the file sets (default: none)",
    )
    va.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field in every check, VALUE a TOML literal on one line, e.g. "
        "--set behaviour.trust_loss=0.3 (repeatable; after --scenario; default: none)",
    )
    va.add_argument("--checks", default=None, help="comma-separated check keys (default: all)")
    va.add_argument(
        "--seeds", type=_replicates, default=None, help="seeds per check (default: its own)"
    )
    va.add_argument("--workers", type=_workers, default=None, help="processes (default: all cores)")
    _lang_option(va, "printed table and the report")
    va.add_argument("--no-progress", action="store_true", help="no progress bar")
    _large_option(va)
    _output_options(va, "results/validate")
    _animate_options(sub)
    _app_options(sub)
    _whatif_options(sub)
    _lang_option(
        _command(
            sub,
            "scenarios",
            "list the preset scenarios with their descriptions",
            "Any of them is a --scenario for run, compare, animate and validate, and a starting "
            "point for a scenario file of your own (sim/data/scenarios/NAME.toml).",
            "samenspel scenarios --lang nl",
        ),
        "list",
    )
    _lang_option(
        _command(
            sub,
            "arrangements",
            "the arrangements' rules side by side",
            "A row per rule, a column per arrangement (sim/data/arrangements.toml); an own "
            "arrangement in a scenario file is based_on one of them.",
            "samenspel arrangements --lang nl",
        ),
        "table",
    )
    _lang_option(
        _command(
            sub,
            "rules",
            "every key a scenario file may set: where, allowed values, default, meaning",
            "Top-level keys, the [behaviour] parameters, the rules of an [arrangements.NAME] "
            "table and a [[shocks]] table, as a scenario file writes them.",
            "samenspel rules",
            "samenspel rules --lang nl | less",
        ),
        "list",
    )
    return parser


def _animate_options(sub: argparse._SubParsersAction) -> None:
    from sim.present.animate import FORMATS

    an = _command(
        sub,
        "animate",
        "play a run month by month in one offline HTML page (or a GIF or MP4 video)",
        "The page needs no internet connection; copy it to the laptop by the projector.",
        "samenspel animate split-2022 --vs network-2024 --lang nl --projector",
        "samenspel animate network-2024 --format mp4",
    )
    an.add_argument("scenario", help="a preset name (samenspel scenarios) or a .toml file")
    an.add_argument(
        "--vs",
        default=None,
        metavar="OTHER",
        help="a second scenario (not the same one), side by side, same seed (default: none)",
    )
    an.add_argument("--seed", type=_seed, default=0, help="integer seed (default 0)")
    _lang_option(an, "page or video")
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
    an.add_argument("--no-progress", action="store_true", help="no progress bar for a video")
    _large_option(an, " (a long run of a large region)", page=True)


APP_PORT = 8050


def _host(text: str) -> str:
    """An argparse type: an IP address to listen on (a name could resolve anywhere)."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an IP address to listen on, e.g. 127.0.0.1 (loopback), got {text!r}"
        ) from None


def _app_options(sub: argparse._SubParsersAction) -> None:
    ap = _command(
        sub,
        "app",
        "the interactive workshop app: a local page in the browser, works offline",
        "Prints its address; open it in a browser. Ctrl-C stops it.",
        "samenspel app --lang nl",
    )
    ap.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    ap.add_argument(
        "--port", type=_whole_number(1, 65535), default=APP_PORT, help=f"port (default {APP_PORT})"
    )
    _lang_option(ap, "page (switchable in the page)")


def cmd_app(args: argparse.Namespace) -> int:
    import ipaddress
    import socket

    from sim.present.app import serve  # the web stack only when the app is wanted
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
    serve(args.host, args.port, args.lang)
    return 0


def warn(message: str) -> None:
    """A warning on stderr, once per message; it never changes the exit status."""
    if message not in _warned:
        _warned.add(message)
        print(f"samenspel: warning: {message}", file=sys.stderr)


_warned: set[str] = set()


def _scenario(name_or_file: str, **overrides: object) -> Scenario:
    """Load a scenario (ConfigError naming every bad field) and warn of each override in it
    that changes nothing."""
    scenario = load_scenario(name_or_file, **overrides)
    for line in unchanged_overrides(scenario):
        warn(f"{name_or_file}: {line}")
    return scenario


WHATIF_REPLICATES = 100


def _whatif_options(sub: argparse._SubParsersAction) -> None:
    wi = _command(
        sub,
        "whatif",
        "one alternative against what it replaces, on the same seeds, in one page",
        "Each outcome's difference with its 95% interval (paired by seed), marked better, worse "
        "or no clear difference; who gains and who loses per municipality; and an explanation "
        "generated from the rules that differ and the intermediate outcomes that moved. "
        "Printed, and written as whatif.html (offline, printable) with its tables.",
        "samenspel whatif dordrecht-service",
        "samenspel whatif dordrecht-service --lang nl",
        "samenspel whatif experiments/mine.toml --base multiple-local-status-quo",
    )
    wi.add_argument("alternative", help="a preset name (samenspel scenarios) or a .toml file")
    wi.add_argument(
        "--base",
        default=None,
        help="the scenario to compare with (default: what the alternative replaces: its "
        "`replaces` preset, else its previous_governance kept in force)",
    )
    wi.add_argument(
        "--replicates",
        type=_replicates,
        default=WHATIF_REPLICATES,
        help=f"seeds, the same for both (default {WHATIF_REPLICATES})",
    )
    wi.add_argument("--seed", type=_seed, default=0, help="first seed (default 0)")
    wi.add_argument(
        "--years", type=_years, default=None, help="horizon in years, 1..100 (default: its own)"
    )
    wi.add_argument("--workers", type=_workers, default=None, help="processes (default: all cores)")
    _lang_option(wi, "page and the printed answer")
    wi.add_argument("--no-progress", action="store_true", help="no progress bar")
    _large_option(wi)
    _output_options(wi, "results/whatif-ALTERNATIVE")


def cmd_whatif(args: argparse.Namespace) -> int:
    from sim.io.progress import bar
    from sim.io.store import destination
    from sim.present.i18n import text
    from sim.study import whatif
    from sim.study.estimate import guard, of_runs

    if args.seed + args.replicates - 1 > MAX_SEED:
        raise ConfigError(
            f"--seed: seeds {args.seed} to {args.seed + args.replicates - 1} go beyond the "
            f"largest seed the tables hold ({MAX_SEED}); choose a smaller --seed"
        )
    alt, base = whatif.scenarios(args.alternative, args.base, args.years)
    work = of_runs([(base, args.replicates), (alt, args.replicates)], "--replicates")
    guard("whatif", work, args.large, args.workers)
    for name, sc in ((args.alternative, alt), (args.base, base)):
        for line in unchanged_overrides(sc) if name else ():
            warn(f"{name}: {line}")
    dest = destination(args.out, Path("results") / f"whatif-{alt.name}", force=args.force)
    with bar(2 * args.replicates, "whatif", enabled=not args.no_progress) as update:
        result = whatif.whatif(
            alt, base, args.replicates, workers=args.workers, base_seed=args.seed, progress=update
        )
    settings = {
        "alternative": alt.name,
        "base": base.name,
        "replicates": args.replicates,
        "base_seed": args.seed,
        "lang": args.lang,
    }
    whatif.save(result, dest, settings, args.lang)
    print(whatif.format_text(result, args.lang))
    print(closing_line(dest, args.lang, text("cli.whatif.files", args.lang)))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present.i18n import text
    from sim.present.summary import run_summary
    from sim.study.run import save_run, simulate  # pandas and pyarrow only when a run is wanted

    scenario = _scenario(args.scenario, years=args.years)
    dest = destination(
        args.out, Path("results") / f"{scenario.name}-seed{args.seed}", force=args.force
    )
    result = simulate(scenario, args.seed)
    save_run(result, dest)
    print(run_summary(result, args.lang))
    print(closing_line(dest, args.lang, text("cli.run.files", args.lang)))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import time

    from sim.io.progress import bar
    from sim.io.store import destination
    from sim.present.i18n import number, text
    from sim.present.printed import format_table
    from sim.present.report import write_report
    from sim.study.compare import compare, save
    from sim.study.estimate import guard, of_runs

    if args.scenarios is None:
        names = list_scenarios()
    else:
        names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
        if not names:
            raise ConfigError(
                f"--scenarios: no scenario named in {args.scenarios!r}; give comma-separated "
                f"preset names or .toml files, e.g. {','.join(list_scenarios()[:2])}"
            )
    if args.seed + args.replicates - 1 > MAX_SEED:
        raise ConfigError(
            f"--seed: seeds {args.seed} to {args.seed + args.replicates - 1} go beyond the "
            f"largest seed the tables hold ({MAX_SEED}); choose a smaller --seed"
        )
    scenarios = [_scenario(n, years=args.years) for n in names]
    seen = set()
    for sc in scenarios:
        if sc.name in seen:
            raise ConfigError(
                f"--scenarios: two scenarios are named {sc.name!r}; give each a name of its own "
                "(the `name` key of its file)"
            )
        seen.add(sc.name)
    work = of_runs([(sc, args.replicates) for sc in scenarios], "--replicates or --scenarios")
    guard("compare", work, args.large, args.workers)
    dest = destination(args.out, Path("results") / "compare", force=args.force)
    start = time.perf_counter()
    total = len(scenarios) * args.replicates
    with bar(total, "compare", enabled=not args.no_progress) as update:
        result = compare(
            scenarios, args.replicates, workers=args.workers, base_seed=args.seed, progress=update
        )
    elapsed = time.perf_counter() - start
    years = sorted({sc.years for sc in scenarios})
    settings = {
        "scenarios": [sc.name for sc in scenarios],
        "replicates": args.replicates,
        "base_seed": args.seed,
        "years": years[0] if len(years) == 1 else years,
    }
    settings["lang"] = args.lang

    def report(folder: Path) -> None:
        write_report(result, folder / "report.html", settings, args.lang, args.presentation)

    save(result, dest, settings, pages=[report])
    heading = text(
        "cli.compare.heading",
        args.lang,
        scenarios=len(scenarios),
        replicates=number(args.replicates, args.lang, 0),
        seconds=number(elapsed, args.lang, 1),
    )
    print(heading)
    print(format_table(result, lang=args.lang))
    print(closing_line(dest, args.lang, text("cli.compare.files", args.lang)))
    return 0


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    where = f" --scheduler {args.scheduler}" if args.scheduler else ""
    large = " --large" if args.large else ""  # a design that needed it needs it to resume
    return f"samenspel sweep {args.spec} --out {out}{where} --resume{large}"


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.study.estimate import guard, of_sweep
    from sim.study.experiment import largest_scenario, load_spec
    from sim.study.sweep import is_sweep, load_results, sweep

    spec = load_spec(args.spec)
    out = args.out or Path("results") / spec.name
    hint = _resume_command(args, out)
    args.resume_hint = lambda: hint if is_sweep(out) else None  # once there is a sweep to resume
    total = spec.run_count()
    reduce = "design.samples, the parameters' levels or values, or replicates"
    guard(str(args.spec), of_sweep(total, largest_scenario(spec), reduce), args.large, args.workers)
    started: list[int] = []  # runs done when the sweep started
    executor = (
        "dask" if args.scheduler is not None else "inprocess" if args.in_process else "processes"
    )
    folder = sweep(
        spec,
        out,
        executor=executor,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
        say=warn,
        started=started,
        wait_for_workers=args.wait_for_workers,
    )
    if started[0] >= total:
        print(f"samenspel sweep: nothing to do: all {total:,} runs in {folder}/ are done")
        return 0
    runs, _ = load_results(folder)
    failed = runs[runs["status"] != "ok"] if len(runs) else runs
    print(f"samenspel sweep: {len(runs):,} runs in {folder}/ ({len(failed):,} failed)")
    if len(runs) and len(failed) == len(runs):
        first = failed["error"].iloc[0].splitlines()[-1]
        print(f"samenspel: every run failed; the first: {first}", file=sys.stderr)
        return 1
    if len(failed):
        print(f"  the errors are in {folder}/status.log and the runs table's `error` column")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present import calibration_report
    from sim.study.calibration import (
        EvaluationFailed,
        calibrate,
        estimate,
        load_calibration,
        progress_printer,
        save,
    )
    from sim.study.estimate import guard
    from sim.study.sweep import check_scheduler

    spec, keys = load_calibration(args.spec)
    guard(str(args.spec), estimate(spec, keys), args.large, args.workers)
    dest = destination(args.out, Path("results") / "calibration", force=args.force)
    scheduler = args.scheduler
    points = spec.executor.parallel == "points"
    if scheduler is None and args.workers is None and points and spec.executor.kind == "dask":
        scheduler = spec.executor.scheduler
    if scheduler is not None:
        check_scheduler(scheduler, args.wait_for_workers)
    try:
        cal = calibrate(
            spec,
            keys,
            executor="processes" if args.workers and points else None,
            workers=args.workers,
            scheduler=scheduler,
            progress=None if args.no_progress else progress_printer,
            bar=not args.no_progress and sys.stderr.isatty(),
        )
    except EvaluationFailed as exc:
        print(f"samenspel: calibration stopped, nothing written: {exc}", file=sys.stderr)
        return 1
    save(cal, dest, pages=calibration_report.pages(cal))
    print(
        f"samenspel calibrate: {len(cal.particles)} particles from {len(cal.evaluations)} "
        f"evaluations on {len(keys)} checks x {spec.seeds} seeds in {cal.seconds:.0f} s "
        f"({cal.stopped})"
    )
    print(f"{closing_line(dest)} (report.md, report.html, accepted_ranges.csv, constraints.csv)")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from sim.study.analysis import analyze

    out = analyze(args.results, args.out, force=args.force, partial=args.partial, say=warn)
    for f in sorted(out.iterdir()):
        print(f"  {f}")
    default = args.results.with_name(args.results.name + "-analysis")
    kept = args.out is None and out != default
    print(
        f"samenspel analyze: written to {out}/"
        + (f" ({default}/ holds an earlier analysis and is kept)" if kept else "")
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present import validation_report
    from sim.study import validation
    from sim.study.estimate import guard, of_runs

    overrides: dict[str, object] = {}
    if args.scenario is not None:
        _scenario(args.scenario)  # its own overrides that change nothing
        overrides.update(validation.overrides_from_scenario(args.scenario))
        unused = validation.unused_keys(args.scenario)
        if unused:
            warn(
                f"--scenario {args.scenario}: validate takes only its assumptions "
                f"({', '.join(validation.ASSUMPTIONS)}); its {', '.join(unused)} are not used: "
                "each check runs the set-ups it was made for"
            )
    given = dict(overrides)
    sets = validation.parse_set(args.overrides)
    overrides.update(sets)
    keys = None
    if args.checks is not None:
        keys = [k.strip() for k in args.checks.split(",") if k.strip()]
        if not keys:
            raise ConfigError(
                f"--checks: no check named in {args.checks!r}; give comma-separated keys, "
                f"e.g. {','.join(c.key for c in validation.CHECKS[:2])}"
            )
        for key in keys:
            validation.check(key)  # raises naming the keys there are
    chosen = keys or [c.key for c in validation.CHECKS]
    # every scenario built, every override checked and the work estimated before anything runs
    work = validation.workload(overrides, chosen, args.seeds)
    guard("validate", of_runs(work, "--seeds or --checks"), args.large, args.workers)
    for line in _unchanged_sets(sets, given, args.scenario):
        warn(line)
    dest = destination(args.out, Path("results") / "validate", force=args.force)
    results = validation.evaluate_all(
        overrides,
        keys=keys,
        seeds=args.seeds,
        workers=args.workers,
        progress=not args.no_progress,
    )
    settings = {
        "overrides": overrides,
        "scenario": args.scenario,
        "checks": chosen,
        "seeds": args.seeds,
        "lang": args.lang,
    }
    validation.save(
        results,
        dest,
        settings,
        words=validation_report.table_words(results),
        pages=validation_report.pages(results, settings, args.lang),
    )
    print(validation_report.format_table(results, args.lang))
    print(validation_report.written_line(dest, args.lang))
    return 0 if all(s.passed for _, s in results) else 1


def _unchanged_sets(
    sets: dict[str, object], given: dict[str, object], scenario: str | None
) -> list[str]:
    """`--set PATH=VALUE`s that change nothing: VALUE is what --scenario gives at PATH, or what
    every preset has there."""
    presets = [load_scenario(n).model_dump(mode="json") for n in list_scenarios()]
    lines = []
    for path, value in sets.items():
        if path in given:
            if given[path] == value and type(given[path]) is type(value):
                lines.append(
                    f"--set {path}={toml_literal(value)} is the value --scenario {scenario} gives "
                    "it already; the option changes nothing"
                )
            continue
        found = [_at(p, path) for p in presets]
        if all(f == value and type(f) is type(value) for f in found):
            lines.append(
                f"--set {path}={toml_literal(value)} is the value every scenario has already; "
                "the option changes nothing"
            )
    return lines


_MISSING = object()


def _at(data: object, path: str) -> object:
    """The value at a dotted path of a scenario's dump (_MISSING where there is none)."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def cmd_lists(args: argparse.Namespace) -> int:
    """`samenspel scenarios`, `arrangements`, `rules`."""
    from sim.present import listing

    print(getattr(listing, args.command)(args.lang))
    return 0


def cmd_animate(args: argparse.Namespace) -> int:
    from sim.io import store
    from sim.present import animate
    from sim.present.i18n import text
    from sim.study.estimate import guard, of_animation

    fmt = animate.output_format(args.format, args.out)
    scenarios = [_scenario(args.scenario)]
    if args.vs is not None:
        try:
            scenarios.append(_scenario(args.vs))
        except ConfigError as exc:
            raise ConfigError(f"--vs: {exc}") from None
        if scenarios[1].name == scenarios[0].name:
            raise ConfigError(
                f"--vs: {args.vs} and {args.scenario} are both named {scenarios[0].name!r}: "
                "the page would play one scenario against itself; give --vs another scenario "
                "(or the other file a `name` of its own)"
            )
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


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 to a day."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from 0 to 86400, got {text!r}"
        )
    return value


def _wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait-for-workers",
        type=_seconds,
        default=WORKER_WAIT,
        metavar="SECONDS",
        help="with --scheduler: how long to wait for a first Dask worker before giving up "
        f"(default {WORKER_WAIT})",
    )


COMMANDS = {
    "run": cmd_run,
    "compare": cmd_compare,
    "sweep": cmd_sweep,
    "calibrate": cmd_calibrate,
    "analyze": cmd_analyze,
    "validate": cmd_validate,
    "animate": cmd_animate,
    "app": cmd_app,
    "whatif": cmd_whatif,
    "scenarios": cmd_lists,
    "arrangements": cmd_lists,
    "rules": cmd_lists,
}


def main(argv: list[str] | None = None) -> int:
    """The command line. SIGTERM and Ctrl-C end it at once with one line on stderr and exit
    status 143 or 130, whatever it is doing (sim/study/signals.py says why and why that is safe);
    as the program (`argv` None) until the interpreter has exited, else until main returns."""
    args = argparse.Namespace()

    def resume() -> str:
        hint = getattr(args, "resume_hint", lambda: None)()
        return f"; what finished is kept: {hint}" if hint else ""

    with stop_on_signals(resume, restore=argv is not None):
        args = _parser().parse_args(argv)
        try:
            return COMMANDS[args.command](args)
        except ConfigError as exc:
            print(f"samenspel: error: {exc}", file=sys.stderr)
            return 2
        except LostCluster as exc:
            print(f"samenspel: {exc}{resume()}", file=sys.stderr)
            return 1
        except UnusableCluster as exc:
            print(f"samenspel: {exc}", file=sys.stderr)
            return 1
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            sys.stderr.close()
            return 0


if __name__ == "__main__":
    sys.exit(main())
