"""What `make run` serves: app.py with the HTTP side Streamlit leaves open (ui/web.py) — security headers,
no metrics from outside, and the HttpOnly session cookie. `streamlit run serve.py` finds `app` below.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from etl import files  # noqa: E402 - after the path is set
from ui import web  # noqa: E402

files.owner_only_umask()  # the warehouse, accounts file, backups and archive: readable by this account only
app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
