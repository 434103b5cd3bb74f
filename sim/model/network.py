"""The network of the region: municipalities, tables and coalitions (networkx, membership
edges), and directed trust between municipalities (a numpy matrix).

Trust is held in one place, the model's `trust` (sim/model/trust.py): its matrix's row i is what
municipality i believes of every other. The graph holds who sits where; `trust_network` adds the
trust edges to a copy of it for a view or an analysis (centrality, communities) that wants them
as edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.model import RegionModel
    from sim.model.project import ThemeInForce


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


def trust_network(model: RegionModel) -> nx.DiGraph:
    """A copy of the model's network with its trust as edges: municipality -> municipality,
    attribute `trust` (kind "trust"), directed, one for every ordered pair.

    Nodes are the municipalities (by index; attributes `kind` "municipality", `name`,
    `population`), the tables (`kind` "table", `theme`) and running coalitions; membership
    edges run municipality -> table or coalition (`kind` "member"). The model's own trust is
    `model.trust.matrix` (row i: what municipality i believes of each other).

    Example:
        >>> from sim import RegionModel, trust_network
        >>> model = RegionModel("network-2024", seed=1, years=1)
        >>> model.run_model()
        >>> g = trust_network(model)
        >>> trust = [(i, j) for i, j, kind in g.edges(data="kind") if kind == "trust"]
        >>> len(trust) == 7 * 6  # every ordered pair of the seven municipalities
        True
        >>> g.nodes[0]["name"], g[0][1]["trust"] == model.trust.of(0, 1)
        ('Dordrecht', True)
    """
    g = model.network.copy()
    g.add_edges_from(
        (i, j, {"kind": "trust", "trust": v})
        for i, row in enumerate(model.trust.matrix.tolist())
        for j, v in enumerate(row)
        if j != i
    )
    return g
