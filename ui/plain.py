"""Text from files, users and the warehouse, shown as typed: never as Markdown, a link, an image or HTML.

Most such text goes to st.text, st.code or st.dataframe, which never interpret it. Where a message must go
through Markdown (st.error, st.info, st.caption, st.success, st.warning, labels …), `markdown()` escapes it:
CommonMark lets a backslash escape any ASCII punctuation, and escaping all of it also stops GitHub's bare
autolinks (www.…, http://…, a@b.cn), Streamlit's :red[…] and :material/…: directives, $LaTeX$ and raw HTML.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character CommonMark allows a backslash to escape.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def markdown(text: object) -> str:
    """`text` escaped for a Markdown context, so that it renders exactly as the characters it holds."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
