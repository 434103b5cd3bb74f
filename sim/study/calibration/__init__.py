"""Pattern-oriented calibration: approximate Bayesian computation over the claimed patterns.

A calibration spec (TOML) names behavioural parameters with uniform priors, the checks of
`sim.study.validation` to calibrate against (by default every check with a pattern number), how
many fixed seeds each evaluation uses, and the size of the ABC-SMC run. Each parameter point is
scored by a distance built from the checks' t statistics (signed toward the claim):

    distance = sum over checks of max(0, z_target - t) / z_target

where z_target is `z_target` x sqrt(seeds / the check's own seed count) with `scale_target`
(the default): t grows with the square root of the number of seeds, so a check that reaches
t = 3 on its own seeds is expected to reach that target on the calibration's fewer seeds.
So a check that holds at least as strongly as its target contributes 0, one with no evidence
(t = 0) contributes 1, and one that goes against its claim contributes more than 1.

The engine is ABC-SMC (population Monte Carlo ABC: Toni et al. 2009; Beaumont et al. 2009):

- generation 0 draws `population` points from the uniform priors and accepts them all;
- generation g >= 1 sets epsilon_g to the `quantile` of the previous generation's distances
  (at least `min_epsilon`), proposes points by drawing a particle of the previous generation by
  weight and moving it with a Gaussian kernel of twice the population's weighted covariance in
  logit space of the priors' unit cube (so every proposal lies inside the prior: in twenty
  dimensions a step in the cube itself nearly always leaves it; the uniform prior's density
  there is u (1 - u)), evaluates them in batches of `population` and
  accepts, in the order they were drawn, the first `population` points whose distance is at
  most epsilon_g; the weights are prior / (sum of previous weights x kernel density);
- a generation that fills fewer than `population` points within `max_batches` batches goes
  on with those it accepted; the run stops after `generations` generations, when epsilon
  reaches `min_epsilon`, or when a generation accepts no point at all.

The accepted set is the last generation: its points, every one within that generation's
epsilon, with their importance weights.

Reproducible by construction: the model seeds are spawned once from the master seed (numpy
`SeedSequence`) and shared by every point (common random numbers), all random draws of the
sampler come from one generator spawned from the same master seed in the driver, and batches
are fixed in size and read in the order they were drawn, so a rerun gives bit-identical
particles on any executor and any number of workers.

- `spec`: the spec, its loading and checks (`load_calibration`, `select_checks`, `estimate`);
- `smc`: the sampler (`calibrate`, `Calibration`, the kernel, the weights);
- `summaries`: the accepted ranges and which checks constrain which parameters;
- `posterior`: the accepted set as the package carries it (sim/data/posterior/), which every
  command draws plausible worlds from (sim/study/worlds.py);
- `checkpoint`: the points evaluated so far, so `--resume` goes on after an interruption;
- `save` (here): the result folder. The report's pages are sim/present/calibration_report.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.study.calibration.posterior import predictive, write_posterior
from sim.study.calibration.smc import (
    Calibration,
    EvaluationFailed,
    Generation,
    calibrate,
    clock,
    evaluate_point,
    progress_printer,
    shortfall,
)
from sim.study.calibration.spec import (
    CalibrationSpec,
    Executor,
    Prior,
    checks_module,
    estimate,
    load_calibration,
    most_points,
    select_checks,
    targets,
)
from sim.study.calibration.summaries import (
    accepted_ranges,
    constraints,
    generations_table,
    weighted_quantile,
)

__all__ = [
    "Calibration",
    "CalibrationSpec",
    "EvaluationFailed",
    "Executor",
    "Generation",
    "Prior",
    "accepted_ranges",
    "calibrate",
    "checks_module",
    "clock",
    "constraints",
    "estimate",
    "evaluate_point",
    "generations_table",
    "load_calibration",
    "most_points",
    "predictive",
    "progress_printer",
    "save",
    "select_checks",
    "shortfall",
    "targets",
    "weighted_quantile",
    "write_posterior",
]


def save(cal: Calibration, dest: Any, pages: Sequence[Callable[[Path], None]] = ()) -> Path:
    """Write the result folder atomically through sim/io/store.py: the particles, every
    evaluation, the accepted ranges, the constraints, the spec and a manifest, with whatever
    `pages` write into the same folder (the command line adds the report)."""
    from sim.io.store import write_atomically, write_json, write_tables, write_toml
    from sim.study.run import provenance

    ranges, cons = accepted_ranges(cal), constraints(cal)

    def fill(tmp: Path) -> None:
        write_tables(tmp, {"particles": cal.particles, "evaluations": cal.evaluations})
        ranges.to_csv(tmp / "accepted_ranges.csv", index=False)
        cons.to_csv(tmp / "constraints.csv", index=False)
        write_toml(tmp / "spec.toml", cal.spec.model_dump(mode="json", exclude_none=True))
        write_json(tmp / "manifest.json", _manifest(cal) | provenance())
        write_posterior(cal, tmp / "posterior")
        for page in pages:
            page(tmp)

    out = write_atomically(dest, fill)
    if cal.checkpoint is not None:
        cal.checkpoint.done()
    return out


def _manifest(cal: Calibration) -> dict[str, Any]:
    return {
        "kind": "calibration",
        "spec": cal.spec.name,
        "spec_hash": cal.spec.digest(),
        "base": cal.spec.base,
        "master_seed": cal.spec.master_seed,
        "seeds": cal.seeds,
        "checks": cal.keys,
        "generations": [vars(g) for g in cal.generations],
        "stopped": cal.stopped,
        "evaluations": len(cal.evaluations),
        "seconds": cal.seconds,
        "evaluation_seconds": cal.evaluation_seconds,
        "points_resumed": cal.resumed,
        "code_digest": cal.checkpoint.code if cal.checkpoint is not None else "",
        "distance": "sum over checks of max(0, z_target - t) / z_target",
        "z_target": cal.spec.z_target,
        "z_targets": cal.z_targets,
        "default_distance": cal.default_distance,
        "defaults_accepted": cal.defaults_accepted,
    }
