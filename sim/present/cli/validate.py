"""`samenspel validate`: the model's claimed patterns checked over their seeds (docs/ODD.md,
section 1), with the assumptions of a scenario file or `--set PATH=VALUE` applied to every scenario
a check builds; exit status 1 when a check fails."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.model.config import ConfigError, list_scenarios, load_scenario, toml_literal
from sim.present.cli.common import checked_scenario, warn
from sim.present.cli.parser import (
    Command,
    lang_option,
    large_option,
    output_options,
    progress_option,
    replicates,
    seed_option,
    whole_number,
    workers_option,
)


def validate_options(va: argparse.ArgumentParser) -> None:
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
        "--seeds", type=replicates, default=None, help="seeds per check (default: its own)"
    )
    va.add_argument(
        "--worlds",
        type=whole_number(1, 10_000),
        default=None,
        help="posterior predictive checks: run the checks in this many plausible worlds "
        "(behaviour drawn from the calibration's posterior with --seed) and say which hold in "
        "at least 90%% of them (default: the model's default behaviour only)",
    )
    seed_option(va, "seed the worlds are drawn with")
    workers_option(va)
    lang_option(va, "printed table and the report")
    progress_option(va)
    large_option(va)
    output_options(va, "results/validate")


def _scenario_overrides(scenario: str | None) -> dict[str, object]:
    """The assumptions `--scenario` sets (validate takes no other part of it; it says so)."""
    from sim.study import validation

    if scenario is None:
        return {}
    checked_scenario(scenario)  # its own overrides that change nothing
    unused = validation.unused_keys(scenario)
    if unused:
        warn(
            f"--scenario {scenario}: validate takes only its assumptions "
            f"({', '.join(validation.ASSUMPTIONS)}); its {', '.join(unused)} are not used: "
            "each check runs the set-ups it was made for"
        )
    return dict(validation.overrides_from_scenario(scenario))


def _chosen_checks(given: str | None, lang: str) -> list[str] | None:
    """The checks `--checks` names (None: every check); ConfigError, in `lang`, naming the
    keys there are."""
    import difflib

    from sim.present.i18n import text
    from sim.study import validation

    if given is None:
        return None
    keys = [k.strip() for k in given.split(",") if k.strip()]
    known = [c.key for c in validation.CHECKS]
    if not keys:
        example = ",".join(known[:2])
        raise ConfigError(text("validate.no_checks", lang, given=repr(given), example=example))
    for key in keys:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = text("validate.did_you_mean", lang, name=repr(guess[0])) if guess else ""
            raise ConfigError(
                text(
                    "validate.unknown_check",
                    lang,
                    check=repr(key),
                    hint=hint,
                    known=", ".join(known),
                )
            )
    return keys


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.io.store import destination
    from sim.present import validation_report
    from sim.study import validation
    from sim.study.estimate import guard, of_runs

    overrides = _scenario_overrides(args.scenario)
    given = dict(overrides)
    sets = validation.parse_set(args.overrides)
    overrides.update(sets)
    keys = _chosen_checks(args.checks, args.lang)
    chosen = keys or [c.key for c in validation.CHECKS]
    # every scenario built, every override checked and the work estimated before anything runs
    work = validation.workload(overrides, chosen, args.seeds)
    work = work * (args.worlds or 1)  # every world runs them all again
    guard("validate", of_runs(work, "--seeds, --checks or --worlds"), args.large, args.workers)
    for line in _unchanged_sets(sets, given, args.scenario):
        warn(line)
    dest = destination(args.out, Path("results") / "validate", force=args.force)
    if args.worlds is not None:
        return _across_worlds(args, overrides, keys, dest)
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
    return 0 if all(s.passed or c.gap for c, s in results) else 1


def _across_worlds(
    args: argparse.Namespace, overrides: dict[str, object], keys: list[str] | None, dest
) -> int:
    """`validate --worlds N`: every chosen check in N plausible worlds; exit 0 (a study of how
    far the claims reach, not a test: the printed table says which depend on behaviour)."""
    from sim.io.progress import bar
    from sim.io.store import write_atomically, write_json, write_tables
    from sim.present.i18n import text
    from sim.present.printed import closing_line
    from sim.study import predictive, worlds
    from sim.study.run import provenance

    if not worlds.available():
        raise ConfigError(text("validate.no_posterior", args.lang))
    if args.worlds < worlds.FEW:
        warn(text("validate.few_worlds", args.lang, worlds=args.worlds, enough=worlds.WORLDS))
    drawn = worlds.draw(args.worlds, args.seed)
    with bar(args.worlds, "validate", "world", enabled=not args.no_progress) as update:
        per_world = predictive.across_worlds(
            drawn, overrides, keys, args.seeds, args.workers, update
        )
    summary = predictive.robustness(per_world)

    def fill(tmp: Path) -> None:
        write_tables(tmp, {"per_world": per_world, "robustness": summary, "worlds": drawn.table()})
        settings = {"overrides": overrides, "checks": keys, "seeds": args.seeds}
        write_json(tmp / "manifest.json", {**settings, **drawn.provenance(), **provenance()})

    write_atomically(dest, fill)
    w = lambda name, **f: text(f"validate.{name}", args.lang, **f)  # noqa: E731
    print(w("worlds_heading", worlds=args.worlds))
    for r in summary.itertuples():
        said = {"holds": "worlds_robust", "fails": "worlds_fails", "depends": "worlds_depends"}
        verdict = w(said[r.verdict]) + (", " + w("worlds_gap") if r.gap else "")
        line = w("worlds_line", check=r.check, passed=r.passed, worlds=r.worlds, verdict=verdict)
        print("  " + line)
    print(closing_line(dest, args.lang, w("worlds_files")))
    return 0


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


VALIDATE = Command(
    "validate",
    "check the model's claimed patterns (docs/ODD.md, section 1)",
    "Runs every check (or those named) over its seeds; exit status 0 if all pass, 1 if "
    "one fails. --scenario and --set apply assumptions to every scenario a check builds.",
    (
        "samenspel validate --checks p1-decay,p6-commitment --seeds 50",
        "samenspel validate --set behaviour.trust_loss=0.3 --set salience_spread=1.5 --lang nl",
    ),
    validate_options,
    cmd_validate,
)
