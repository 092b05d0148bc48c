"""What the last action did, said once on the next run: a callback stores it, the page shows it and forgets it.

The text may carry a file or user name, so it goes through Markdown escaped (ui/plain.py); the problems list is a
table, never Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import plain


def say(key: str, kind: str, text: str, problems: list[tuple[str, str]] | None = None) -> None:
    """Keep the outcome (kind: success, info, warning or error) for the next run of the page."""
    st.session_state[key] = (kind, text, problems)


def show(key: str) -> None:
    """The outcome kept under `key`, if any, once."""
    kind, text, problems = st.session_state.pop(key, (None, None, None))
    if kind:
        getattr(st, kind)(plain.markdown(text))
    if problems:
        st.dataframe(pd.DataFrame(problems, columns=["位置", "问题"]), hide_index=True, width="stretch")
