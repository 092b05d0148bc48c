"""填报进度: 市州 × 类别 reporting status for the sidebar year, the 截止日期 and ready-to-send 催报 notes."""

from ui.progress import render

render()
