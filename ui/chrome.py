"""Streamlit's own English, made Chinese or removed: the one app-authored stylesheet, and the chart settings.

Where Streamlit 1.67 offers a parameter we use it (st.navigation(expanded=True) lists every page, so no
"View 5 more"; widget placeholders are set in Chinese; `client.toolbarMode = "minimal"` drops the ⋮ menu with
"Print", "Record screen" and "Made with Streamlit"; PLOTLY_CONFIG hides plotly's English mode bar, every
chart having our own download buttons). What Streamlit hard-codes in English is relabelled here, and only
here, by CSS: the text is hidden (font-size 0) and ours is drawn with `::after { content: … }`. Every
replacement text below is a constant of this file: no user text ever reaches the stylesheet (it is CSS, not
HTML, and is built from these tables alone).

Hidden rather than relabelled:
- the table toolbar's "Download as CSV" (it bypasses the role check, the audit log and the formula
  neutralising of our own downloads), "Show/hide columns" and "Search";
- the date range's English "quick select" presets;
- the table's column menu (English sort / format / pin items; sorting by a click on the header still works).

The same stylesheet lays every page out for print (A4 portrait, page numbers, no sidebar or controls, a header
from ui.printing): see _print.

tests/test_chinese_screens.py logs in as every role, visits every page, opens these widgets and fails on any
visible Latin word, so an upgrade of Streamlit that changes a label shows up there.

The stylesheet reaches the page as an inline <style> (st.html): serve.py's Content-Security-Policy allows it with
style-src 'unsafe-inline' (Streamlit and plotly style inline too) while scripts stay 'self' only
(tests/test_browser_security.py checks it applies with no violation).
"""

from __future__ import annotations

import functools

import streamlit as st

# plotly's mode bar is English (tooltips "Zoom in", "Download plot as a PNG") and its logo links out.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "scrollZoom": False}

FONT = "0.875rem"
# Toolbar buttons over tables and charts: English aria-label → Chinese tooltip; None = the button is hidden.
TOOLBAR = {
    "Fullscreen": "全屏查看",
    "Close fullscreen": "退出全屏",
    "Download as CSV": None,
    "Show/hide columns": None,
    "Search": None,
}
WEEKDAYS = "日一二三四五六"  # the calendar starts on Sunday (en-US, hard-coded by Streamlit)
DATE_PLACEHOLDERS = {"year": "年", "month": "月", "day": "日"}
REFUSED = "文件未被接受：请按上方说明检查文件大小和格式"


def _relabel(selector: str, text: str, size: str = FONT) -> str:
    """Hide an element's own (English) text and draw `text` in its place."""
    return f'{selector}{{font-size:0 !important}}{selector}::after{{content:"{text}";font-size:{size}}}'


def _toolbar() -> list[str]:
    # Streamlit lets a tooltip fade out after the pointer has left its button, when the relabel below no
    # longer applies: a tooltip whose target is neither hovered nor focused goes at once.
    target = '[data-testid="stTooltipHoverTarget"]:is(:hover, :focus-within)'
    rules = [
        f'body:not(:has({target})) [role="tooltip"]:has([data-testid="stTooltipContent"]){{display:none !important}}'
    ]
    for label, text in TOOLBAR.items():
        button = f'[data-testid="stElementToolbarButton"] button[aria-label="{label}"]'
        if text is None:
            rules.append(
                f'[data-testid="stElementToolbarButton"]:has(button[aria-label="{label}"]){{display:none !important}}'
            )
        else:  # (:has() may not nest: the hovered button is named directly)
            hovered = f'body:has({button}:is(:hover,:focus-visible)) [data-testid="stTooltipContent"] p'
            rules.append(_relabel(hovered, text))
    return rules


def _date_input() -> list[str]:
    calendar = '[data-testid="stDateInputCalendar"]'
    rules = ['[data-testid="stDateInputQuickSelect"]{display:none !important}']
    rules += [
        _relabel(f'[data-testid="stDateInput"] [data-placeholder="true"][data-type="{kind}"]', text, "inherit")
        for kind, text in DATE_PLACEHOLDERS.items()
    ]
    rules += [_relabel(f"{calendar} thead th:nth-child({i})", day) for i, day in enumerate(WEEKDAYS, start=1)]
    for month in range(1, 13):
        # The month button shows the month the hidden <select> holds; the open list has one option per month.
        shown = f'{calendar}:has(option[value="{month}"]:checked) button[aria-label="month"]'
        rules.append(f'{shown}{{font-size:0 !important}}{shown}::before{{content:"{month}月";font-size:{FONT}}}')
        rules.append(
            _relabel(
                f'[data-testid="stDateInputHeaderPickerPopover"] [role="option"][data-key="{month}"]', f"{month}月"
            )
        )
    return rules


def _uploader() -> list[str]:
    zone, chip = '[data-testid="stFileUploaderDropzone"]', '[data-testid="stFileChip"][aria-invalid="true"]'
    return [
        _relabel(f'{zone} button [data-testid="stMarkdownContainer"] p', "选择文件"),
        _relabel('[data-testid="stFileUploaderDropzoneInstructions"] span', "或将文件拖到这里"),
        # A file the browser refused (too large, wrong type): the chip's tooltip and its alert.
        _relabel(f'body:has({chip}:hover) [data-testid="stTooltipErrorContent"]', REFUSED),
        _relabel(f'{chip} [role="alert"]', REFUSED),
    ]


def _menus() -> list[str]:
    return [
        # Selectbox and multiselect lists: the empty list's "No results".
        _relabel('[role="listbox"][data-empty="true"] [role="option"] span', "无匹配项"),
        _relabel('[data-testid="stSkipToContent"]', "跳到正文"),
        # While the browser (re)connects to the server, or has given up: "Connecting" / "Error".
        _relabel('[data-testid="stConnectionStatus"] label', "正在连接服务器"),
        _relabel(
            'body:has([data-testid="stConnectionStatus"]:hover) [data-testid="stTooltipContent"] p',
            "正在连接服务器；长时间没有响应时请刷新页面",
        ),
        '[data-testid="stDataFrameColumnMenu"]{display:none !important}',
    ]


# ---------------------------------------------------------------- print (A4 portrait)

PRINT_HEADER = "hnfl_print_header"  # the key of ui.printing's container: hidden on screen, the print-out's header
PAGE_MARGINS = "16mm 14mm 18mm 14mm"  # top right bottom left: 182 mm of text width, 263 mm of height
# What a print-out has no use for: the sidebar, Streamlit's header and toolbars, and every control.
NOT_PRINTED = (
    "stSidebar", "stSidebarCollapsedControl", "stHeader", "stToolbar", "stDecoration", "stStatusWidget",
    "stElementToolbar", "stSkipToContent", "stConnectionStatus", "stDownloadButton", "stButton", "stFormSubmitButton",
    "stLinkButton", "stPageLink", "stSelectbox", "stMultiSelect", "stCheckbox", "stToggle", "stRadio",
    "stTextInput", "stTextArea", "stNumberInput", "stDateInput", "stFileUploader", "stForm",
)  # fmt: skip
CHART = '[data-testid="stPlotlyChart"]'


def _print() -> list[str]:
    """A4 portrait, page numbers in the bottom margin (CSS margin boxes), no controls, the header of
    ui.printing shown, and charts and tables drawn on screen shrunk to the page's width.

    A chart keeps the width the screen gave it (plotly draws fixed-size SVG and a print re-lays the page
    without re-drawing it), so each SVG is zoomed by the page's width over its own `width` attribute (typed
    attr() and calc(), Chromium 140 and later); an older browser keeps the plain zoom given first, which fits the
    charts of a 1440 px screen. Tables (drawn on a canvas) take that plain zoom and are never split across pages.
    """
    hidden = ", ".join(f'[data-testid="{name}"]' for name in NOT_PRINTED)
    return [
        f"@page {{size: A4 portrait; margin: {PAGE_MARGINS};"
        ' @bottom-center {content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #555}'
        ' @bottom-right {content: "湖南省妇联统计平台"; font-size: 8pt; color: #888}}',
        f".st-key-{PRINT_HEADER}{{display:none !important}}",
        "@media print {"
        f"{hidden}{{display:none !important}}"
        f".st-key-{PRINT_HEADER}{{display:flex !important; border-bottom:1px solid #999; padding-bottom:4px}}"
        '[data-testid="stMain"], [data-testid="stAppViewContainer"]{overflow:visible !important}'
        '[data-testid="stMainBlockContainer"]{padding:0 !important; max-width:none !important}'
        f"{CHART}{{container-type:inline-size; break-inside:avoid}}"
        f"{CHART} .js-plotly-plot, {CHART} .plot-container, {CHART} .svg-container"
        "{width:auto !important; height:auto !important}"
        f"{CHART} svg.main-svg:first-child{{position:relative !important}}"
        f"{CHART} svg.main-svg{{zoom:0.68; zoom:min(1, calc(100cqw / attr(width px)))}}"
        '[data-testid="stDataFrame"]{zoom:0.7; break-inside:avoid}'
        'h1, h2, h3, [data-testid="stHeading"]{break-after:avoid}'
        "}",
    ]


@functools.cache
def stylesheet() -> str:
    return "<style>" + "\n".join(_toolbar() + _date_input() + _uploader() + _menus() + _print()) + "</style>"


def apply() -> None:
    """Once per run, before any page draws: a style-only st.html takes no room on the page."""
    st.html(stylesheet())
