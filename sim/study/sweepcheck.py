"""A sweep's folder read and checked: what it holds, what a kill explains, what is damaged.

Layout:

    spec.toml            the resolved spec          manifest.json   versions, commit, spec hash,
    base.toml            the resolved base scenario                 the files it wrote
    written.log          the ledger: every part written, with its size and SHA-256
    status.log           one JSON line per finished run (append-only)
    runs/part-*.parquet  one row per run: run_id, point, seed, parameters, status, error,
                         duration, outcomes
    series/part-*.parquet  time series, every k-th month, long form (if asked for)
    municipalities/part-*.parquet  one row per run and municipality: run_id, municipality, the
                         per-municipality outcomes (if the spec's outputs.municipalities asks)

A batch's parts share one file name in each folder; a batch one of whose recorded parts is
missing is incomplete, and is run again (its other parts removed) on `--resume`.

**What is the sweep's** is what it recorded: the manifest's files, and the parts in its ledger
(sim/io/ownership.py's rule reads both). Only recorded parts are read, and only recorded files
are ever removed; anything else in the folder (a note, a `.gitkeep`) is left alone and said to
be so.

**Before use**, :func:`verify` reads the whole folder and sorts what it finds into repairs that
a kill explains (a line cut off, a part noted but never recorded, a series part whose batch
never committed, log lines missing) and damage that it does not (a part changed since it was
written, a garbage line, a folder where a file belongs, an edited spec, run ids twice or outside
the design). `--resume` makes the repairs (sim/study/sweepstore.py, `Store.repair`) and names
them; damage stops it with exit status 2 saying what is damaged and what to do; `analyze`
refuses both damage and an unfinished sweep. :func:`load_results` reads the recorded parts of a
folder that holds no damage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.io.inputs import ConfigError, read_text
from sim.io.journal import file_digest
from sim.io.ownership import LOCK, manifest
from sim.study.experiment import Spec

LEDGER = "written.log"
STATUS = "status.log"
LOG_LIMIT = 1 << 30  # bytes a status log or ledger may have: 10 million runs' lines
MOST_SHOWN = 8  # problems named in one message; the rest counted


PARTS = ("runs", "series", "municipalities")
"""The folders of parts: the runs (a batch's commit) and what a batch writes beside them."""


class SweepDamaged(ConfigError):
    """A sweep folder holds something a kill cannot explain (exit status 2)."""


def companions(spec: Spec | None) -> list[str]:
    """The folders of parts a sweep of `spec` has: runs and series, and the per-municipality
    table's if the spec keeps one (a sweep made before it could has none)."""
    kept = spec is not None and bool(spec.outputs.municipalities)
    return ["runs", "series", *(["municipalities"] if kept else [])]


def is_sweep(folder: Path) -> bool:
    """Whether `folder` holds a sweep's manifest."""
    data = manifest(Path(folder))
    return data is not None and "spec_hash" in data


@dataclass
class Check:
    """What :func:`verify` found: the parts to read, repairs a kill explains, damage it does
    not, files left alone, and how many runs are done."""

    folder: Path
    spec: Spec | None = None
    parts: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in PARTS})
    repairs: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)
    done: set[int] = field(default_factory=set)
    ledger_cut: int | None = None  # bytes of the ledger up to its last whole line
    log_cut: int | None = None
    pending: list[tuple[str, str]] = field(default_factory=list)  # (part, temporary) unrecorded
    unlogged: list[str] = field(default_factory=list)  # runs parts with runs not in the log
    logged: set[int] = field(default_factory=set)  # run ids in the status log
    orphans: list[str] = field(default_factory=list)  # parts of batches that are not whole
    gone: list[str] = field(default_factory=list)  # recorded parts that are missing

    def refuse(self, command: str) -> None:
        """SweepDamaged naming the damage (at most MOST_SHOWN lines), if there is any."""
        if not self.damage:
            return
        more = len(self.damage) - MOST_SHOWN
        lines = self.damage[:MOST_SHOWN] + ([f"and {more:,} more"] if more > 0 else [])
        raise SweepDamaged(
            f"{command}: {self.folder} is damaged; samenspel changed nothing:\n  "
            + "\n  ".join(lines)
        )

    @property
    def runs(self) -> int:
        return self.spec.run_count() if self.spec is not None else 0


def _lines(path: Path) -> tuple[list[str], int | None]:
    """A log's whole lines, and where to cut it when its last line was cut off by a kill."""
    data = read_text(path, path.name, limit=LOG_LIMIT)
    if not data or data.endswith("\n"):
        return data.splitlines(), None
    whole = data[: data.rfind("\n") + 1]
    return whole.splitlines(), len(whole.encode("utf-8"))


def _ledger(check: Check) -> dict[str, dict]:
    """The ledger's records: part -> {size, sha256}; notes what was pending and never recorded."""
    lines, check.ledger_cut = _lines(check.folder / LEDGER)
    if check.ledger_cut is not None:
        check.repairs.append(f"{LEDGER}: its last line was cut off by a kill; it is cut there")
    recorded: dict[str, dict] = {}
    pending: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            if "pending" in entry:
                pending[str(entry["pending"])] = str(entry["temporary"])
            elif "removed" in entry:
                recorded.pop(str(entry["removed"]), None)
            else:
                recorded[str(entry["path"])] = {"size": entry["size"], "sha256": entry["sha256"]}
        except (ValueError, KeyError, TypeError, RecursionError):
            check.damage.append(f"{LEDGER}, line {n}: not a record samenspel wrote; remove it")
    for part, temporary in pending.items():
        if part not in recorded:
            check.pending.append((part, temporary))
    return recorded


def _read_manifest(check: Check) -> dict | None:
    data = manifest(check.folder)
    if data is None or not isinstance(data.get("files"), dict) or "spec_hash" not in data:
        check.damage.append(
            "manifest.json: not a sweep manifest samenspel wrote (or one by an older samenspel "
            "that kept no record of its files); start the sweep again in a new folder"
        )
        return None
    if data.get("ledger") != LEDGER:
        check.damage.append(
            "manifest.json: made by an older samenspel that kept no ledger of its parts; start "
            "the sweep again in a new folder"
        )
        return None
    return data


def _read_spec(check: Check, data: dict) -> None:
    from sim.model.config import read_toml

    for name, recorded in data["files"].items():
        path = check.folder / name
        if not path.is_file() or path.is_symlink():
            check.damage.append(f"{name}: missing, or not a file; it belongs to the sweep")
        elif file_digest(path) != (recorded.get("size"), recorded.get("sha256")):
            check.damage.append(f"{name}: changed since the sweep started; restore it")
    if check.damage:
        return
    try:
        check.spec = Spec.model_validate(read_toml(check.folder / "spec.toml", "the sweep's spec"))
    except (ConfigError, ValueError) as exc:
        check.damage.append(f"spec.toml: {str(exc).splitlines()[0]}")
        return
    if check.spec.digest() != data["spec_hash"]:
        check.damage.append("spec.toml: not the spec the sweep started with; restore it")


def _foreign(check: Check, part: str) -> bool:
    """Whether a ledger's part is in none of the sweep's folders of parts."""
    return part.split("/")[0] not in companions(check.spec) or part.count("/") != 1


def _check_part(check: Check, part: str, recorded: dict) -> None:
    path = check.folder / part
    if _foreign(check, part):
        check.damage.append(f"{LEDGER}: {part} is not a part of this sweep; remove its line")
    elif not (path.exists() or path.is_symlink()):
        check.gone.append(part)
    elif path.is_symlink() or not path.is_file():
        check.damage.append(f"{part}: should be a file samenspel wrote; it is not")
    elif file_digest(path) != (recorded["size"], recorded["sha256"]):
        check.damage.append(
            f"{part}: changed since samenspel wrote it; if that was not on purpose, remove it "
            "and --resume runs its runs again"
        )
    else:
        check.parts[part.split("/")[0]].append(part)


def _read_parts(check: Check, recorded: dict[str, dict]) -> None:
    for sub in companions(check.spec):
        where = check.folder / sub
        if where.is_symlink() or not where.is_dir():
            check.damage.append(f"{sub}/: should be the sweep's folder of parts; it is not")
    if check.damage:
        return
    for part, entry in sorted(recorded.items()):
        _check_part(check, part, entry)
    for part, _ in check.pending:
        if _foreign(check, part):
            check.damage.append(f"{LEDGER}: {part} is not a part of this sweep; remove its line")
    if check.damage:
        return
    _whole_batches(check)
    _run_ids(check)


def _run_ids(check: Check) -> None:
    """The runs the runs parts hold, each once and each of the design, or damage."""
    seen: dict[int, str] = {}
    for part in check.parts["runs"]:
        try:
            ids = pd.read_parquet(check.folder / part, columns=["run_id"])["run_id"].tolist()
        except Exception as exc:  # pyarrow's errors have no common base
            check.damage.append(f"{part}: cannot be read ({type(exc).__name__})")
            continue
        for run_id in ids:
            if not 0 <= run_id < check.runs:
                check.damage.append(f"{part}: run {run_id} is not a run of this design")
            elif run_id in seen:
                check.damage.append(f"{part}: run {run_id} is in {seen[run_id]} too")
            seen[run_id] = part
    check.done = set(seen)


def _name(part: str) -> str:
    return part.split("/", 1)[1]


def _whole_batches(check: Check) -> None:
    """Only whole batches are read: a batch with a recorded part missing (removed by hand) is
    run again, and parts whose runs part is not there (never committed, or of such a batch) are
    removed on `--resume`."""
    broken = {_name(p) for p in check.gone}
    for part in check.gone:
        whose = "its runs are" if part.startswith("runs/") else "its batch is"
        check.repairs.append(f"{part}: recorded but missing; {whose} run again")
    undone = [p for p in check.parts["runs"] if _name(p) in broken]
    undone += [  # renamed into place by a killed batch, never recorded: of a batch not whole
        part
        for part, _ in check.pending
        if part.startswith("runs/") and _name(part) in broken and (check.folder / part).is_file()
    ]
    check.parts["runs"] = [p for p in check.parts["runs"] if p not in undone]
    runs = {_name(p) for p in check.parts["runs"]}
    runs |= {  # renamed into place by a batch killed before it recorded them: whole, kept
        _name(part)
        for part, _ in check.pending
        if part.startswith("runs/") and part not in undone and (check.folder / part).is_file()
    }
    loose = [
        p for sub in companions(check.spec)[1:] for p in check.parts[sub] if _name(p) not in runs
    ]
    for sub in companions(check.spec)[1:]:
        check.parts[sub] = [p for p in check.parts[sub] if p not in loose]
    check.repairs += [
        f"{p}: a part of its batch is missing; removed"
        if _name(p) in broken
        else f"{p}: its batch never committed; removed, the batch is run again"
        for p in [*undone, *loose]
    ]
    check.orphans = [*undone, *loose, *check.gone]


def _status_run(line: str) -> int | None:
    """The run id of a status-log line, if the line is a record samenspel writes: a table with
    a whole-number `run_id`, a `status` and an `error` text (None otherwise)."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or type(record.get("run_id")) is not int:
        return None
    if not isinstance(record.get("status"), str) or not isinstance(record.get("error"), str):
        return None
    return record["run_id"]


def _read_status(check: Check) -> None:
    lines, check.log_cut = _lines(check.folder / STATUS)
    if check.log_cut is not None:
        check.repairs.append(f"{STATUS}: its last line was cut off by a kill; it is cut there")
    logged = check.logged
    for n, line in enumerate(lines, 1):
        run_id = _status_run(line)
        if run_id is None or not 0 <= run_id < check.runs:
            check.damage.append(f"{STATUS}, line {n}: not a record samenspel wrote; remove it")
        else:
            logged.add(run_id)  # a run run again on resume is logged again: the last counts
        if len(check.damage) > MOST_SHOWN:
            return
    for part in check.parts["runs"]:
        ids = set(pd.read_parquet(check.folder / part, columns=["run_id"])["run_id"].tolist())
        if not ids <= logged:
            check.unlogged.append(part)
    if check.unlogged:
        check.repairs.append(f"{STATUS}: lines of {len(check.unlogged)} batch(es) are added")


def _strays(check: Check, data: dict, recorded: dict[str, dict]) -> None:
    known = {"manifest.json", LEDGER, STATUS, LOCK, *data["files"], *recorded}
    known |= {t for _, t in check.pending} | {p for p, _ in check.pending}
    dirs = {"runs", "series", *data.get("dirs", [])}
    for path in sorted(check.folder.rglob("*")):
        rel = path.relative_to(check.folder).as_posix()
        if rel not in known and rel not in dirs:
            check.strays.append(rel + ("/" if path.is_dir() else ""))


def verify(folder: Path) -> Check:
    """Read a sweep folder whole and say what is repairable, what is damaged, what is not the
    sweep's (left alone), and which runs are done. Changes nothing."""
    check = Check(Path(folder))
    if check.folder.is_symlink() or not check.folder.is_dir():
        check.damage.append("not a folder")
        return check
    data = _read_manifest(check)
    if data is None:
        return check
    for name in (LEDGER, STATUS):
        path = check.folder / name
        if path.is_symlink() or not path.is_file():
            check.damage.append(f"{name}: missing, or not a file; it belongs to the sweep")
        elif path.stat().st_nlink > 1:  # samenspel appends to it: never to a file named elsewhere
            check.damage.append(
                f"{name}: has another name too (a hard link); samenspel appends to it, so remove "
                "the other name first"
            )
    _read_spec(check, data)
    if check.damage:
        return check
    try:
        recorded = _ledger(check)
        _read_parts(check, recorded)
        if not check.damage:
            _read_status(check)
    except ConfigError as exc:
        check.damage.append(str(exc))
        return check
    _strays(check, data, recorded)
    return check


def done_in(folder: Path, parts: list[str]) -> set[int]:
    """The run ids the given parts of a sweep folder hold."""
    ids: set[int] = set()
    for part in parts:
        ids.update(pd.read_parquet(Path(folder) / part, columns=["run_id"])["run_id"].tolist())
    return ids


def load_results(
    folder: str | Path, check: Check | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sweep's runs table and its time series, as pandas DataFrames, from its recorded parts
    only (SweepDamaged if the folder is damaged).

    `runs` has one row per run (run_id, point, seed, each parameter by its dotted path, status,
    error, duration, the outcomes); `series` is long: run_id, month, variable, value.

    Example (a runnable one is `sweep`'s):
        runs, series = load_results("results/trust-and-monitoring")
        runs.groupby("behaviour.trust_loss")["commitment"].mean()
    """
    check = check or verify(Path(folder))
    check.refuse(str(folder))
    folder = Path(folder)
    runs = _concat(folder, check.parts["runs"], ["run_id"])
    series = _concat(folder, check.parts["series"], ["run_id", "month", "variable", "value"])
    runs = runs.sort_values("run_id").reset_index(drop=True)
    return runs, series.sort_values(["run_id", "month", "variable"]).reset_index(drop=True)


def _concat(folder: Path, parts: list[str], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat([pd.read_parquet(folder / p) for p in sorted(parts)], ignore_index=True)


def load_municipalities(folder: str | Path, check: Check | None = None) -> pd.DataFrame:
    r"""A sweep's per-municipality table, as a pandas DataFrame, from its recorded parts only
    (SweepDamaged if the folder is damaged; ConfigError if the spec kept none: set
    `[outputs] municipalities = true` or list the columns).

    One row per finished run and municipality, in the order of `load_results`' runs and, within
    a run, of the run's own per-municipality table: run_id, municipality, and the columns a
    run writes per municipality (`simulate(...).municipalities`) that the spec keeps.

    Example: one point run twice for a year, every per-municipality column kept.
        >>> import tempfile
        >>> from pathlib import Path
        >>> from sim import load_municipalities, load_spec, sweep
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "one.toml").write_text(
        ...     'name = "one"\nbase = "split-2022"\nyears = 1\nreplicates = 2\n'
        ...     '[design]\nkind = "list"\npoints = [{}]\n[outputs]\nmunicipalities = true\n'
        ... )
        >>> done = sweep(load_spec(folder / "one.toml"), folder / "one",
        ...              executor="inprocess", progress=False)
        >>> local = load_municipalities(done)
        >>> len(local), local["run_id"].tolist()[6:8], list(local.columns[:3])
        (14, [0, 1], ['run_id', 'municipality', 'population'])
    """
    check = check or verify(Path(folder))
    check.refuse(str(folder))
    if "municipalities" not in companions(check.spec):
        raise ConfigError(
            f"{folder}: this sweep kept no per-municipality table; its spec needs "
            "[outputs] municipalities = true (or a list of columns), in a new sweep"
        )
    table = _concat(Path(folder), check.parts["municipalities"], ["run_id", "municipality"])
    return table.sort_values("run_id", kind="stable").reset_index(drop=True)
