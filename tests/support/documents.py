"""Reading built Word documents back."""

from __future__ import annotations

from docx.text.paragraph import Paragraph


def style_of(paragraph: Paragraph) -> str:
    """The name of the paragraph's style; "" for a paragraph that has none."""
    style = paragraph.style
    return (style.name or "") if style is not None else ""
