"""The network of the region: municipalities, tables and coalitions (networkx, membership
edges), and directed trust between municipalities (a numpy matrix).

Trust is held in one place, the model's `trust` matrix: row i is what municipality i believes of
every other (0 on the diagonal), and each agent's `trust_row` is its row. The graph holds who
sits where; `trust_network` adds the trust edges to a copy of it for a view or an analysis
(centrality, communities) that wants them as edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.config import RegionSpec
    from sim.model import RegionModel
    from sim.project import ThemeInForce


def build_network(
    munis: list[Municipality], centre: Municipality, themes: list[ThemeInForce]
) -> nx.DiGraph:
    """Municipalities, tables and (later) coalitions, with membership edges.

    Membership edges run municipality -> table/coalition (attribute `mode`).
    """
    g = nx.DiGraph()
    g.add_nodes_from(
        (m.index, {"kind": "municipality", "name": m.name, "population": m.population})
        for m in munis
    )
    for t in themes:
        g.add_node(t.table, kind="table", theme=t.name)
        g.add_edges_from(
            (
                m.index,
                t.table,
                {
                    "kind": "member",
                    "mode": "client"
                    if t.arrangement.seating == "bilateral" and m is not centre
                    else "seated",
                },
            )
            for m in munis
        )
    return g


def build_trust(munis: list[Municipality], centre: Municipality, region: RegionSpec) -> np.ndarray:
    """The initial trust matrix (the region's, or the scenario's `initial_trust`; toward and from
    the centre its own level), and each agent's row of it and its total."""
    n = len(munis)
    matrix = np.full((n, n), region.initial_trust)
    c = centre.index
    matrix[c, :] = matrix[:, c] = region.initial_trust_centre
    np.fill_diagonal(matrix, 0.0)
    totals = sequential_sums(matrix).tolist()
    for m in munis:
        m.trust_row = matrix[m.index]
        m.trust_total = totals[m.index]
    return matrix


def trust_network(model: RegionModel) -> nx.DiGraph:
    """A copy of the model's network with its trust as edges: municipality -> municipality,
    attribute `trust` (kind "trust"), directed, one for every ordered pair."""
    g = model.network.copy()
    g.add_edges_from(
        (i, j, {"kind": "trust", "trust": v})
        for i, row in enumerate(model.trust.tolist())
        for j, v in enumerate(row)
        if j != i
    )
    return g


LARGE_GROUP = 40
"""From this many members on, trust sums over a group are taken with numpy over the trust
matrix; below it, plain Python over the row is faster."""


def sequential_sums(block: np.ndarray) -> np.ndarray:
    """Row sums added strictly left to right, as a Python loop adds them (numpy's `sum` adds
    pairwise, which rounds differently); zeros on the diagonal add nothing."""
    return np.add.accumulate(block, axis=1)[:, -1] if block.shape[1] else np.zeros(len(block))


def keep_beliefs(group: list[Municipality]) -> None:
    """Work out, at once, every member's mean trust in the others of a large group and keep it
    where `Municipality.trust_in` looks first (the same numbers as it would add up itself)."""
    n = len(group)
    if n < LARGE_GROUP or n == len(group[0].trust_row):
        return  # small: Python adds it up; the whole region: trust_in uses the kept totals
    model = group[0].model
    done = model.beliefs_kept.get(id(group))
    if done is not None and done[0] is group and done[1] == (n, model.trust_epoch):
        return  # kept already, and nobody's trust has changed since
    model.beliefs_kept[id(group)] = (group, (n, model.trust_epoch))
    idx = np.fromiter((m.index for m in group), dtype=np.intp, count=n)
    totals = sequential_sums(model.trust[np.ix_(idx, idx)]).tolist()
    for m, total in zip(group, totals, strict=True):
        m.keep_belief(group, total / (n - 1) if n > 1 else 1.0)


def update_trust(members: list[Municipality], seen: list[float], gain: float, loss: float):
    """Every member updates its trust in every other by rules.trust_update, as one array
    operation: the same arithmetic, element by element, as the rule's scalar form."""
    idx = np.fromiter((m.index for m in members), dtype=np.intp, count=len(members))
    model = members[0].model
    matrix = model.trust
    block = matrix[np.ix_(idx, idx)]
    target = np.asarray(seen)[np.newaxis, :]
    rate = np.where(target >= block, gain, loss)
    new = block + rate * (target - block)
    np.fill_diagonal(new, 0.0)
    totals = np.array([m.trust_total for m in members])
    totals = sequential_sums(np.column_stack([totals, new - block]))
    matrix[np.ix_(idx, idx)] = new
    for m, total in zip(members, totals.tolist(), strict=True):
        m.trust_total = total
        m.forget_beliefs()
    model.trust_changed()
