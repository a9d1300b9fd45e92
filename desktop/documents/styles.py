"""Typography of every document: colours, paragraph styles, and text helpers.

Paragraph text is XML for ReportLab: plain values always go through
:func:`para` (escaped); only our own markup goes through :func:`rich`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from desktop.documents.fonts import MONO, SANS, SANS_BOLD, register_fonts
from desktop.documents.french import french_spacing

ACCENT: Color = HexColor("#1f3a5f")
"""Titles, headings, table headers' text."""
MUTED_HEX = "#5b6770"
MUTED: Color = HexColor(MUTED_HEX)
"""Secondary text: labels, header and footer."""
RULE: Color = HexColor("#b8c4d0")
"""Thin lines and box borders."""
SHADE: Color = HexColor("#e8eef5")
"""Table headers' background."""
STRIPE: Color = HexColor("#f6f8fb")
"""Every other table row."""
TEXT: Color = HexColor("#1b1f23")

_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    """Justified running text (contract articles)."""
    text: ParagraphStyle
    """Left-aligned text."""
    bullet: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle
    label: ParagraphStyle
    mono: ParagraphStyle


def _style(name: str, **values: object) -> ParagraphStyle:
    base: dict[str, object] = {
        "fontName": SANS,
        "fontSize": 9.5,
        "leading": 13.3,
        "textColor": TEXT,
        "bulletFontName": SANS,
    }
    return ParagraphStyle(name, **(base | values))


@cache
def styles() -> Styles:
    """The styles, made once (after the fonts are registered)."""
    register_fonts()
    cell = {"fontSize": 8.3, "leading": 10.4}
    head = cell | {"fontName": SANS_BOLD, "textColor": ACCENT}
    return Styles(
        title=_style("title", fontName=SANS_BOLD, fontSize=17, leading=21, textColor=ACCENT),
        subtitle=_style("subtitle", fontSize=10, leading=14, textColor=MUTED, spaceAfter=2),
        heading=_style(
            "heading",
            fontName=SANS_BOLD,
            fontSize=10.5,
            leading=14,
            textColor=ACCENT,
            spaceBefore=11,
            spaceAfter=4,
            keepWithNext=1,
        ),
        subheading=_style(
            "subheading", fontName=SANS_BOLD, fontSize=9.5, spaceBefore=6, spaceAfter=3
        ),
        body=_style("body", alignment=TA_JUSTIFY, spaceAfter=5),
        text=_style("text", alignment=TA_LEFT, spaceAfter=5),
        bullet=_style(
            "bullet", alignment=TA_JUSTIFY, leftIndent=14, bulletIndent=4, spaceAfter=2.5
        ),
        small=_style("small", fontSize=8.3, leading=11),
        muted=_style("muted", fontSize=8.3, leading=11, textColor=MUTED),
        cell=_style("cell", **cell),
        cell_right=_style("cell_right", alignment=TA_RIGHT, **cell),
        cell_center=_style("cell_center", alignment=TA_CENTER, **cell),
        cell_head=_style("cell_head", **head),
        cell_head_right=_style("cell_head_right", alignment=TA_RIGHT, **head),
        label=_style("label", fontName=SANS_BOLD, fontSize=8.3, leading=11, textColor=MUTED),
        mono=_style("mono", fontName=MONO, fontSize=9, leading=12),
    )


def xml(text: str) -> str:
    """Plain text made safe for a paragraph, French spacing applied, line breaks kept."""
    return escape(french_spacing(text)).replace("\n", "<br/>")


def with_bold(text: str) -> str:
    """Plain text with the templates' ``**bold**`` turned into paragraph markup."""
    return _BOLD.sub(r"<b>\1</b>", xml(text))


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text."""
    return Paragraph(xml(text), style)


def rich(markup: str, style: ParagraphStyle, *, bullet: str | None = None) -> Paragraph:
    """A paragraph of our own markup (values inside already escaped with :func:`xml`)."""
    return Paragraph(markup, style, bulletText=bullet)
