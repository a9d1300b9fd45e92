"""The page frame shared by every document: A4, letterhead, footer, page numbers.

A4 portrait; on every page the provider's logo (or its name) and identity at
the top, a footer with the document's reference, the provider's legal
mentions and « Page N/M », and optionally an initials box (« Paraphes »).
The total number of pages is only known at the end: each page is kept
(:class:`NumberedCanvas`) and decorated when the document is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from desktop import __version__
from desktop.documents.fonts import SANS, SANS_BOLD, register_fonts, seed_subsets
from desktop.documents.french import french_money, group_digits
from desktop.documents.styles import ACCENT, MUTED, RULE

if TYPE_CHECKING:
    from desktop.services.contract_print import ProviderIdentity

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP_MARGIN = 33 * mm
FOOTER_RULE = 24 * mm
"""Height of the footer's rule above the bottom edge."""
INITIALS_SIZE = (36 * mm, 11 * mm)
LOGO_BOX = (48 * mm, 15 * mm)


@dataclass(frozen=True)
class PageFrame:
    """What every page of one document shows around its content."""

    title: str
    """The document's title (PDF metadata)."""
    subject: str
    reference: str
    """The footer's first line, e.g. « Contrat C2026-00012 — Librairie Martin »."""
    provider: ProviderIdentity | None
    initials: bool = False
    """An initials box (« Paraphes ») on every page."""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def build_pdf(frame: PageFrame, story: list[Flowable]) -> RenderedPdf:
    """The PDF of ``story`` in the page frame."""
    register_fonts()
    buffer = BytesIO()
    author = frame.provider.name if frame.provider is not None else ""
    bottom = FOOTER_RULE + 5 * mm
    content = Frame(
        MARGIN,
        bottom,
        CONTENT_WIDTH,
        PAGE_HEIGHT - TOP_MARGIN - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("page", [content])],
        title=frame.title,
        author=author,
        subject=frame.subject,
        creator=f"Back-Office Messagerie {__version__}",
        lang="fr-FR",
        initialFontName=SANS,
    )
    doc.build(story, canvasmaker=partial(NumberedCanvas, decorate=partial(_decorate, frame)))
    return RenderedPdf(buffer.getvalue(), doc.page)


class NumberedCanvas(Canvas):  # type: ignore[misc]
    """A canvas that keeps every page until the end, then decorates each one
    knowing the total (« Page 2/5 »)."""

    def __init__(
        self, *args: Any, decorate: Callable[[Canvas, int, int], None], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        seed_subsets(self._doc)
        self._decorate = decorate
        self._kept_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._kept_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._kept_pages)
        for number, state in enumerate(self._kept_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


def _decorate(frame: PageFrame, canvas: Canvas, page: int, total: int) -> None:
    canvas.saveState()
    if frame.provider is not None:
        _draw_header(canvas, frame.provider)
    _draw_footer(canvas, frame, page, total)
    canvas.restoreState()


# --- header and footer ------------------------------------------------------------------


def _draw_header(canvas: Canvas, provider: ProviderIdentity) -> None:
    top = PAGE_HEIGHT - 12 * mm
    if provider.logo:
        _draw_logo(canvas, provider.logo, MARGIN, top)
    else:
        canvas.setFont(SANS_BOLD, 15)
        canvas.setFillColor(ACCENT)
        canvas.drawString(MARGIN, top - 8 * mm, provider.name)
    canvas.setFillColor(MUTED)
    right = PAGE_WIDTH - MARGIN
    canvas.setFont(SANS_BOLD, 8)
    canvas.drawRightString(right, top - 2.5 * mm, provider.name)
    canvas.setFont(SANS, 7.3)
    for index, line in enumerate(_identity_lines(provider), start=1):
        canvas.drawRightString(right, top - 2.5 * mm - index * 3.4 * mm, line)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - 17 * mm, right, top - 17 * mm)


def _draw_logo(canvas: Canvas, logo: bytes, x: float, top: float) -> None:
    """The logo fitted in its box, top-left aligned."""
    image = ImageReader(BytesIO(logo))
    width, height = image.getSize()
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
    drawn_w, drawn_h = width * scale, height * scale
    canvas.drawImage(image, x, top - drawn_h, drawn_w, drawn_h, mask="auto")


def _identity_lines(provider: ProviderIdentity) -> list[str]:
    contact = " · ".join(v for v in (provider.phone, provider.email) if v)
    lines = [", ".join(provider.address.lines), contact, provider.website or ""]
    return [line for line in lines if line]


def legal_mentions(provider: ProviderIdentity) -> str:
    """« Nuage Armor, SAS au capital de 50 000,00 € — RCS Vannes 458 813 995 — TVA FR… »."""
    return (
        f"{provider.name}, {provider.legal_form} au capital de "
        f"{french_money(provider.share_capital)} — RCS {provider.rcs_city} "
        f"{group_digits(provider.siren)} — TVA {provider.vat_number}"
    )


def _draw_footer(canvas: Canvas, frame: PageFrame, page: int, total: int) -> None:
    right = PAGE_WIDTH - MARGIN
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, FOOTER_RULE, right, FOOTER_RULE)
    canvas.setFillColor(MUTED)
    canvas.setFont(SANS, 8)
    canvas.drawRightString(right, FOOTER_RULE - 4.5 * mm, f"Page {page}/{total}")
    text_width = CONTENT_WIDTH - INITIALS_SIZE[0] - 8 * mm
    canvas.setFont(SANS_BOLD, 7.3)
    canvas.drawString(MARGIN, FOOTER_RULE - 4.5 * mm, frame.reference)
    if frame.provider is not None:
        canvas.setFont(SANS, 6.6)
        lines = simpleSplit(legal_mentions(frame.provider), SANS, 6.6, text_width)
        for index, line in enumerate(lines, start=1):
            canvas.drawString(MARGIN, FOOTER_RULE - 4.5 * mm - index * 3 * mm, line)
    if frame.initials:
        _draw_initials_box(canvas, right)


def _draw_initials_box(canvas: Canvas, right: float) -> None:
    width, height = INITIALS_SIZE
    x, y = right - width, FOOTER_RULE - 6.5 * mm - height
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, width, height)
    canvas.setFillColor(MUTED)
    canvas.setFont(SANS, 6.3)
    canvas.drawString(x + 1.5 * mm, y + height - 2.8 * mm, "Paraphes")
