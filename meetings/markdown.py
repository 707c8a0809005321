"""Markdown of agendas and minutes, rendered to HTML and sanitised.

Speakers write Markdown; what reaches a page is whatever ``markdown`` makes of it, cleaned
by ``nh3`` to a small set of tags. Raw HTML in the text is therefore harmless: a script tag
or an ``onclick`` never survives, whoever wrote the agenda.
"""

import markdown as markdown_lib
import nh3
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
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> SafeString:
    """``text`` (Markdown) as sanitised HTML, safe to put into a template."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Safe because nh3 has just reduced it to the tags and attributes listed above.
    return mark_safe(cleaned)


def agenda_item_html(item) -> SafeString:
    """The description of an agenda item (TOP) as sanitised HTML."""
    return render_markdown(item.text)
