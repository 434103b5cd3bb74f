"""A calibration's posterior in the form the package carries (sim/data/posterior/) and every
command draws plausible worlds from (sim/study/worlds.py).

The folder holds:

- `particles.csv`: one row per particle, every evaluated point within the final tolerance
  (sim/study/calibration/recycle.py): the generation that drew it, each parameter (dotted
  path), its importance `weight` (deterministic-mixture weights over all proposals), its
  `distance` and every check's `t_KEY` at the calibration's seeds;
- `ranges.csv`: per parameter the prior, the default and the weighted 5/50/95% quantiles;
- `constraints.csv`: Spearman's rho between each parameter and each check's t over every
  evaluated point, and whether the check constrains the parameter;
- `predictive.csv`: per check, the weighted share of particles at which it holds (t at least
  its target): the posterior predictive check at the calibration's seeds;
- `manifest.json`: the parameters and priors, the checks and their targets, the seeds, the
  sampler's settings and seed, the generations, the run time, and the versions it ran with.

`samenspel calibrate` writes it inside its result folder (`posterior/`); `make posterior
FROM=that-folder` puts it into the package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.study.calibration.smc import Calibration, shortfall
from sim.study.calibration.summaries import accepted_ranges, constraints, generations_table


def predictive(cal: Calibration) -> pd.DataFrame:
    """Per check: the weighted share of accepted particles at which it holds (contributes
    nothing to the distance)."""
    p = cal.particles
    rows = []
    for key in cal.keys:
        target = cal.z_targets.get(key, cal.spec.z_target)
        holds = [shortfall(t, target) == 0 for t in p[f"t_{key}"]]
        rows.append(
            {
                "check": key,
                "target_t": target,
                "share": float((p["weight"] * pd.Series(holds, index=p.index)).sum()),
            }
        )
    return pd.DataFrame(rows)


def manifest(cal: Calibration) -> dict[str, Any]:
    from sim.study.run import provenance

    spec = cal.spec
    return {
        "kind": "posterior",
        "spec": spec.name,
        "spec_hash": spec.digest(),
        "parameters": list(spec.names),
        "priors": {n: [spec.parameters[n].low, spec.parameters[n].high] for n in spec.names},
        "defaults": cal.defaults,
        "base": spec.base,
        "checks": cal.keys,
        "z_targets": cal.z_targets,
        "seeds": cal.seeds,
        "settings": spec.model_dump(
            mode="json",
            include={
                "population",
                "generations",
                "quantile",
                "max_batches",
                "z_target",
                "scale_target",
                "min_epsilon",
                "master_seed",
                "rho_threshold",
                "rho_z",
                "constrained_width",
            },
        ),
        "particles": len(cal.particles),
        "evaluations": len(cal.evaluations),
        "generations": generations_table(cal).to_dict("records"),
        "stopped": cal.stopped,
        "seconds": cal.seconds,
        "evaluation_seconds": cal.evaluation_seconds,
        "default_distance": cal.default_distance,
        "defaults_accepted": cal.defaults_accepted,
        **provenance(),
    }


def recycled_calibration(cal: Calibration) -> Calibration:
    """The calibration with its particles replaced by every evaluated point within the final
    tolerance, each with its deterministic-mixture weight (recycle.py says why)."""
    import dataclasses

    from sim.study.calibration.recycle import recycled

    return dataclasses.replace(cal, particles=recycled(cal))


def write_posterior(cal: Calibration, folder: Path) -> None:
    """Write the posterior folder (see the module's docstring) into `folder`."""
    from sim.study.calibration.recycle import effective_size

    post = recycled_calibration(cal)
    folder.mkdir(parents=True, exist_ok=True)
    post.particles.to_csv(folder / "particles.csv", index=False)
    accepted_ranges(post).to_csv(folder / "ranges.csv", index=False)
    constraints(cal).to_csv(folder / "constraints.csv", index=False)
    predictive(post).to_csv(folder / "predictive.csv", index=False)
    info = manifest(cal) | {
        "particles": len(post.particles),
        "effective_size": effective_size(post.particles["weight"]),
        "smc_particles": len(cal.particles),
        "smc_effective_size": effective_size(cal.particles["weight"]),
        "weights": "deterministic-mixture importance weights of every evaluated point within "
        "the final tolerance (adaptive multiple importance sampling, Cornuet et al. 2012)",
    }
    text = json.dumps(info, indent=1, sort_keys=True, default=float)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")


def load_result(folder: Path) -> Calibration:
    """A calibration's result folder (what `samenspel calibrate` wrote) read back as a
    Calibration, to write its posterior again or put it into the package."""
    import math

    from sim.model.config import read_toml
    from sim.study.calibration.smc import Generation
    from sim.study.calibration.spec import CalibrationSpec, base_dict, lookup

    data = json.loads((folder / "manifest.json").read_text())
    spec = CalibrationSpec.model_validate(read_toml(folder / "spec.toml", "calibration spec"))
    base = base_dict(spec)
    return Calibration(
        spec=spec,
        keys=list(data["checks"]),
        seeds=list(data["seeds"]),
        particles=pd.read_parquet(folder / "particles.parquet"),
        evaluations=pd.read_parquet(folder / "evaluations.parquet"),
        generations=[Generation(**g) for g in data["generations"]],
        stopped=data["stopped"],
        seconds=float(data["seconds"]),
        defaults={n: lookup(base, n) for n in spec.names},
        z_targets=dict(data["z_targets"]),
        default_distance=float(data.get("default_distance", math.nan)),
        evaluation_seconds=float(data.get("evaluation_seconds", 0.0)),
    )


def publish(result: str | Path, package: Path | None = None) -> Path:
    """Put a calibration result's posterior into the package (sim/data/posterior/), where every
    command draws its plausible worlds from: `make posterior FROM=results/calibration`."""
    from sim.study.worlds import posterior_folder

    target = package or posterior_folder()
    write_posterior(load_result(Path(result)), target)
    # what the calibration itself ran with (its commit, a dirty tree, versions), beside what
    # wrote this folder
    ran = json.loads((Path(result) / "manifest.json").read_text())
    info = json.loads((target / "manifest.json").read_text())
    info["calibrated_with"] = {k: ran[k] for k in PROVENANCE_KEYS if k in ran}
    text = json.dumps(info, indent=1, sort_keys=True, default=float)
    (target / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return target


PROVENANCE_KEYS = (
    "samenspel",
    "git_commit",
    "git_dirty",
    "git_diff_sha256",
    "python",
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "SALib",
    "dask",
)


def publish_checks(validate_result: str | Path, package: Path | None = None) -> Path:
    """Put `samenspel validate --worlds N`'s verdicts into the package beside the posterior they
    were drawn from (checks-over-worlds.csv, with that posterior's SHA-256 in every row), where
    the README's claims are held to them (tests/test_validate.py): `make posterior
    CHECKS=results/validate`."""
    from sim.study.worlds import posterior_folder

    folder = Path(validate_result)
    data = json.loads((folder / "manifest.json").read_text())
    table = pd.read_csv(folder / "robustness.csv")
    table["posterior_sha256"] = data["posterior_sha256"]
    table["worlds_seed"] = data["worlds_seed"]
    target = (package or posterior_folder()) / "checks-over-worlds.csv"
    table.to_csv(target, index=False)
    return target
