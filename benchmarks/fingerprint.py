"""Golden fingerprint of the model's outputs: proof that an optimisation changed no number.

Hashes every recorded output (the monthly rows, the summary, the per-municipality table and the
event log, by repr, so floats count to the last bit) of every preset for seeds 0-4, and of
synthetic and identical regions under each of the five pure arrangements.

    .venv/bin/python benchmarks/fingerprint.py --write   # record benchmarks/fingerprint.json
    .venv/bin/python benchmarks/fingerprint.py           # compare with it (exit 1 on a change)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from sim.model.config import list_scenarios, load_scenario
from sim.model.model import RegionModel

GOLDEN = Path(__file__).with_name("fingerprint.json")
ARRANGEMENTS = ("grd", "classic-gr", "service-municipality", "multiple-local", "network")
REGIONS = (("synthetic:25", range(3)), ("synthetic:120", range(1)), ("identical:12", range(2)))


def digest(model: RegionModel) -> str:
    rec = model.recorder
    blob = repr((rec.rows, rec.summary(), rec.municipality_rows(), rec.events))
    return hashlib.sha256(blob.encode()).hexdigest()


def cases():
    for preset in list_scenarios():
        scenario = load_scenario(preset)
        for seed in range(5):
            yield f"{preset}/{seed}", scenario, seed
    for region, seeds in REGIONS:
        for name in ARRANGEMENTS:
            scenario = load_scenario(name, region=region)
            for seed in seeds:
                yield f"{name}@{region}/{seed}", scenario, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the golden fingerprint")
    args = parser.parse_args()
    got = {key: digest(RegionModel(s, seed=seed).run()) for key, s, seed in cases()}
    if args.write:
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(got)} fingerprints in {GOLDEN}")
        return
    want = json.loads(GOLDEN.read_text())
    changed = sorted(k for k in want if got.get(k) != want[k])
    print(f"{len(want) - len(changed)}/{len(want)} fingerprints unchanged")
    for k in changed:
        print("  CHANGED", k)
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
