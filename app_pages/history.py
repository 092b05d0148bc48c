"""上报记录: every submission and its original file, every version of a slice with restore, and 这个数哪来的？"""

from ui.history import render

render()
