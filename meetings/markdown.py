"""Markdown of agendas, minutes and poll descriptions, rendered to HTML and sanitised.

Speakers write Markdown; what reaches a page is what ``cmark`` (the CommonMark reference
implementation, through ``cmarkgfm``) makes of it, cleaned by ``nh3`` to a small set of
tags. Raw HTML in the text is therefore harmless: cmark leaves it out, and nh3 would drop a
script tag or an ``onclick`` whoever wrote the text.

cmark is built and tested to parse in linear time, pathological input included (runs of
``[``, deeply nested emphasis or quotes). Python-Markdown took 30 s for 20,000 ``[`` and
markdown-it-py still needs seconds for 200 KB of them; cmark needs milliseconds
(``python -m bench.markdown``). Depth is the one thing cmark does not bound: 100,000 ``>``
make 100,000 nested quotes, and the HTML parser inside nh3 is quadratic in nesting. Text
nested deeper than ``MAX_DEPTH`` is therefore shown as plain text, which no one writing an
agenda will notice.

The HTML is rendered once, when the text is saved (the models' ``clean``), and stored
beside it; pages, feeds and the API only read it.
"""

import re

import cmarkgfm
import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Deeper than anything an agenda needs, shallow enough that nh3 stays linear.
MAX_DEPTH = 24
# More block quotes and list items opened at the start of one line than MAX_DEPTH: each
# marker is one level deeper. A line of 200,000 ">" would otherwise make cmark write 5 MB of
# nested quotes first. The count is bounded, so a long line costs no more than a short one.
_CONTAINER_MARKER = r"[ \t]*(?:>|[-+*](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))"
_TOO_DEEP_LINE = re.compile(f"^(?:{_CONTAINER_MARKER}){{{MAX_DEPTH + 1}}}", re.MULTILINE)
# cmark's output with raw HTML left out (its default): every "<" in text or attributes is
# escaped, so each match is a tag cmark wrote. Void elements are written as "<br />".
_TAG = re.compile(r"<(/?)[a-z][a-z0-9]*[^>]*?(/?)>")


def _too_deep_html(html: str) -> bool:
    depth = 0
    for match in _TAG.finditer(html):
        if match.group(1):
            depth -= 1
        elif not match.group(2):
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def _plain(text: str) -> SafeString:
    """``text`` as escaped paragraphs, for text nested too deep to render.

    Not passed through nh3: every character of the text is escaped, so the only tags are
    the ``<p>`` and ``<br>`` written here (and nh3 is slow on 200 KB of "&gt;").
    """
    # Safe because escape() has left no markup of the text's own.
    return mark_safe(linebreaks(escape(text)))


def render_markdown(text: str) -> SafeString:
    """``text`` (Markdown) as sanitised HTML, safe to put into a template; "" for no text."""
    if not text or not text.strip():
        return mark_safe("")
    # Without CMARK_OPT_UNSAFE cmark omits raw HTML and javascript: links itself.
    if _TOO_DEEP_LINE.search(text):
        return _plain(text)
    html = cmarkgfm.markdown_to_html(text)
    if _too_deep_html(html):
        return _plain(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Safe because nh3 has just reduced it to the tags and attributes listed above.
    return mark_safe(cleaned)
