"""A page as an A4 PDF built on the server: a small HTML report with the page's own figures (etl.charts,
drawn as SVG by kaleido) printed by the same Chromium (etl.chart_images.print_pdf).

Why this way (bench/bench_pdf.py times it: 4–8 s a page cold on this shared 2-core machine, a browser start
included; the same view again is served from ui.pdf's memory):
- printing the live page for the user from a headless Chromium would need a session of that user in a
  second browser (a token minted for it, kept out of logs, ended after) and re-runs the page's script; it
  prints the screen's layout (toolbar-less, but sized for a screen) and costs a Streamlit run on top;
- a report library (reportlab) cannot use the CJK fonts the server has (Noto CJK is CFF-flavoured OpenType,
  which reportlab does not embed) and would draw every chart a second time;
- this report is built from the view the page itself shows (the same cached builder), so its figures are the
  page's to the digit, with the page's charts, and needs only what the briefing already needs (kaleido and a
  Chromium with CJK fonts).

Every text goes through html.escape: 市州 and indicator names come from the catalogue, which staff edit. The page
runs no script (switched off in the tab) and refers to nothing outside itself.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

import pandas as pd

from etl import chart_images

TEXT_WIDTH = 688  # CSS px across 182 mm: A4 less 14 mm margins, the width charts are drawn at
YEARS_PER_TABLE = 10  # a 市州 × 年度 table wider than this is split, so its figures stay legible on A4


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    style: str = ""  # "strong", "note" (smaller, grey) or ""


@dataclass(frozen=True)
class Chart:
    figure: dict  # a plotly figure as a dict (etl.charts.frozen)


@dataclass(frozen=True)
class Grid:
    """A table of text already written in the one number style; figure columns right-aligned."""

    frame: pd.DataFrame
    bold: frozenset[str] = frozenset()  # row labels set in bold (the province's rows)


@dataclass(frozen=True)
class Report:
    title: str
    header: list[str]  # platform · page, filters, 数据截至…, the 示例数据 notice
    blocks: list = field(default_factory=list)

    @property
    def charts(self) -> list[dict]:
        return [b.figure for b in self.blocks if isinstance(b, Chart)]


STYLE = f"""
@page {{ size: A4 portrait; margin: 16mm 14mm 18mm 14mm;
  @bottom-center {{ content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #555; }}
  @bottom-right {{ content: "湖南省妇联统计平台"; font-size: 8pt; color: #888; }} }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt;
  color: #222; margin: 0; width: {TEXT_WIDTH}px; }}
header {{ border-bottom: 1px solid #999; padding-bottom: 4px; margin-bottom: 10px; font-size: 8.5pt; color: #555; }}
header p {{ margin: 1px 0; }}
h1 {{ font-size: 18pt; margin: 4px 0 8px; }}
h2 {{ font-size: 13pt; margin: 14px 0 6px; break-after: avoid; }}
p {{ margin: 4px 0; }}
p.strong {{ font-weight: bold; }}
p.note {{ font-size: 8.5pt; color: #666; }}
img {{ display: block; width: {TEXT_WIDTH}px; break-inside: avoid; margin: 4px 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4px 0 8px; }}
th, td {{ border: 1px solid #ccc; padding: 2px 4px; white-space: nowrap; }}
th {{ background: #f2f2f2; font-weight: bold; }}
td {{ text-align: right; font-variant-numeric: tabular-nums; }}
td:first-child {{ text-align: left; }}
tr {{ break-inside: avoid; }}
tr.bold td {{ font-weight: bold; }}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _chunks(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """A wide table in pieces of YEARS_PER_TABLE columns, each with its row labels."""
    columns = list(frame.columns)
    if len(columns) <= YEARS_PER_TABLE:
        return [frame]
    return [frame[columns[i : i + YEARS_PER_TABLE]] for i in range(0, len(columns), YEARS_PER_TABLE)]


def _grid(grid: Grid) -> str:
    parts = []
    for piece in _chunks(grid.frame):
        head = "".join(f"<th>{_e(c)}</th>" for c in [piece.index.name or "", *piece.columns])
        rows = []
        for label, row in piece.iterrows():
            bold = ' class="bold"' if label in grid.bold else ""
            cells = "".join(f"<td>{_e(v)}</td>" for v in row)
            rows.append(f"<tr{bold}><td>{_e(label)}</td>{cells}</tr>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return "".join(parts)


def to_html(report: Report, svgs: list[bytes]) -> str:
    """The report as one self-contained page; `svgs` are its charts, in order."""
    images = iter(svgs)
    body = []
    for block in report.blocks:
        if isinstance(block, Heading):
            body.append(f"<h2>{_e(block.text)}</h2>")
        elif isinstance(block, Text):
            body.append(f'<p class="{_e(block.style)}">{_e(block.text)}</p>')
        elif isinstance(block, Chart):
            data = base64.b64encode(next(images)).decode("ascii")
            body.append(f'<img alt="" src="data:image/svg+xml;base64,{data}">')
        elif isinstance(block, Grid):
            body.append(_grid(block))
    header = "".join(f"<p>{_e(line)}</p>" for line in report.header)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(report.title)}</title><style>{STYLE}</style></head><body>"
        f"<header>{header}</header><h1>{_e(report.title)}</h1>{''.join(body)}</body></html>"
    )


def build(report: Report) -> bytes:
    """The report as A4 PDF bytes; raises chart_images.ChartsUnavailable (reason in Chinese) without a browser."""
    return chart_images.print_pdf(report.charts, lambda svgs: to_html(report, svgs), TEXT_WIDTH)
