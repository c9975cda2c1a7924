"""Rendering Markdown for a response without blocking the event loop."""

from __future__ import annotations

import asyncio

from server.errors import InvalidInput
from server.render.markdown import MAX_MARKDOWN_CHARS, MarkdownTooLarge, render_markdown


async def render(text: str) -> str:
    """Sanitized HTML of ``text``; long documents take seconds, so render in a thread."""
    try:
        return await asyncio.to_thread(render_markdown, text)
    except MarkdownTooLarge:
        raise InvalidInput(f"The text is longer than {MAX_MARKDOWN_CHARS:,} characters.",
                           details={"field": "markdown"}) from None
