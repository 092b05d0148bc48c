"""Text from files, users and the warehouse, shown as typed: never as Markdown, a link, an image or HTML.

Most such text goes to st.text, st.code or st.dataframe, which never interpret it. Where a message must go
through Markdown (st.error, st.info, st.caption, st.success, st.warning, labels …), `markdown()` prepares it:

- CommonMark lets a backslash escape any ASCII punctuation: escaping all of it stops emphasis, links, images,
  raw HTML, Streamlit's :red[…] and :material/…: directives and $LaTeX$;
- GitHub's bare autolinks (www.…, http://…, mailto:…, a@b.cn) are found in the text *after* it is parsed, where
  escapes are already gone: an invisible WORD JOINER (U+2060) placed inside each trigger stops them, and the
  text still reads exactly the same.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character CommonMark allows a backslash to escape.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Where GFM's literal autolinks start: www., a scheme's colon, an e-mail's @.
_AUTOLINK = re.compile(r"(?i)(www(?=\.)|(?:https?|ftp|mailto|xmpp)(?=:)|(?=@))")
WORD_JOINER = "\u2060"


def bold(text: object) -> str:
    """`text` as one bold line of Markdown, escaped like `markdown()`: for headings that name a 市州, a 类别 or an
    indicator (the catalogue is data an administrator edits) or carry a user's words."""
    return f"**{markdown(text)}**"


def markdown(text: object) -> str:
    """`text` for a Markdown context, so that it renders exactly as the characters it holds, and links nothing."""
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(lambda m: m[0] + WORD_JOINER, str(text)))
