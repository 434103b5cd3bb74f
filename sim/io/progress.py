"""Progress bars: one helper for every command that runs long (sweep, compare, validate,
calibrate, whatif, a video).

    from sim.io.progress import bar

    with bar(total=400, desc="compare", enabled=not args.no_progress) as update:
        for batch in batches:
            ...
            update(len(batch))  # runs (or `unit`s) this step finished

A bar is a tqdm bar on stderr, so stdout stays the command's result. It is drawn only when
`enabled` and stderr is a terminal: piped into a file or a test, a command prints no bar and
`update` does nothing. tqdm is imported only when a bar is drawn (a sweep worker never imports
it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def shown(enabled: bool = True) -> bool:
    """Whether a bar would be drawn: asked for, and stderr is a terminal."""
    return enabled and sys.stderr.isatty()


def _nothing(n: int = 1) -> None:
    """`update` when no bar is drawn."""


@contextmanager
def bar(
    total: int,
    desc: str,
    unit: str = "run",
    enabled: bool = True,
    initial: int = 0,
    leave: bool = True,
) -> Iterator[Callable[[int], None]]:
    """A progress bar of `total` `unit`s (`initial` done already) labelled `desc`; yields
    `update(n)`, to call with the number of units each step finished. The bar closes when the
    block ends, however it ends; `leave=False` clears it from the terminal then."""
    if not shown(enabled) or total <= 0:
        yield _nothing
        return
    from tqdm import tqdm

    meter = tqdm(total=total, initial=initial, desc=desc, unit=unit, leave=leave, file=sys.stderr)
    try:
        yield meter.update
    finally:
        meter.close()
