"""`samenspel sweep`, `analyze` and `calibrate`: designs over the scenario parameters, streamed to
disk on local processes or a Dask cluster, their sensitivity analysis, and the calibration of the
behaviour parameters against the patterns."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.model.config import ConfigError
from sim.present.cli.common import read_finished, warn
from sim.present.cli.parser import (
    Command,
    lang_option,
    large_option,
    output_options,
    progress_option,
    scheduler_option,
    wait_option,
    workers_option,
)
from sim.present.printed import closing_line

# --- sweep -----------------------------------------------------------------------------------


def sweep_options(sw: argparse.ArgumentParser) -> None:
    sw.add_argument("spec", type=Path, help="experiment spec (.toml), e.g. experiments/sweeps/")
    where = sw.add_mutually_exclusive_group()
    workers_option(where, "local processes (default: all cores)")
    scheduler_option(where)
    where.add_argument("--in-process", action="store_true", help="run in this process")
    sw.add_argument("--resume", action="store_true", help="complete an interrupted sweep")
    wait_option(sw)
    sw.add_argument(
        "--out", type=Path, default=None, help="folder (default results/NAME, the spec's name)"
    )
    progress_option(sw)
    large_option(sw)


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


# --- calibrate -------------------------------------------------------------------------------


def calibrate_options(cal: argparse.ArgumentParser) -> None:
    cal.add_argument("spec", type=Path, help="calibration spec (.toml), e.g. experiments/")
    where = cal.add_mutually_exclusive_group()
    workers_option(
        where,
        'local processes for the points (with executor.parallel = "points"; '
        "default: the spec's executor)",
    )
    scheduler_option(where)
    wait_option(cal)
    progress_option(cal, "no line per generation")
    most = "population x (1 + (generations - 1) x max_batches)"
    large_option(cal, f", counting its most points: {most}")
    cal.add_argument(
        "--resume",
        action="store_true",
        help="go on with an interrupted run of the same spec: its points are read back",
    )
    output_options(cal, "results/calibration")


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
    large = " --large" if args.large else ""
    hint = f"samenspel calibrate {args.spec} --out {dest.path}{large} --resume"
    args.resume_hint = lambda: hint
    try:
        cal = calibrate(
            spec,
            keys,
            executor="processes" if args.workers and points else None,
            workers=args.workers,
            scheduler=scheduler,
            progress=None if args.no_progress else progress_printer,
            bar=not args.no_progress and sys.stderr.isatty(),
            resume=args.resume,
        )
    except EvaluationFailed as exc:
        print(f"samenspel: calibration stopped, nothing written: {exc}", file=sys.stderr)
        return 1
    save(cal, dest, pages=calibration_report.pages(cal))
    print(
        f"samenspel calibrate: {len(cal.particles)} particles from {len(cal.evaluations)} "
        f"evaluations on {len(keys)} checks x {spec.seeds} seeds in {cal.seconds:.0f} s "
        f"({cal.stopped}; the points took {cal.evaluation_seconds:.0f} s of evaluation"
        f"{f', {cal.resumed} read back from the interrupted run' if cal.resumed else ''})"
    )
    print(f"{closing_line(dest)} (report.md, report.html, accepted_ranges.csv, constraints.csv)")
    return 0


# --- posterior -------------------------------------------------------------------------------


def posterior_options(po: argparse.ArgumentParser) -> None:
    lang_option(po, "page")
    output_options(po, "results/posterior")


def cmd_posterior(args: argparse.Namespace) -> int:
    import shutil

    from sim.io.store import destination, write_atomically, write_json
    from sim.present import posterior_page
    from sim.present.i18n import text
    from sim.study.run import provenance
    from sim.study.worlds import available, load_posterior, posterior_folder

    if not available():
        raise ConfigError(text("posterior.no_posterior", args.lang))
    dest = destination(args.out, Path("results") / "posterior", force=args.force)
    folder = posterior_folder()

    def fill(tmp: Path) -> None:
        posterior_page.write(folder, tmp / "diagnostics.html", args.lang)
        for name in ("ranges.csv", "constraints.csv", "predictive.csv"):
            shutil.copyfile(folder / name, tmp / name)
        shutil.copyfile(folder / "manifest.json", tmp / "posterior.json")
        digest = load_posterior(folder).sha256
        write_json(
            tmp / "manifest.json",
            {"kind": "posterior", "posterior_sha256": digest, "lang": args.lang, **provenance()},
        )

    write_atomically(dest, fill)
    print(posterior_page.answer(posterior_page.read(folder), args.lang))
    print(closing_line(dest, args.lang, text("posterior.files", args.lang)))
    return 0


# --- analyze ---------------------------------------------------------------------------------


def analyze_options(an: argparse.ArgumentParser) -> None:
    an.add_argument("results", type=Path, help="a sweep's results folder")
    an.add_argument(
        "--partial",
        action="store_true",
        help="analyse an unfinished or still running sweep's finished runs (unequal numbers "
        "of runs per design point)",
    )
    lang_option(an, "summary and page")
    progress_option(an)
    output_options(an, "RESULTS-analysis, beside the sweep")


def cmd_analyze(args: argparse.Namespace) -> int:
    from sim.present import sensitivity_page
    from sim.present.i18n import text
    from sim.present.sensitivity_words import summary
    from sim.study.sensitivity import Analysis, analyze

    found: list[Analysis] = []

    def pages(folder: Path, result: Analysis) -> None:
        found.append(result)
        sensitivity_page.write(folder, result, args.results.name, args.lang)

    _analyze_refusals(args)
    out = analyze(
        args.results,
        args.out,
        force=args.force,
        partial=args.partial,
        say=None,  # said above, in the command's language
        pages=pages,
        progress=not args.no_progress,
    )
    print("\n".join(summary(found[0], args.lang)))
    print()
    names = ", ".join(f.name for f in sorted(out.iterdir()))
    print(text("analyze.files", args.lang, folder=out, files=names))
    default = args.results.with_name(args.results.name + "-analysis")
    if args.out is None and out != default:
        print(text("cli.out.kept", args.lang, taken=default))
    return 0


def _analyze_refusals(args: argparse.Namespace) -> None:
    """What analyze refuses, said in the command's language before the study code would say
    it in English: no sweep, a damaged or unfinished one, every run failed, --out around it."""
    from sim.present.i18n import number, text
    from sim.study.finished import around

    sweep = read_finished(args.results, "analyze", args.lang, args.partial)
    runs = sweep.runs
    if (runs["status"] != "ok").all():
        count = number(len(runs), args.lang, 0)
        raise ConfigError(
            text("sweeps.analyze_all_failed", args.lang, folder=sweep.folder, runs=count)
        )
    default = sweep.folder.name + "-analysis"
    target = Path(args.out) if args.out is not None else sweep.folder.with_name(default)
    if around(sweep.folder, target):
        raise ConfigError(text("sweeps.analyze_around", args.lang, target=target, default=default))


# --- the commands ----------------------------------------------------------------------------

SWEEP = Command(
    "sweep",
    "run an experiment spec, streaming results to disk",
    "A design over scenario parameters (see experiments/sweeps/); each finished batch is "
    "committed, so --resume completes an interrupted sweep.",
    (
        "samenspel sweep experiments/sweeps/sobol-behaviour.toml",
        "samenspel sweep SPEC --scheduler tcp://127.0.0.1:8786 --resume",
    ),
    sweep_options,
    cmd_sweep,
)
POSTERIOR = Command(
    "posterior",
    "what the calibration pins down about behaviour: the diagnostics page",
    "Writes diagnostics.html (offline): which behaviour parameters the evidence pins down and "
    "which it leaves open, prior against posterior, correlations, which checks constrain "
    "which parameter and the posterior predictive checks, with their tables.",
    ("samenspel posterior", "samenspel posterior --lang nl --out results/posterior-nl"),
    posterior_options,
    cmd_posterior,
)
CALIBRATE = Command(
    "calibrate",
    "calibrate behaviour parameters against the patterns (ABC-SMC)",
    "Which values of the behavioural assumptions are compatible with the patterns the "
    "model claims (docs/CALIBRATION.md).",
    ("samenspel calibrate experiments/calibration.toml",),
    calibrate_options,
    cmd_calibrate,
)
ANALYZE = Command(
    "analyze",
    "sensitivity indices and main effects of a sweep",
    "Every index the sweep's design supports (Sobol S1, ST and S2 with convergence; Morris mu*, "
    "sigma; delta, PAWN and RBD-FAST on a Latin hypercube), with 95% intervals over the samples "
    "and the seeds, warnings when they are not to be trusted, and main effects; a summary in "
    "words, a page and CSV tables.",
    ("samenspel analyze results/sobol-behaviour",),
    analyze_options,
    cmd_analyze,
)
