"""Text from users, files and URLs shown as text, never as markup.

Streamlit renders the body of st.markdown, st.caption, st.info/warning/error/success,
st.toast and every widget label as GitHub-flavoured markdown with its own extensions:
colour and badge directives (`:red[...]`), emoji and icon shortcodes (`:smile:`,
`:material/home:`, `:streamlit:`), LaTeX between dollars, autolinked URLs and e-mail
addresses, and arrow typography (`->`). Plotly reads a subset of HTML in every label and
fills `%{...}` placeholders in hover templates.

`md` escapes one piece of data for a markdown string, `code` puts it in a code span,
`plot` escapes it for plotly, `isolate` keeps its text direction in a plain-text label. Text that needs no formatting at all is better drawn with
st.text, st.dataframe or a selectbox option, none of which parse markup.
"""

from __future__ import annotations

import html
import re

# Invisible and zero-width: it splits a pattern that Streamlit matches in the text after
# markdown parsing (where backslash escapes are already gone) without changing what the
# reader sees. Unlike a zero-width space it adds no line-break opportunity.
WORD_JOINER = "\u2060"

# Every ASCII punctuation character: CommonMark lets a backslash escape any of them, so
# escaping all of them needs no knowledge of which construct each one could start.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Shortcodes (`:smile:`, `:material_x:`, `:streamlit:`), URL schemes (`https:`), e-mail
# addresses and `www.` autolinks are found in the parsed text, after unescaping.
_AFTER_COLON_OR_AT = re.compile(r"([:@])(?=\S)")
_WWW_DOT = re.compile(r"(www)(?=\.)", re.IGNORECASE)
# Streamlit turns these, between spaces, into arrows and dashes.
_TYPOGRAPHY = re.compile(r"(?<!\S)([<>~-])(?=(?:->|-|>|=)(?:\s|$))")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")

# Explicit bidirectional formatting characters (embeddings, overrides, isolates).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPEN, _ISOLATE_CLOSE = "\u2068", "\u2069"  # first-strong isolate ... pop isolate


# Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo ... and their
# presentation forms, and the right-to-left scripts beyond the first plane.
_RTL_LETTERS = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def _isolate_bidi(text: str) -> str:
    """Keep a value's direction inside it. A right-to-left override must not reverse the
    sentence around it, and a right-to-left name (an Arabic artist) must not pull the
    numbers and punctuation beside it into its own order ("نور الليل · 93.1" read
    backwards). A pop-isolate ends every embedding and override opened inside the
    isolate; one more per isolate the value left open."""
    if not _BIDI_CONTROLS.search(text) and not _RTL_LETTERS.search(text):
        return text
    opened = sum(text.count(c) for c in "\u2066\u2067\u2068") - text.count(_ISOLATE_CLOSE)
    return _ISOLATE_OPEN + text + _ISOLATE_CLOSE * (1 + max(opened, 0))


def md(value: object) -> str:
    """`value` as markdown that displays exactly its text (on one line).

    Line breaks become spaces: a value sits inside a sentence, and a blank line would end
    the bold or the paragraph around it.
    """
    text = _WHITESPACE.sub(" ", str(value))
    text = _TYPOGRAPHY.sub(r"\1" + WORD_JOINER, text)
    text = _AFTER_COLON_OR_AT.sub(r"\1" + WORD_JOINER, text)
    text = _WWW_DOT.sub(r"\1" + WORD_JOINER, text)
    return _isolate_bidi(_PUNCTUATION.sub(r"\\\1", text))


def isolate(value: object) -> str:
    """`value` as plain text (an option label, not markdown) that keeps its direction: a
    right-to-left name followed by a number ("نور الليل — 1 alert") would otherwise take
    the number into its own order."""
    return _isolate_bidi(str(value))


def code(value: object) -> str:
    """`value` as a markdown code span (monospace, nothing inside is interpreted)."""
    text = _WHITESPACE.sub(" ", str(value))
    # Streamlit rewrites `:material/` in the raw source, code spans included.
    text = _AFTER_COLON_OR_AT.sub(r"\1" + WORD_JOINER, text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space on each side when both are present.
    return f"{fence} {text} {fence}"


def plot(value: object) -> str:
    """`value` for a plotly title, legend entry, axis label or hover text.

    HTML-escaped, so `<a href>` or `<b>` stay text; `$` and `%{` as character references
    (which plotly decodes for display) so a value neither starts LaTeX nor fills a
    hover-template placeholder.
    """
    text = html.escape(str(value), quote=False)
    return text.replace("$", "&#36;").replace("%{", "&#37;{")
