"""`samenspel scenarios`, `arrangements` and `rules`: what a scenario file may name and set,
listed in English or Dutch (sim/present/listing.py makes the lists)."""

from __future__ import annotations

import argparse
from functools import partial

from sim.present.cli.parser import Command, lang_option


def cmd_lists(args: argparse.Namespace) -> int:
    """`samenspel scenarios`, `arrangements`, `rules`."""
    from sim.present import listing

    print(getattr(listing, args.command)(args.lang))
    return 0


LISTS = (
    Command(
        "scenarios",
        "list the preset scenarios with their descriptions",
        "Any of them is a --scenario for run, compare, animate and validate, and a starting "
        "point for a scenario file of your own (sim/data/scenarios/NAME.toml).",
        ("samenspel scenarios --lang nl",),
        partial(lang_option, what="list"),
        cmd_lists,
    ),
    Command(
        "arrangements",
        "the arrangements' rules side by side",
        "A row per rule, a column per arrangement (sim/data/arrangements.toml); an own "
        "arrangement in a scenario file is based_on one of them.",
        ("samenspel arrangements --lang nl",),
        partial(lang_option, what="table"),
        cmd_lists,
    ),
    Command(
        "rules",
        "every key a scenario file may set: where, allowed values, default, meaning",
        "Top-level keys, the [behaviour] parameters, the rules of an [arrangements.NAME] "
        "table and a [[shocks]] table, as a scenario file writes them.",
        ("samenspel rules", "samenspel rules --lang nl | less"),
        partial(lang_option, what="list"),
        cmd_lists,
    ),
)
