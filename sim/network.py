"""The network of the region: municipalities, tables and coalitions, with membership and
directed trust edges (networkx, through its public API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

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
    for m in munis:
        m.trust = {o: g.edges[m.index, o] for o in g.successors(m.index)}
        m.trust_total = sum(e["trust"] for e in m.trust.values())
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
