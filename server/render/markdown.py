"""The app's single Markdown → HTML renderer.

Everything user-written that ends up as HTML goes through ``render_markdown``.
The pipeline is: markdown-it-py (CommonMark + GFM tables/strikethrough +
footnotes, task lists, heading anchors) → nh3 allow-list sanitizer. The parser
is allowed to pass raw HTML through because the sanitizer, not the parser, is
the security boundary: every tag, attribute, class and URL scheme that can
reach the browser is listed explicitly below.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

__all__ = [
    "ALLOWED_URL_SCHEMES",
    "ID_PREFIX",
    "MAX_MARKDOWN_CHARS",
    "MarkdownTooLarge",
    "render_markdown",
]

# Bounds CPU/memory per render; a real RFC is a few tens of KB.
MAX_MARKDOWN_CHARS = 200_000

ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Every id in rendered output lives in this namespace, so user content cannot
# clobber ids (and hence `window.<id>` globals) the app itself relies on.
# Fragment links (`#foo`) are rewritten to match, so in-document links, footnotes
# and heading anchors keep working.
ID_PREFIX = "user-content-"


class MarkdownTooLarge(ValueError):
    """Raised when the input exceeds ``MAX_MARKDOWN_CHARS``."""

    def __init__(self, length: int, limit: int = MAX_MARKDOWN_CHARS) -> None:
        super().__init__(f"markdown is {length} characters; the limit is {limit}")
        self.length = length
        self.limit = limit


# --- parser -----------------------------------------------------------------

_SLUG_STRIP_RE = re.compile(r"[^\w\- ]")
_SLUG_MAX_LEN = 80
# Ids the footnote plugin generates at render time (fn1, fnref1, fnref1:2);
# a heading must not take one of them.
_FOOTNOTE_ID_RE = re.compile(r"fn(?:ref)?\d+(?::\d+)?")


def _slugify(title: str) -> str:
    # GitHub-style slug.
    slug = _SLUG_STRIP_RE.sub("", title.strip().lower()).replace(" ", "-")
    slug = slug[:_SLUG_MAX_LEN].strip("-")
    # A heading made only of punctuation/markup would otherwise get an empty id.
    return slug or "section"


def _heading_ids(state: StateCore) -> None:
    # Replaces mdit_py_plugins.anchors: its de-duplication restarts counting at
    # -1 for every repeat, so N identical headings cost O(N²) (50k "# a" lines
    # took minutes). Here each base slug remembers its next free suffix.
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    tokens = state.tokens
    for idx, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[idx + 1]
        title = "".join(
            child.content
            for child in inline.children or ()
            if child.type in ("text", "code_inline")
        )
        base = _slugify(title)
        slug = base
        if slug in used or _FOOTNOTE_ID_RE.fullmatch(slug):
            n = next_suffix.get(base, 1)
            while f"{base}-{n}" in used:
                n += 1
            slug = f"{base}-{n}"
            next_suffix[base] = n + 1
        used.add(slug)
        token.attrSet("id", slug)


_TASK_MARKER_RE = re.compile(r"\[([ xX])\][ \t\n\v\f\r]")
_CHECKBOX_HTML = '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
_CHECKED_CHECKBOX_HTML = (
    '<input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox">'
)


def _task_lists(state: StateCore) -> None:
    # Same output as mdit_py_plugins.tasklists (GitHub's markup), which is not
    # used because it finds each item's parent list by scanning back from the
    # item, so a list of N tasks costs O(N²) (25k items took minutes). A stack
    # of open lists makes the parent lookup O(1).
    tokens = state.tokens
    open_lists: list[Token] = []
    for idx, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            open_lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            open_lists.pop()
        elif (
            token.type == "inline"
            and idx >= 2
            and tokens[idx - 1].type == "paragraph_open"
            and tokens[idx - 2].type == "list_item_open"
            and open_lists
            and token.children
            # Must be literal text: `[x]` can also be a reference link.
            and token.children[0].type == "text"
            and (m := _TASK_MARKER_RE.match(token.children[0].content))
        ):
            first = token.children[0]
            first.content = first.content[3:]
            token.content = token.content[3:]
            html = _CHECKBOX_HTML if m.group(1) == " " else _CHECKED_CHECKBOX_HTML
            token.children.insert(0, Token("html_inline", "", 0, content=html))
            tokens[idx - 2].attrSet("class", "task-list-item")
            open_lists[-1].attrSet("class", "contains-task-list")


_ALIGN_STYLE_RE = re.compile(r"^text-align:(left|center|right)$")


def _table_align_to_attr(state: StateCore) -> None:
    # markdown-it expresses column alignment as a `style` attribute, which the
    # sanitizer (rightly) never lets through; `align` carries the same
    # information and is restricted to three literal values below.
    for token in state.tokens:
        if token.type not in ("th_open", "td_open") or not token.attrs:
            continue
        style = token.attrs.pop("style", None)
        if isinstance(style, str) and (m := _ALIGN_STYLE_RE.match(style)):
            token.attrs["align"] = m.group(1)


def _render_table_open(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Wide tables scroll inside this wrapper instead of widening the page.
    return '<div class="table-scroll">\n' + self.renderToken(tokens, idx, options, env)


def _render_table_close(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _build_parser(*, html: bool) -> MarkdownIt:
    # linkify needs linkify-it-py, which is deliberately not a dependency; pick
    # it up only if someone installs it.
    linkify = importlib.util.find_spec("linkify_it") is not None
    md = MarkdownIt("commonmark", {"html": html, "linkify": linkify, "typographer": False})
    md.enable(["table", "strikethrough"])
    if linkify:
        md.enable("linkify")
    md.use(footnote_plugin)
    md.core.ruler.push("task_lists", _task_lists)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("table_align_to_attr", _table_align_to_attr)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


# --- sanitizer --------------------------------------------------------------

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

_ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        *_HEADINGS,
        "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp", "var",
        "em", "strong", "b", "i", "s", "del", "ins", "mark", "sub", "sup",
        "small", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd",
        "a", "img",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "details", "summary",
        "div", "section",
        "input",
    }
)  # fmt: skip

# Dropped together with their content (the text inside them is never meant to
# be displayed, or is an attack payload). Must be disjoint from _ALLOWED_TAGS.
_CLEAN_CONTENT_TAGS: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp",
        "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "textarea", "select", "title",
    }
)  # fmt: skip

# Every tag lists exactly what it may carry. The empty "*" entry matters: if
# it is absent, nh3 keeps ammonia's default generic attributes (lang, title).
# `class` is never listed here except on <code> (see _attribute_filter);
# all other classes go through _ALLOWED_CLASSES.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),
    **{h: {"id"} for h in _HEADINGS},
    "a": {"href", "title", "id"},  # id: footnote back-reference targets
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},  # id: footnote targets
    "ol": {"start"},
    "code": {"class"},
    "abbr": {"title"},
    "details": {"open"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "input": {"checked"},
}

_ALLOWED_CLASSES: dict[str, set[str]] = {
    "div": {"table-scroll"},
    "ul": {"contains-task-list"},
    "ol": {"contains-task-list", "footnotes-list"},
    "li": {"task-list-item", "footnote-item"},
    "input": {"task-list-item-checkbox"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
}

_ALIGN_VALUES = {"left", "center", "right"}
_TAG_ATTRIBUTE_VALUES: dict[str, dict[str, set[str]]] = {
    "th": {"align": _ALIGN_VALUES},
    "td": {"align": _ALIGN_VALUES},
}

# Any <input> that survives (task-list or user-written) becomes an inert,
# disabled checkbox whatever type/disabled it claimed.
_SET_TAG_ATTRIBUTE_VALUES: dict[str, dict[str, str]] = {
    "input": {"type": "checkbox", "disabled": "disabled"},
}

_LANGUAGE_CLASS_RE = re.compile(r"language-[A-Za-z0-9_+#.\-]{1,40}")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "code" and attr == "class":
        # Language names are open-ended, so allowed_classes cannot list them;
        # keep only well-formed language-xxx tokens and nothing else.
        for cls in value.split():
            if _LANGUAGE_CLASS_RE.fullmatch(cls):
                return cls
        return None
    if tag == "a" and attr == "href" and value.startswith("#") and len(value) > 1:
        # Keep in-document links pointing at ids after nh3 prefixes them.
        if not value.startswith("#" + ID_PREFIX):
            return "#" + ID_PREFIX + value[1:]
    return value


_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags=set(_CLEAN_CONTENT_TAGS),
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    allowed_classes=_ALLOWED_CLASSES,
    tag_attribute_values=_TAG_ATTRIBUTE_VALUES,
    set_tag_attribute_values=_SET_TAG_ATTRIBUTE_VALUES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="pass_through",
    link_rel="noopener noreferrer nofollow",
    generic_attribute_prefixes=set(),
    strip_comments=True,
    id_prefix=ID_PREFIX,
)

_MD = _build_parser(html=True)
# Same features, but raw HTML is shown as text; see _MAX_RAW_HTML_TAGS.
_MD_NO_HTML = _build_parser(html=False)

# html5ever (inside nh3) is quadratic in the nesting depth of block elements:
# 40k nested <div>/<ul>/<details> take seconds to sanitize. Markdown syntax
# itself is depth-limited by markdown-it (maxNesting), so only raw HTML can do
# this; past this many raw tags the document is re-parsed with raw HTML off.
_MAX_RAW_HTML_TAGS = 5_000
_TAG_START_RE = re.compile(r"<[A-Za-z]")
# Our own task-list checkboxes are void elements and cannot nest.
_GENERATED_HTML = frozenset({_CHECKBOX_HTML, _CHECKED_CHECKBOX_HTML})


def _raw_html_tag_count(tokens: Sequence[Token]) -> int:
    count = 0
    for token in tokens:
        if token.type == "html_block":
            count += len(_TAG_START_RE.findall(token.content))
        elif token.children:
            count += sum(
                1
                for child in token.children
                if child.type == "html_inline" and child.content not in _GENERATED_HTML
            )
    return count


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to HTML that is safe to insert into the page.

    Raises ``MarkdownTooLarge`` if ``text`` exceeds ``MAX_MARKDOWN_CHARS``.
    """
    if len(text) > MAX_MARKDOWN_CHARS:
        raise MarkdownTooLarge(len(text))
    md = _MD
    # Footnote definitions are collected into env during parsing and read back
    # while rendering, so parse and render must share it.
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    if _raw_html_tag_count(tokens) > _MAX_RAW_HTML_TAGS:
        md = _MD_NO_HTML
        env = {}
        tokens = md.parse(text, env)
    return _CLEANER.clean(md.renderer.render(tokens, md.options, env))
