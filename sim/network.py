"""The network of the region: municipalities, tables and coalitions, with membership and
directed trust edges (networkx, through its public API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.config import RegionSpec
    from sim.project import ThemeInForce


def build_network(
    munis: list[Municipality], centre: Municipality, region: RegionSpec, themes: list[ThemeInForce]
) -> nx.DiGraph:
    """Municipalities, tables and (later) coalitions, with membership and trust edges.

    Membership edges run municipality -> table/coalition (attribute `mode`); trust edges run
    municipality -> municipality (attribute `trust`, directed). Each agent's `trust` dict
    holds the attribute dicts of its outgoing trust edges, so the graph is the one store.
    """
    g = nx.DiGraph()
    g.add_nodes_from(
        (m.index, {"kind": "municipality", "name": m.name, "population": m.population})
        for m in munis
    )
    g.add_edges_from(
        (
            m.index,
            o.index,
            {
                "kind": "trust",
                "trust": region.initial_trust_centre if centre in (m, o) else region.initial_trust,
            },
        )
        for m in munis
        for o in munis
        if o is not m
    )
    matrix = np.zeros((len(munis), len(munis)))  # the same values by index, 0 on the diagonal
    for m in munis:
        m.trust = {o: g.edges[m.index, o] for o in g.successors(m.index)}
        m.trust_total = sum(e["trust"] for e in m.trust.values())
        row = matrix[m.index]
        for o, e in m.trust.items():
            row[o] = e["trust"]
        m.trust_row = row
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


LARGE_GROUP = 40
"""From this many members on, trust sums over a group are taken from the trust matrix (each
agent's `trust_row`, a mirror of its trust edges that `set_trust` keeps) with numpy; below it,
plain Python is faster."""


def sequential_sums(block: np.ndarray) -> np.ndarray:
    """Row sums added strictly left to right, as a Python loop adds them (numpy's `sum` adds
    pairwise, which rounds differently); zeros on the diagonal add nothing."""
    return np.add.accumulate(block, axis=1)[:, -1] if block.shape[1] else np.zeros(len(block))


def keep_beliefs(group: list[Municipality]) -> None:
    """Work out, at once, every member's mean trust in the others of a large group and keep it
    where `Municipality.trust_in` looks first (the same numbers as it would add up itself)."""
    n = len(group)
    if n < LARGE_GROUP:
        return
    model = group[0].model
    done = model.beliefs_kept.get(id(group))
    if done is not None and done[0] is group and done[1] == (n, model.trust_epoch):
        return  # kept already, and nobody's trust has changed since
    model.beliefs_kept[id(group)] = (group, (n, model.trust_epoch))
    matrix = group[0].trust_row.base
    idx = np.fromiter((m.index for m in group), dtype=np.intp, count=n)
    totals = sequential_sums(matrix[np.ix_(idx, idx)]).tolist()
    for m, total in zip(group, totals, strict=True):
        m.keep_belief(group, total / (n - 1) if n > 1 else 1.0)


def update_trust(members: list[Municipality], seen: list[float], gain: float, loss: float):
    """Every member updates its trust in every other by rules.trust_update, as one array
    operation: the same arithmetic, element by element, as the rule's scalar form."""
    idx = np.fromiter((m.index for m in members), dtype=np.intp, count=len(members))
    matrix = members[0].trust_row.base
    block = matrix[np.ix_(idx, idx)]
    target = np.asarray(seen)[np.newaxis, :]
    rate = np.where(target >= block, gain, loss)
    new = block + rate * (target - block)
    np.fill_diagonal(new, 0.0)
    totals = np.array([m.trust_total for m in members])
    totals = sequential_sums(np.column_stack([totals, new - block]))
    matrix[np.ix_(idx, idx)] = new
    for i, (m, total) in enumerate(zip(members, totals.tolist(), strict=True)):
        trust = m.trust
        for j, v in zip(idx.tolist(), new[i].tolist(), strict=True):
            if j != m.index:
                trust[j]["trust"] = v
        m.trust_total = total
        m.forget_beliefs()
    members[0].model.trust_changed()
