"""The `samenspel` command line.

    samenspel run [--scenario NAME|FILE] [--seed N] [--years Y] [--out DIR]
    samenspel compare [--scenarios A,B,...] [--replicates R] [--worlds W] [--years Y] [--out DIR]
                      [--large]
    samenspel calibrate SPEC [--out DIR] [--force] [--workers N | --scheduler ADDRESS] [--large]
                        [--resume]
    samenspel posterior [--lang nl|en] [--out DIR]
    samenspel sweep SPEC [--workers N | --scheduler ADDRESS | --in-process] [--resume] [--large]
    samenspel analyze RESULTS
    samenspel discover SWEEP --outcome NAME (--below X | --above X | --beats A --over B
                       --factor PARAM) [--method prim|cart] [--coverage C] [--lang nl|en]
                       [--out DIR] [--partial]
    samenspel design SPEC [--workers N] [--lang nl|en] [--out DIR] [--force] [--large]
    samenspel rerun SWEEP RUN_ID [--out DIR] [--lang nl|en]
    samenspel validate [--scenario FILE] [--set PATH=VALUE ...] [--checks KEY,...] [--seeds N]
                       [--worlds W [--seed N]] [--large]
    samenspel animate SCENARIO [--vs OTHER] [--seed N] [--lang nl|en] [--out FILE] [--projector]
                      [--format html|gif|mp4] [--large]
    samenspel app [--host 127.0.0.1] [--port N] [--lang nl|en]
    samenspel whatif ALTERNATIVE [--base BASE] [--replicates R] [--worlds W] [--lang nl|en]
                     [--out DIR] [--large]
    samenspel scenarios [--lang nl|en]
    samenspel arrangements [--lang nl|en]
    samenspel rules [--lang nl|en]
    samenspel --version

`run` and `compare` print in English or Dutch (`--lang`); help texts are English (argparse's
own words are). Warnings go to stderr as `samenspel: warning: ...` and never change the exit
status.

Exit status: 0 on success, 2 on bad input (a usage error or a scenario that does not validate)
or on a job estimated beyond the thresholds of sim/study/estimate.py without `--large`, with nothing
written; `validate` exits 1 when a check fails, `rerun` when the run does not reproduce its
sweep's row, and any command 1 when its Dask cluster or a
worker process is lost or unusable; 143 on SIGTERM and 130 on Ctrl-C, at any moment, with one
line on stderr (sim/study/signals.py).

The package, a module per group of commands:

    parser.py     the options commands share, defined once; argparse types; the parser made
                  from the command table
    program.py    `main`: the signal handlers first, then the command; errors into an exit status
    table.py      the command table (every command, in --help's order)
    common.py     warnings, loading a scenario, the range of seeds
    runs.py       run, compare, whatif
    sweeps.py     sweep, analyze, calibrate, posterior
    discover.py   discover (scenario discovery on a sweep)
    design.py     design (many-objective search over rule sets)
    rerun.py      rerun (one run of a sweep, checked against its row)
    validate.py   validate
    shows.py      animate, app
    lists.py      scenarios, arrangements, rules

A new command: a `Command` (name, summary, description, examples, its options, what runs it) in
the module of its group, and a line in table.COMMANDS where --help lists it.
"""

from sim.present.cli.program import main

__all__ = ["main"]
