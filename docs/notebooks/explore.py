# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring samenspel from Python
#
# This notebook is kept as a plain Python file (Jupytext's "percent" format: each `# %%` line
# starts a cell). Open it in VS Code or PyCharm (they read `# %%` cells), in Jupyter with the
# Jupytext extension (`pip install jupytext`: not part of samenspel's environment), or run it
# whole: `.venv/bin/python docs/notebooks/explore.py`.
#
# You will: build a scenario from a preset and change one rule, step a model month by month,
# read its municipalities, their trust and their network, compare the changed rule with the
# original, run a small sweep and plot it. Everything is written to a temporary folder.
# The reference for every name used here is [docs/API.md](../API.md).

# %%
import tempfile
from pathlib import Path

import pandas as pd
import plotly.express as px

import sim

OUT = Path(tempfile.mkdtemp(prefix="samenspel-explore-"))
print("outputs go to", OUT)

# %% [markdown]
# ## 1. A scenario, and one rule changed
#
# A scenario says which arrangement governs each theme. The presets are listed by
# `sim.list_scenarios()`. Here we take `network-2024` (Common Eye's network model for four
# themes) and make a variant in which the network has no steering room: nobody monitors
# whether municipalities pay what they pledged (`monitoring = 0`), and nothing follows a
# broken pledge (`sanction = 0`). An own arrangement is `based_on` a preset plus the rules it
# changes; `load_scenario` checks the result as it checks a scenario file.

# %%
print(sim.list_scenarios())
base = sim.load_scenario("network-2024")
networked = [theme for theme, name in base.governance.items() if name == "network"]
unmonitored = sim.load_scenario(
    "network-2024",
    name="network-unmonitored",
    arrangements={"unmonitored": {"based_on": "network", "monitoring": 0.0, "sanction": 0.0}},
    governance={**base.governance, **dict.fromkeys(networked, "unmonitored")},
)
pd.Series(unmonitored.governance, name="arrangement").to_frame()

# %% [markdown]
# ## 2. Stepping a model month by month
#
# `sim.RegionModel` is a Mesa model: `step()` is one month. The model's own scenario is
# `model.config`. After each month the recorder holds one more row of the monthly series; we
# look at every third month of the first two years. (Commitment, the share paid of what was
# due, is `nan` while nothing was due yet.)

# %%
model = sim.RegionModel(unmonitored, seed=1)
for _ in range(24):
    model.step()
    month = model.recorder.rows[-1]
    if month["month"] % 3 == 2:
        print(
            f"month {month['month']:2}: mean trust {month['trust_mean']:.3f}, commitment so far "
            f"{month['commitment_cum']:.2f}, running projects {month['active_projects']}"
        )

# %% [markdown]
# ## 3. The municipalities (Mesa's agents)
#
# Each municipality has a regional budget (`account`: `room` is what is still free this year,
# `committed` the yearly cost of the projects it pledged to, in million euro), its trust in
# the others and its council's legitimacy. Mesa's data collector gives the same as a table,
# with each one's commitment (what it paid of what it owed).

# %%
n = len(model.municipalities)
agents = pd.DataFrame(
    {
        "municipality": m.name,
        "kind": m.kind,
        "budget_free": m.account.room,
        "committed": m.account.committed,
        "trust_in_others": m.trust_total / (n - 1),  # what it believes of the others
        "legitimacy": m.legitimacy,
    }
    for m in model.municipalities
)
agents.round(2)

# %%
collected = model.datacollector.get_agent_vars_dataframe()
collected[["municipality", "due", "paid", "commitment"]].round(2)

# %% [markdown]
# ## 4. Trust and the network
#
# Trust is directed: row *i* of `model.trust.matrix` is what municipality *i* believes of
# each other (0 on the diagonal). `sim.trust_network(model)` gives the region as a networkx
# graph: municipalities, the tables they sit at, the coalitions that run projects, and trust
# as edges, ready for networkx's measures.

# %%
names = [m.name for m in model.municipalities]
trust = pd.DataFrame(model.trust.matrix, index=names, columns=names)
trust.round(2)

# %%
g = sim.trust_network(model)
for node, kind in g.nodes(data="kind"):
    if kind == "coalition":  # a running project and the municipalities in it
        members = [g.nodes[m]["name"] for m in g.predecessors(node)]
        print(f"coalition on {g.nodes[node]['theme']}: {', '.join(members)}")
trusted = g.edge_subgraph((i, j) for i, j, kind in g.edges(data="kind") if kind == "trust")
trust_received = dict(trusted.in_degree(weight="trust"))
most_trusted = names[max(trust_received, key=trust_received.get)]
print("most trusted by the others:", most_trusted)

# %% [markdown]
# Run the rest of the ten years (Mesa's `run_model()` stops at the horizon) and read the
# monthly series the Mesa way.

# %%
model.run_model()
monthly = model.datacollector.get_model_vars_dataframe()
monthly[["year", "commitment_cum", "trust_mean", "free_riding_cum"]].tail(3).round(3)

# %% [markdown]
# ## 5. Does the steering room matter?
#
# One run is one story. `sim.whatif` runs the original and the variant on the same seeds
# and reports the paired differences with a 95% interval (`sim.compare` does the same for
# any number of scenarios, without pairing). `workers=1` keeps it in this process.

# %%
effect = sim.whatif(unmonitored, base, replicates=10, workers=1)
shown = ["commitment", "free_riding", "trust_mean", "progress"]
effect.outcomes.set_index("outcome").loc[shown, ["base", "alternative", "difference", "verdict"]]

# %% [markdown]
# ## 6. A small sweep
#
# A sweep varies parameters over many runs and writes them to a folder. Its spec is a small
# TOML file: here two values of how fast trust falls after a broken pledge
# (`behaviour.trust_loss`), three seeds each, two years, keeping mean trust every month.
# `executor="inprocess"` runs it here (from a script, the default uses all cores).

# %%
spec_file = OUT / "trust-loss.toml"
spec_file.write_text(
    """
name = "trust-loss"
base = "network-2024"
years = 2
replicates = 3

[design]
kind = "full_factorial"

[parameters]
"behaviour.trust_loss" = { values = [0.1, 0.5] }

[outputs]
series = ["trust_mean"]
series_every = 1
""",
    encoding="utf-8",
)
folder = sim.sweep(
    sim.load_spec(spec_file), OUT / "trust-loss", executor="inprocess", progress=False
)
runs, series = sim.load_results(folder)
runs.groupby("behaviour.trust_loss")[["commitment", "trust_mean"]].mean().round(3)

# %% [markdown]
# samenspel's own analysis writes each outcome against each parameter beside the sweep (the
# tables; `sim.present.sensitivity_page.analyze(folder)` adds the pages `samenspel analyze`
# writes).

# %%
analysis = sim.analyze(folder)
print(sorted(p.name for p in analysis.iterdir()))

# %% [markdown]
# ## 7. A plot
#
# Mean trust month by month, one line per run, coloured by `trust_loss`. The plot is written as
# a page you open in any browser (it needs no network).

# %%
lines = series.merge(runs[["run_id", "behaviour.trust_loss"]], on="run_id")
lines["trust_loss"] = lines["behaviour.trust_loss"].astype(str)
fig = px.line(
    lines,
    x="month",
    y="value",
    color="trust_loss",
    line_group="run_id",
    labels={"value": "mean trust", "trust_loss": "trust_loss"},
    title="Mean trust under two rates of trust loss",
)
plot_file = OUT / "trust.html"
fig.write_html(plot_file, include_plotlyjs=True)
print("open", plot_file)
