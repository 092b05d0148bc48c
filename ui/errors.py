"""Uncaught errors: logged on the server with an error id; the user reads a Chinese message with that id."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from etl import audit
from etl.roles import User

LOG = logging.getLogger("hnfl")


def run_page(navigation, user: User) -> None:  # noqa: ANN001 - a StreamlitPage
    """Run the page; st.stop and st.rerun are BaseExceptions and pass through untouched."""
    try:
        navigation.run()
    except Exception as exc:  # noqa: BLE001 - the one place every page's unexpected failure ends up
        show(exc, user)


def show(exc: Exception, user: User | None) -> str:
    error_id = secrets.token_hex(4).upper()
    LOG.error("error %s on page %s for %s", error_id, st.session_state.get("page", ""), user, exc_info=exc)
    try:
        audit.record(
            user or User("", ""), "error", outcome="failed", detail=f"错误编号 {error_id}：{type(exc).__name__}"
        )
    except Exception:  # noqa: BLE001 - the audit file itself may be what failed; the log above has it
        LOG.exception("could not audit error %s", error_id)
    st.error(
        f"系统出错了，本次操作未完成（错误编号 {error_id}）。请稍后重试；如果问题持续，请把错误编号告诉管理员。",
        icon=":material/error:",
    )
    return error_id
