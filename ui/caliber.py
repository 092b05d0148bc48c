"""口径 changes on a chart over the years: a dotted line at each year a definition changed, and a mark on the axis
whose hover gives the note (the catalogue's changes of the measure, etl.catalog.Catalogue.changes)."""

from __future__ import annotations

import plotly.graph_objects as go

MARK_COLOR = "#8c564b"


def mark_changes(figure: go.Figure, changes: tuple[tuple[int, str], ...], years: list[int]) -> go.Figure:
    """The figure with each change inside (first year, last year] marked; a change outside the span says nothing."""
    shown = [(year, note) for year, note in changes if years and min(years) < year <= max(years)]
    for year, _ in shown:
        # half a year before: the line between the last year of the old 口径 and the first of the new
        figure.add_vline(x=year - 0.5, line={"dash": "dot", "color": MARK_COLOR, "width": 1})
    if shown:
        figure.add_trace(
            go.Scatter(
                x=[year - 0.5 for year, _ in shown],
                y=[0] * len(shown),
                mode="markers+text",
                marker={"symbol": "triangle-up", "size": 12, "color": MARK_COLOR},
                text=["口径调整"] * len(shown),
                textposition="top center",
                textfont={"color": MARK_COLOR, "size": 11},
                customdata=[f"{year}年起口径调整：{note or '未写明说明'}" for year, note in shown],
                hovertemplate="%{customdata}<extra></extra>",
                name="口径调整",
                showlegend=False,
            )
        )
    return figure
