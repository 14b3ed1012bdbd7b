"""Markdown for posts, challenges and comments, rendered once at write time and sanitized.

markdown turns the text into HTML; nh3 (ammonia) then keeps only harmless tags and attributes:
no script or style, no event handlers, links only to http, https and mailto, and every link
gets rel="noopener nofollow".
"""

import markdown
import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Safe HTML for Markdown `text` (raw HTML in the text is sanitized like the rest)."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return sanitize(html)
