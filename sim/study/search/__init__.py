"""Rule sets designed by search (`samenspel design`): a many-objective evolutionary search
(NSGA-II or epsilon-NSGA-II, through platypus) over the rules of a scenario for the Pareto front
of chosen outcomes, each candidate run on common seeds (and, optionally, plausible worlds).

- `spec`: the design spec (TOML): base scenario, levers, objectives, algorithm, seeds, worlds;
- `evaluate`: what a worker process runs (a scenario on seeds; no platypus, no pandas);
- `problem`: the search itself over levers, with any evaluation function (platypus, imported
  only when a search runs: it is the optional extra `explore`, GPL-3.0);
- `run`: the search on the model through the executors, the presets on the same seeds, and
  the result folder;
- `front`: what the runs say: means with 95% intervals, dominance, the most balanced rule set.

docs/DESIGN-SEARCH.md describes the method and its sources.
"""
