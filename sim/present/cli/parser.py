"""The command line's parser: what the commands' options share, defined once, and the parser made
from the command table (sim/present/cli/table.py).

Each command is a `Command`: its name, its one-line summary, a description and examples for its
--help, the function that adds its own options and the function that runs it. The options that
several commands take (`--lang`, `--out`/`--force`, `--large`, `--seed`, `--years`,
`--replicates`, `--workers`, `--scheduler`, `--wait-for-workers`, `--no-progress`) and the
argparse types that check their values are made here, so that every command says them alike.
Help texts are English (argparse's own words are); every option's default is said.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.present.i18n import LANGUAGES
from sim.study.executors import WORKER_WAIT

MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in every table
MAX_WORKERS = 512
MAX_REPLICATES = 100_000
FORCE_HELP = "replace an earlier samenspel result in the --out folder (never anything else)"
SCENARIO_HELP = "a preset name (samenspel scenarios) or a .toml file"
SCHEDULER_HELP = "a Dask scheduler address, e.g. tcp://127.0.0.1:8786 (default: none, local)"


# --- the values an option takes ----------------------------------------------------------------


def whole_number(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum], with a message saying so."""

    def parse(text: str) -> int:
        value = int(text) if text.isascii() and text.strip().lstrip("+").isdigit() else None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {minimum} to {maximum:,}, got {text!r}"
            )
        return value

    return parse


seed = whole_number(0, MAX_SEED)
workers = whole_number(1, MAX_WORKERS)
replicates = whole_number(1, MAX_REPLICATES)
years = whole_number(1, 100)


def seconds(text: str) -> float:
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


def host(text: str) -> str:
    """An argparse type: an IP address to listen on (a name could resolve anywhere)."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an IP address to listen on, e.g. 127.0.0.1 (loopback), got {text!r}"
        ) from None


# --- the options several commands take ---------------------------------------------------------

Options = argparse.ArgumentParser | argparse._MutuallyExclusiveGroup


def lang_option(parser: Options, what: str = "printed words") -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help=f"language of the {what}: English or Dutch (decimal comma, Dutch month names)",
    )


def output_options(parser: Options, default: str) -> None:
    """--out and --force, alike for every command that writes a result folder."""
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default {default}, or the next free name: NAME-2, NAME-3, ...)",
    )
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def large_option(parser: Options, what: str = "", page: bool = False) -> None:
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


def seed_option(parser: Options, what: str) -> None:
    parser.add_argument("--seed", type=seed, default=0, help=f"{what} (default 0)")


def years_option(parser: Options, whose: str) -> None:
    parser.add_argument(
        "--years", type=years, default=None, help=f"horizon in years, 1..100 (default: {whose})"
    )


def replicates_option(parser: Options, default: int, what: str) -> None:
    parser.add_argument(
        "--replicates", type=replicates, default=default, help=f"{what} (default {default})"
    )


def worlds_option(parser: Options) -> None:
    parser.add_argument(
        "--worlds",
        type=whole_number(0, 10_000),
        default=None,
        help="plausible worlds (behaviour drawn from the calibration's posterior) the seeds "
        "are spread over, at least 2 seeds each (default 20, fewer when there are fewer than "
        "40 seeds); 0: every seed at the model's default behaviour",
    )


def workers_option(parser: Options, help: str = "processes (default: all cores)") -> None:
    parser.add_argument("--workers", type=workers, default=None, help=help)


def scheduler_option(parser: Options) -> None:
    parser.add_argument("--scheduler", default=None, help=SCHEDULER_HELP)


def wait_option(parser: Options) -> None:
    parser.add_argument(
        "--wait-for-workers",
        type=seconds,
        default=WORKER_WAIT,
        metavar="SECONDS",
        help="with --scheduler: how long to wait for a first Dask worker before giving up "
        f"(default {WORKER_WAIT})",
    )


def progress_option(parser: Options, help: str = "no progress bar") -> None:
    parser.add_argument("--no-progress", action="store_true", help=help)


# --- commands and the parser -------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line summary, a description and examples under its --help, the
    function that adds its options and the function that runs it (its exit status)."""

    name: str
    summary: str
    description: str
    examples: tuple[str, ...]
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Help(argparse.RawDescriptionHelpFormatter):
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


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("samenspel")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: make setup)"


def build(commands: tuple[Command, ...]) -> argparse.ArgumentParser:
    """The parser of `samenspel`, a subcommand per command in the table, in its order."""
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Agent-based simulation of regional cooperation in the Drechtsteden.\n"
        "`samenspel COMMAND --help` describes a command, its options and their defaults.",
        epilog="examples:\n  samenspel scenarios\n  samenspel run --scenario split-2022 --lang nl"
        "\n  samenspel compare --scenarios split-2022,network-2024",
        formatter_class=Help,
    )
    parser.add_argument(
        "--version", action="version", version=f"samenspel {_version()}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in commands:
        c.options(_subparser(sub, c))
    return parser


def _subparser(sub: argparse._SubParsersAction, c: Command) -> argparse.ArgumentParser:
    """A command's parser: its summary, its description and its examples under its help."""
    shown = "\n".join(f"  {e}" for e in c.examples)
    return sub.add_parser(
        c.name,
        help=c.summary,
        description=textwrap.fill(f"{c.summary[0].upper()}{c.summary[1:]}. {c.description}", 78),
        epilog=f"examples:\n{shown}" if c.examples else None,
        formatter_class=Help,
    )
