"""Sheets of cells → observations (region, year, indicator, value, sheet!cell), found by header text.

The jobs are split in etl/ingest/: context (the _meta sheet, header rows, year and unit above them), table (rows,
years, regions, values against the 口径 of their year), wide and long tables. Everything is read against one
`Catalogue` (the warehouse's, passed by the pipeline; the active one otherwise).
"""

from __future__ import annotations

from etl import catalog, levels
from etl.catalog import Catalogue
from etl.ingest.context import Context, Extraction, apply_meta, cell_ref, find_header, sheet_context
from etl.ingest.long import LongTable, fill_long_slices
from etl.ingest.wide import WideTable
from etl.issues import make_issue
from etl.read import Sheet, Workbook
from etl.records import Observation, TotalRow

__all__ = ["Context", "Extraction", "Observation", "TotalRow", "cell_ref", "extract"]
TARGETS_KIND = ("kind", "targets")  # the _meta row of a 任务数 file (etl/targets.py)


def extract(book: Workbook, context: Context, cat: Catalogue | None = None) -> Extraction:
    """Read every table in the workbook; collect every issue instead of stopping at the first."""
    cat = cat or catalog.active()
    out = Extraction(catalogue_token=cat.token)
    if book.meta.get(TARGETS_KIND[0]) == TARGETS_KIND[1]:  # a 任务数 file is never read as figures done
        out.issues.append(make_issue("targets-file-as-return", file=book.file_name))
        return out
    context = apply_meta(book, context, out)
    found_table = False
    for sheet in book.sheets:
        found_table |= _extract_sheet(sheet, book, context, out, cat)
    if not found_table:
        out.issues.append(make_issue("no-indicator-header", file=book.file_name))
    fill_long_slices(out, cat)
    out.observations, summed = levels.complete_cities(out.observations, book.file_name, cat)
    out.issues.extend(summed)
    for sheet_name, cells in book.formulas_without_value.items():
        for cell in cells:
            out.issues.append(make_issue("formula-no-value", file=book.file_name, sheet=sheet_name, cell=cell))
    for sheet_name, errors in book.error_cells.items():
        for cell, text in errors.items():
            out.issues.append(make_issue("excel-error", file=book.file_name, sheet=sheet_name, cell=cell, value=text))
    return out


def _extract_sheet(sheet: Sheet, book: Workbook, context: Context, out: Extraction, cat: Catalogue) -> bool:
    found = find_header(sheet.rows, cat)
    if found is None:
        return False
    header_row, layout = found
    sheet_ctx = sheet_context(sheet, header_row, book, context, out)
    table = LongTable if layout == "long" else WideTable
    table(sheet, header_row, book.file_name, sheet_ctx, out, cat).read()
    return True
