"""The `samenspel` command line.

    samenspel run [--scenario NAME|FILE] [--seed N] [--years Y] [--out DIR]
    samenspel compare [--scenarios A,B,...] [--replicates R] [--years Y] [--out DIR]
    samenspel calibrate SPEC [--out DIR] [--force] [--workers N | --scheduler ADDRESS]
    samenspel sweep SPEC [--workers N | --scheduler ADDRESS | --in-process] [--resume]
    samenspel analyze RESULTS
    samenspel validate [--scenario FILE] [--set PATH=VALUE ...] [--checks KEY,...] [--seeds N]
    samenspel animate SCENARIO [--vs OTHER] [--seed N] [--lang nl|en] [--out FILE] [--projector]
                      [--format html|gif|mp4]
    samenspel app [--host 127.0.0.1] [--port N] [--lang nl|en]
    samenspel scenarios

Exit status: 0 on success, 2 on bad input (a usage error or a scenario that does not validate),
with nothing written; `validate` exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from sim.config import ConfigError, list_scenarios, load_scenario
from sim.executors import LostCluster
from sim.outcomes import outcome, shown_in

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


def _output_options(parser: argparse.ArgumentParser, default: str) -> None:
    """--out and --force, alike for every command that writes a result folder."""
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default {default}, or the next free name: NAME-2, NAME-3, ...)",
    )
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Agent-based simulation of regional cooperation in the Drechtsteden.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and write its outputs")
    run.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"a preset name (samenspel scenarios) or a .toml file (default {DEFAULT_SCENARIO})",
    )
    run.add_argument("--seed", type=_seed, default=0, help="integer seed (default 0)")
    run.add_argument("--years", type=_years, default=None, help="horizon in years (1..100)")
    _output_options(run, "results/SCENARIO-seedN")
    cmp = sub.add_parser(
        "compare", help="compare scenarios over many seeds: intervals, scorecard, HTML report"
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
    cmp.add_argument("--years", type=_years, default=None, help="horizon in years (1..100)")
    cmp.add_argument("--seed", type=_seed, default=0, help="first seed (default 0)")
    cmp.add_argument(
        "--workers", type=_workers, default=None, help="processes (default: all cores)"
    )
    _output_options(cmp, "results/compare")
    sw = sub.add_parser("sweep", help="run an experiment spec, streaming results to disk")
    sw.add_argument("spec", type=Path, help="experiment spec (.toml), e.g. experiments/sweeps/")
    where = sw.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_workers, default=None, help="local processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786"
    )
    where.add_argument("--in-process", action="store_true", help="run in this process")
    sw.add_argument("--resume", action="store_true", help="complete an interrupted sweep")
    sw.add_argument("--out", type=Path, default=None, help="folder (default results/SPEC-NAME)")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument(
        "--large",
        action="store_true",
        help=f"confirm a design of more than {LARGE_SWEEP:,} runs",
    )
    cal = sub.add_parser(
        "calibrate", help="calibrate behaviour parameters against the patterns (ABC-SMC)"
    )
    cal.add_argument("spec", type=Path, help="calibration spec (.toml), e.g. experiments/")
    cal_where = cal.add_mutually_exclusive_group()
    cal_where.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help='local processes for the points (with executor.parallel = "points")',
    )
    cal_where.add_argument(
        "--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786"
    )
    cal.add_argument("--no-progress", action="store_true", help="no line per generation")
    _output_options(cal, "results/calibration")
    an = sub.add_parser("analyze", help="sensitivity indices and main effects of a sweep")
    an.add_argument("results", type=Path, help="a sweep's results folder")
    _output_options(an, "RESULTS/analysis")
    va = sub.add_parser(
        "validate", help="check the model's claimed patterns (docs/ODD.md, section 1)"
    )
    va.add_argument(
        "--scenario",
        default=None,
        help="take this scenario's assumptions (its behaviour table, salience_spread, "
        "shock_probability) as overrides: a preset name or a .toml file",
    )
    va.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field in every check, VALUE a TOML literal, e.g. "
        "--set behaviour.trust_loss=0.3 (repeatable; after --scenario)",
    )
    va.add_argument("--checks", default=None, help="comma-separated check keys (default: all)")
    va.add_argument(
        "--seeds", type=_replicates, default=None, help="seeds per check (default: its own)"
    )
    va.add_argument("--workers", type=_workers, default=None, help="processes (default: all cores)")
    va.add_argument("--lang", choices=["en", "nl"], default="en", help="language (default en)")
    va.add_argument("--no-progress", action="store_true", help="no progress bar")
    _output_options(va, "results/validate")
    _animate_options(sub)
    _app_options(sub)
    sub.add_parser("scenarios", help="list the preset scenarios")
    return parser


def _animate_options(sub: argparse._SubParsersAction) -> None:
    from sim.animate import FORMATS
    from sim.i18n import LANGUAGES

    an = sub.add_parser(
        "animate",
        help="play a run month by month in one offline HTML page (or a GIF or MP4 video)",
    )
    an.add_argument("scenario", help="a preset name (samenspel scenarios) or a .toml file")
    an.add_argument(
        "--vs", default=None, metavar="OTHER", help="a second scenario, side by side, same seed"
    )
    an.add_argument("--seed", type=_seed, default=0, help="integer seed (default 0)")
    an.add_argument("--lang", choices=LANGUAGES, default=LANGUAGES[0], help="language (default en)")
    an.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output file (default results/animate-SCENARIO.html, or the next free name: "
        "-2, -3, ...)",
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
        help="html (default, or as --out's suffix says), gif or mp4",
    )
    an.add_argument("--no-progress", action="store_true", help="no progress bar for a video")


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
    from sim.i18n import LANGUAGES

    ap = sub.add_parser(
        "app", help="the interactive workshop app: a local page in the browser, works offline"
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
    ap.add_argument("--lang", choices=LANGUAGES, default=LANGUAGES[0], help="language (default en)")


def cmd_app(args: argparse.Namespace) -> int:
    import socket

    from sim.app import serve  # the web stack only when the app is wanted

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family) as probe:  # say so now, not in a traceback from the server
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise ConfigError(
                f"--host {args.host} --port {args.port}: cannot listen there ({exc.strerror}); "
                "choose another --port, or an address of this machine"
            ) from None
    serve(args.host, args.port, args.lang)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from sim.run import save_run, simulate  # pandas and pyarrow only when a run is wanted
    from sim.store import destination

    scenario = load_scenario(args.scenario, years=args.years)
    dest = destination(
        args.out, Path("results") / f"{scenario.name}-seed{args.seed}", force=args.force
    )
    result = simulate(scenario, args.seed)
    save_run(result, dest)
    s = result.summary
    print(f"samenspel: {scenario.name}, seed {args.seed}, {scenario.years} years")
    keys = [o.key for o in shown_in("run")] + [f"commitment_{t}" for t in scenario.governance]
    for key in keys:
        entry = outcome(key)
        label = entry.en + (f" ({entry.unit_en})" if entry.unit_en else "")
        print(f"  {label:<44} {entry.format(s[key]):>10}")
    print(f"{dest.describe()} (timeseries, summary, municipalities, events: .parquet and .csv)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import time

    from sim.compare import compare, format_table, save
    from sim.store import destination

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
    scenarios = [load_scenario(n, years=args.years) for n in names]
    seen = set()
    for sc in scenarios:
        if sc.name in seen:
            raise ConfigError(
                f"--scenarios: two scenarios are named {sc.name!r}; give each a name of its own "
                "(the `name` key of its file)"
            )
        seen.add(sc.name)
    dest = destination(args.out, Path("results") / "compare", force=args.force)
    start = time.perf_counter()
    result = compare(scenarios, args.replicates, workers=args.workers, base_seed=args.seed)
    elapsed = time.perf_counter() - start
    years = sorted({sc.years for sc in scenarios})
    settings = {
        "scenarios": [sc.name for sc in scenarios],
        "replicates": args.replicates,
        "base_seed": args.seed,
        "years": years[0] if len(years) == 1 else years,
    }
    save(result, dest, settings)
    print(
        f"samenspel compare: {len(scenarios)} scenarios x {args.replicates} seeds "
        f"in {elapsed:.1f} s; means with 95% intervals"
    )
    print(format_table(result))
    print(f"{dest.describe()} (report.html, runs, outcomes, trajectories: .parquet and .csv)")
    return 0


LARGE_SWEEP = 1_000_000  # runs; a design beyond this needs --large (README, "Sweeps")
SECONDS_PER_RUN_YEAR = 0.0006  # one Drechtsteden run-year on one core (make bench), for estimates


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    where = f" --scheduler {args.scheduler}" if args.scheduler else ""
    return f"samenspel sweep {args.spec} --out {out}{where} --resume"


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiment import load_spec
    from sim.sweep import done_runs, is_sweep, load_results, sweep

    spec = load_spec(args.spec)
    out = args.out or Path("results") / spec.name
    args.resume_hint = _resume_command(args, out)
    total = spec.run_count()
    if total > LARGE_SWEEP and not args.large:
        workers = args.workers or os.cpu_count() or 1
        years = spec.years or 10
        hours = total * years * SECONDS_PER_RUN_YEAR / workers / 3600
        raise ConfigError(
            f"{args.spec}: this design makes {total:,} runs, about {hours:,.0f} hours on "
            f"{workers} cores for the Drechtsteden region (more for a larger region); above "
            f"{LARGE_SWEEP:,} runs add --large to confirm, or reduce design.samples, the "
            "levels or replicates"
        )
    done_before = len(done_runs(out)) if args.resume and is_sweep(out) else 0
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
    )
    if done_before >= total:
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
    from sim.calibration import (
        EvaluationFailed,
        calibrate,
        load_calibration,
        progress_printer,
        save,
    )
    from sim.store import destination
    from sim.sweep import check_scheduler

    spec, keys = load_calibration(args.spec)
    dest = destination(args.out, Path("results") / "calibration", force=args.force)
    scheduler = args.scheduler
    points = spec.executor.parallel == "points"
    if scheduler is None and args.workers is None and points and spec.executor.kind == "dask":
        scheduler = spec.executor.scheduler
    if scheduler is not None:
        check_scheduler(scheduler)
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
    save(cal, dest)
    print(
        f"samenspel calibrate: {len(cal.particles)} particles from {len(cal.evaluations)} "
        f"evaluations on {len(keys)} checks x {spec.seeds} seeds in {cal.seconds:.0f} s "
        f"({cal.stopped})"
    )
    print(f"{dest.describe()} (report.md, report.html, accepted_ranges.csv, constraints.csv)")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from sim.analysis import analyze

    out = analyze(args.results, args.out, force=args.force)
    for f in sorted(out.iterdir()):
        print(f"  {f}")
    print(f"samenspel analyze: written to {out}/")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from sim import validation
    from sim.store import destination

    overrides: dict[str, object] = {}
    if args.scenario is not None:
        overrides.update(validation.overrides_from_scenario(args.scenario))
    overrides.update(validation.parse_set(args.overrides))
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
    for key in chosen:  # every scenario built, every override checked, before anything runs
        validation.check(key).plan(overrides, range(1))
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
    validation.save(results, dest, settings, args.lang)
    print(validation.format_table(results, args.lang))
    print(validation.written_line(dest, args.lang))
    return 0 if all(s.passed for _, s in results) else 1


def cmd_animate(args: argparse.Namespace) -> int:
    from sim import animate, store
    from sim.i18n import text

    fmt = animate.output_format(args.format, args.out)
    scenarios = [load_scenario(args.scenario)]
    if args.vs is not None:
        try:
            scenarios.append(load_scenario(args.vs))
        except ConfigError as exc:
            raise ConfigError(f"--vs: {exc}") from None
    animate.check_video_support(fmt)
    names = [sc.name for sc in scenarios]
    dest = store.file_destination(
        args.out,
        Path("results") / animate.default_name(names, fmt),
        mark=animate.MARK,
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


class Terminated(Exception):
    """SIGTERM, taken like Ctrl-C: stop cleanly, keep what finished."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command == "sweep":
            return cmd_sweep(args)
        if args.command == "calibrate":
            return cmd_calibrate(args)
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "animate":
            return cmd_animate(args)
        if args.command == "app":
            return cmd_app(args)
        if args.command == "scenarios":
            print("\n".join(list_scenarios()))
            return 0
    except ConfigError as exc:
        print(f"samenspel: error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as exc:
        hint = getattr(args, "resume_hint", None)
        hint = f"; what finished is kept: {hint}" if hint else ""
        print(f"samenspel: interrupted{hint}", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except LostCluster as exc:
        hint = getattr(args, "resume_hint", "")
        print(f"samenspel: {exc}; what finished is kept: {hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stderr.close()
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
