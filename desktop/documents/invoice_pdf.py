"""The invoice or credit-note PDF: every mention French law asks of it (invoicing-fr.md).

Page one: the seller (logo top-left, identity) and the buyer, the title and
its dates, then the lines, which flow over as many pages as needed with their
header row repeated; the VAT per rate, the totals, the payment terms and the
legal mentions end the document, kept together. Every page carries the logo,
the document's number, the seller's legal identity, the provider's footer
text and « Page N / M »; a draft's preview is stamped « BROUILLON — sans
valeur » across every page and has no number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from io import BytesIO
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from desktop import __version__
from desktop.documents.fonts import SANS, SANS_BOLD, register_fonts
from desktop.documents.french import (
    NBSP,
    french_date,
    french_decimal,
    french_int,
    french_money,
    french_spacing,
    group_digits,
)
from desktop.documents.invoice_canvas import (
    CELL_SIZE,
    PAD,
    Box,
    DataTable,
    Look,
    Rule,
    SideBySide,
    TextGrid,
    TextLine,
    TextOperators,
    Totals,
    as_row,
    text_width,
)
from desktop.documents.invoice_data import (
    DRAFT_MARK,
    InvoiceDocument,
    InvoiceLineData,
    InvoiceParty,
    InvoiceSeller,
    InvoiceTerms,
)
from desktop.documents.layout import (
    CONTENT_WIDTH,
    FOOTER_RULE,
    LOGO_BOX,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TOP_MARGIN,
    NumberedCanvas,
    RenderedPdf,
)
from desktop.documents.styles import (
    ACCENT,
    MUTED,
    RULE,
    SHADE,
    para,
    rich,
    styles,
    xml,
)
from desktop.domain.enums import PaymentMethod

CATEGORY = "Prestations de services"
VAT_ON_DEBITS = "Option pour le paiement de la taxe d'après les débits"
FOOTER_TOP = FOOTER_RULE + 5 * mm
"""Bottom of the content frame: the footer's text sits below its rule."""
FOOTER_LINE = 3 * mm
WATERMARK: Color = Color(0.78, 0.16, 0.16, alpha=0.16)
CREATOR = f"Back-Office Messagerie {__version__}"


def render_invoice(doc: InvoiceDocument) -> bytes:
    """The document's plain PDF."""
    return build_invoice(doc).data


def build_invoice(
    doc: InvoiceDocument, prepare: Callable[[Canvas], None] | None = None
) -> RenderedPdf:
    """The document's PDF (embedded fonts) and its number of pages: plain, or
    what ``prepare`` makes of ReportLab's document (its canvas given as soon as
    it is made, before the title and author are set; Factur-X adds its objects)."""
    register_fonts()
    buffer = BytesIO()
    frame = Frame(
        MARGIN,
        FOOTER_TOP,
        CONTENT_WIDTH,
        PAGE_HEIGHT - TOP_MARGIN - FOOTER_TOP,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("page", [frame])],
        title=doc.title,
        author=doc.seller.name,
        subject=f"{doc.title} — {doc.buyer.name}",
        creator=CREATOR,
        lang="fr-FR",
        initialFontName=SANS,
    )
    texts = TextOperators()
    decorate = partial(_decorate, doc, _logo(doc.seller), _footer_lines(doc), texts)
    with _without_ascii85():
        template.build(
            _story(doc, texts), canvasmaker=partial(_canvas, decorate=decorate, prepare=prepare)
        )
    return RenderedPdf(buffer.getvalue(), template.page)


def _canvas(
    *args: Any,
    decorate: Callable[[Canvas, int, int], None],
    prepare: Callable[[Canvas], None] | None,
    **kwargs: Any,
) -> NumberedCanvas:
    canvas = NumberedCanvas(*args, decorate=decorate, **kwargs)
    if prepare is not None:
        prepare(canvas)
    return canvas


@contextmanager
def _without_ascii85() -> Iterator[None]:
    """Streams compressed only, not also ASCII85-encoded: a quarter smaller and quicker
    (ReportLab's default encodes them for 7-bit transports, which PDFs no longer meet)."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _story(doc: InvoiceDocument, texts: TextOperators) -> list[Flowable]:
    closing = [
        _amounts(doc, texts),
        Spacer(1, 5 * mm),
        *_payment(doc, texts),
        *_mentions(doc, texts),
    ]
    return [
        _parties(doc, texts),
        Spacer(1, 7 * mm),
        *_heading(doc, texts),
        Spacer(1, 5 * mm),
        lines_table(doc.lines, texts),
        Spacer(1, 5 * mm),
        KeepTogether(closing),
    ]


# --- plain-text tables -----------------------------------------------------------------
# Cells are plain strings (several lines joined by "\n"), not paragraphs: an
# invoice batch renders thousands of them. Every block skips ReportLab's
# tables and, for one-line titles, its paragraphs: the parties, the dates,
# the lines, the VAT per rate, the totals, the payment terms, the mentions and
# the page's header and footer are drawn on the canvas (invoice_canvas.py),
# pixel for pixel as the grid tables and paragraphs they replace.


@lru_cache(maxsize=4096)
def wrap(text: str, width: float, *, font: str = SANS, size: float = CELL_SIZE) -> str:
    """``text`` broken into lines of at most ``width`` points, at plain spaces only
    (never at the no-break spaces of French typography). Kept for the process: a
    batch wraps the same legal mentions, seller lines and descriptions again."""
    if text.splitlines() == [text] and text[0] != " " and stringWidth(text, font, size) <= width:
        return text  # most cells: one line that fits, measured once
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if stringWidth(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            *whole, current = _cut(word, width, font, size)
            lines += whole
        lines.append(current)
    return "\n".join(lines)


def _cut(word: str, width: float, font: str, size: float) -> list[str]:
    """A word too long for a line, cut where it must be (an address, a reference).
    ReportLab does not kern: a piece's width is the sum of its characters'."""
    if stringWidth(word, font, size) < width - ROUNDING:
        return [word]  # fits whole (most words): the sums below can only differ by rounding
    pieces = [""]
    used = 0.0
    for char in word:
        advance = _char_width(char, font, size)
        if pieces[-1] and used + advance > width:
            pieces.append("")
            used = 0.0
        pieces[-1] += char
        used += advance
    return pieces


ROUNDING = 1e-6
"""Far above the error of summing a word's character widths in another order."""


@lru_cache(maxsize=4096)
def _char_width(char: str, font: str, size: float) -> float:
    return float(stringWidth(char, font, size))


# --- the parties ------------------------------------------------------------------------


def _parties(doc: InvoiceDocument, texts: TextOperators) -> Flowable:
    """Seller on the left, buyer in a shaded box on the right, line by line."""
    column = (CONTENT_WIDTH - 8 * mm) / 2
    seller = ["ÉMETTEUR", doc.seller.name, *seller_lines(doc.seller)]
    buyer = ["CLIENT", doc.buyer.name, *buyer_lines(doc.buyer)]
    height = max(len(seller), len(buyer))
    seller += [""] * (height - len(seller))
    buyer += [""] * (height - len(buyer))
    rows = [
        [wrap(left, column - 7), "", wrap(right, column - 14)]
        for left, right in zip(seller, buyer, strict=True)
    ]
    looks = [_party_looks(index, height) for index in range(height)]
    return TextGrid(
        rows,
        [column, 8 * mm, column],
        looks,
        texts,
        shaded=(2, SHADE),
        boxes=[Box(2, 2, 0.6, RULE)],
    )


@lru_cache(maxsize=64)
def _party_looks(row: int, rows: int) -> tuple[Look, ...]:
    """The label, the name in bold, then the lines; more room above and below;
    the seller's column, the gutter's and the buyer's box (7 points inside)."""
    bottom = 6 if row == rows - 1 else 3 if row == 1 else 1
    if row == 0:
        look = Look(SANS_BOLD, 7.5, 10, MUTED, top=5, bottom=bottom)
    elif row == 1:
        look = Look(SANS_BOLD, 10, 13, top=0, bottom=bottom)
    else:
        look = Look(top=0, bottom=bottom)
    return tuple(replace(look, left=left) for left in (0, 6, 7))


def seller_lines(seller: InvoiceSeller) -> list[str]:
    lines = [
        f"{seller.legal_form} au capital de {french_money(seller.share_capital)}",
        *seller.address.lines,
        f"SIREN {group_digits(seller.siren)} — RCS {seller.rcs_city}",
        f"TVA intracommunautaire {seller.vat_number}",
    ]
    contact = " · ".join(v for v in (seller.phone, seller.email) if v)
    return [*lines, contact] if contact else lines


def buyer_lines(buyer: InvoiceParty) -> list[str]:
    lines = [buyer.legal_form] if buyer.legal_form else []
    lines += buyer.address.lines
    if buyer.siren:
        lines.append(f"SIREN {group_digits(buyer.siren)}")
    if buyer.siret:
        lines.append(f"SIRET {group_digits(buyer.siret)}")
    if buyer.vat_number:
        lines.append(f"TVA intracommunautaire {buyer.vat_number}")
    if buyer.chorus_pro_service_code:
        lines.append(f"Service exécutant : {buyer.chorus_pro_service_code}")
    return lines


# --- title, dates, reference ------------------------------------------------------------


def _heading(doc: InvoiceDocument, texts: TextOperators) -> list[Flowable]:
    s = styles()
    title = one_line(doc.title, s.title, texts)
    story: list[Flowable] = [title, Spacer(1, 2 * mm), _facts(doc, texts)]
    if doc.corrects is not None:
        corrected = doc.corrects
        reference = f"Avoir sur la facture {corrected.number} du {french_date(corrected.issued_on)}"
        story += [Spacer(1, 3 * mm), rich(f"<b>{xml(reference)}</b>", s.text)]
    if doc.reason:
        story.append(para(f"Motif : {doc.reason}", s.text))
    return story


def _facts(doc: InvoiceDocument, texts: TextOperators) -> Flowable:
    """The dates and references in a row: label above, value below, between rules."""
    facts = [
        ("Date d'émission", french_date(doc.issued_on)),
        ("Période", _period(doc.period_start, doc.period_end) or "—"),
        ("Échéance", french_date(doc.terms.due_on) if doc.terms.due_on else "—"),
        ("Code client", doc.buyer.code),
    ]
    if doc.purchase_order_ref:
        facts.append(("Votre commande", doc.purchase_order_ref))
    widths = [1.2, 2.0, 1.0, 1.0, 1.3][: len(facts)]
    scale = CONTENT_WIDTH / sum(widths)
    labels, values = Look(SANS_BOLD, colour=MUTED, top=4), Look(top=1, bottom=5)
    return TextGrid(
        [[label for label, _ in facts], [value for _, value in facts]],
        [w * scale for w in widths],
        [[labels] * len(facts), [values] * len(facts)],
        texts,
        rules=[Rule(0, 0.6, RULE), Rule(2, 0.6, RULE)],
    )


def one_line(text: str, style: ParagraphStyle, texts: TextOperators) -> Flowable:
    """``text`` as a paragraph in ``style``: drawn straight on the canvas when a
    paragraph would print it as it is on one line (single plain spaces, no French
    no-break spaces to add, narrower than the page), else a paragraph."""
    plain = " ".join(text.split()) == text and french_spacing(text) == text
    if plain and stringWidth(text, style.fontName, style.fontSize) <= CONTENT_WIDTH:
        return TextLine(text, style, texts)
    return para(text, style)


def _period(start: date | None, end: date | None) -> str:
    """« du 01/03/2026 au 31/03/2026 », or the one day."""
    if start is None or end is None:
        day = start or end
        return "" if day is None else french_date(day)
    if start == end:
        return french_date(start)
    return f"du {french_date(start)} au {french_date(end)}"


# --- lines ------------------------------------------------------------------------------

LINE_HEADER = ("Désignation", "Période", "Qté", "PU HT", "TVA", "Montant HT")
LINE_WIDTHS = (0.40, 0.19, 0.07, 0.12, 0.08, 0.14)
"""Shares of the page's width."""


def lines_table(lines: Sequence[InvoiceLineData], texts: TextOperators | None = None) -> DataTable:
    """The lines, flowing over pages with the header row on each."""
    widths = [share * CONTENT_WIDTH for share in LINE_WIDTHS]
    rows = [
        as_row(
            (
                wrap(line.description, widths[0] - 2 * PAD),
                _short_period(line.period_start, line.period_end),
                french_decimal(line.quantity),
                unit_price(line.unit_price),
                rate_percent(line.vat_rate),
                french_money(line.amount),
            )
        )
        for line in lines
    ]
    return DataTable(as_row(LINE_HEADER), rows, widths, first_number_column=2, texts=texts)


@lru_cache(maxsize=1024)
def _short_period(start: date | None, end: date | None) -> str:
    """« 01/03 – 31/03/2026 » (the year once when both dates share it)."""
    if start is None or end is None or start == end or start.year != end.year:
        return _period(start, end).removeprefix("du ").replace(" au ", " – ")
    return f"{start:%d/%m} – {french_date(end)}"


@lru_cache(maxsize=1024)
def unit_price(value: Decimal) -> str:
    """A unit price with 2 to 4 decimals: « 4,50 € », « 0,0125 € »."""
    places = min(4, max(2, -int(value.normalize().as_tuple().exponent)))
    return fixed(value, places) + f"{NBSP}€"


@lru_cache(maxsize=64)
def rate_percent(value: Decimal) -> str:
    """« 20 % », « 5,5 % »."""
    return f"{french_decimal(value)}{NBSP}%"


def fixed(value: Decimal, places: int) -> str:
    """``value`` with exactly ``places`` decimals, French style: « 1 234,50 »."""
    text = f"{abs(value):.{places}f}"
    units, _, decimals = text.partition(".")
    sign = "-" if value < 0 and any(c not in "0." for c in text) else ""
    return f"{sign}{french_int(int(units))},{decimals}"


# --- amounts, payment and mentions ------------------------------------------------------

VAT_HEADER = ("Taux de TVA", "Base HT", "Montant TVA")
VAT_WIDTH = 88 * mm
TOTALS_WIDTH = 72 * mm


def _amounts(doc: InvoiceDocument, texts: TextOperators) -> Flowable:
    """The VAT per rate on the left, the totals on the right."""
    totals = doc.totals
    vat_rows = [
        as_row((rate_percent(t.rate), french_money(t.base), french_money(t.vat)))
        for t in totals.by_rate
    ]
    widths = [VAT_WIDTH * w for w in (0.3, 0.35, 0.35)]
    vat = DataTable(as_row(VAT_HEADER), vat_rows, widths, first_number_column=1, texts=texts)
    summary = [
        ("Total HT", french_money(totals.excl_vat)),
        ("Total TVA", french_money(totals.vat)),
        ("Total TTC", french_money(totals.incl_vat)),
    ]
    return SideBySide(vat, Totals(summary, TOTALS_WIDTH, texts), CONTENT_WIDTH)


def _payment(doc: InvoiceDocument, texts: TextOperators) -> list[Flowable]:
    s = styles()
    terms = doc.terms
    rows = [("Échéance", french_date(terms.due_on) if terms.due_on else "à réception")]
    if terms.payment_method is not None:
        rows.append(("Mode de paiement", terms.payment_method.label))
    rows += debit_notice(doc)
    if _shows_bank_details(terms, doc.seller):
        rows += [("IBAN", grouped_iban(doc.seller.iban or "")), ("BIC", doc.seller.bic or "—")]
    looks = [Look(SANS_BOLD, colour=MUTED, top=1, bottom=1.5), Look(top=1, bottom=1.5)]
    widths = [38 * mm, CONTENT_WIDTH - 38 * mm]
    table = TextGrid(rows, widths, [looks] * len(rows), texts)
    return [one_line("Règlement", s.heading, texts), table]


def debit_notice(doc: InvoiceDocument) -> list[tuple[str, str]]:
    """An invoice collected by direct debit is its pre-notification (invoicing-fr.md): the
    amount, the day, the account (masked), the mandate and the creditor identifier."""
    terms = doc.terms
    if terms.payment_method is not PaymentMethod.SEPA_DEBIT or doc.is_credit_note:
        return []
    when = f"le {french_date(terms.due_on)}" if terms.due_on else "à réception"
    account = terms.debited_account
    where = f" sur le compte {account[:2]}…{account[-4:]}" if account else ""
    rows = [("Prélèvement", f"{french_money(doc.totals.incl_vat)} {when}{where}")]
    if terms.mandate_rum:
        rows.append(("Mandat (RUM)", terms.mandate_rum))
    if terms.creditor_id:
        rows.append(("Créancier (ICS)", terms.creditor_id))
    rows.append(("Pré-notification", "Cette facture tient lieu de pré-notification."))
    return rows


def grouped_iban(iban: str) -> str:
    """« FR76 3000 6000 0112 3456 7890 189 », as banks print it."""
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _shows_bank_details(terms: InvoiceTerms, seller: InvoiceSeller) -> bool:
    transfer = terms.payment_method in (None, PaymentMethod.TRANSFER)
    return transfer and bool(seller.iban)


def legal_mentions(doc: InvoiceDocument) -> list[str]:
    """The mentions of invoicing-fr.md, one sentence each; the last three are the
    discount terms, the penalties and the recovery indemnity (in that order)."""
    terms = doc.terms
    mentions = [f"Catégorie de l'opération : {CATEGORY}."]
    if terms.vat_on_debits:
        mentions.append(f"{VAT_ON_DEBITS}.")
    mentions += [
        terms.early_payment_discount.strip() or "Pas d'escompte pour paiement anticipé.",
        "En cas de retard de paiement, taux des pénalités de retard : "
        f"{fixed(terms.penalty_rate, 2)}{NBSP}% par an, exigibles dès le lendemain de "
        "l'échéance.",
        "Indemnité forfaitaire pour frais de recouvrement : "
        f"{french_money(terms.recovery_indemnity)} (art. D441-5 du Code de commerce).",
    ]
    return mentions


def _mentions(doc: InvoiceDocument, texts: TextOperators) -> list[Flowable]:
    s = styles()
    text = "\n".join(wrap(line, CONTENT_WIDTH, size=8) for line in legal_mentions(doc))
    table = TextGrid([[text]], [CONTENT_WIDTH], [[Look(size=8, leading=11, colour=MUTED)]], texts)
    return [one_line("Mentions légales", s.heading, texts), table]


# --- every page -------------------------------------------------------------------------


def _logo(seller: InvoiceSeller) -> ImageReader | None:
    """The logo; None when absent or unreadable."""
    return _decoded_logo(seller.logo) if seller.logo else None


@lru_cache(maxsize=4)
def _decoded_logo(data: bytes) -> ImageReader | None:
    """The logo decoded once per process (a batch prints the same one on every
    invoice): its pixels read, as ReportLab keeps them for every page after."""
    try:
        image = ImageReader(BytesIO(data))
        image.getRGBData()
    except Exception:  # noqa: BLE001 - a broken logo must not stop an invoice
        return None
    return image


def _decorate(
    doc: InvoiceDocument,
    logo: ImageReader | None,
    footer: list[str],
    texts: TextOperators,
    canvas: Canvas,
    page: int,
    total: int,
) -> None:
    canvas.saveState()
    _draw_header(canvas, doc, logo, texts)
    _draw_footer(canvas, doc, footer, texts, page, total)
    if doc.is_draft:
        _draw_watermark(canvas)
    canvas.restoreState()


Shown = tuple[float, float, str, str, float]
"""A string placed on the page: x, baseline, text, font, size."""


def _show(canvas: Canvas, texts: TextOperators, colour: Color, shown: Sequence[Shown]) -> None:
    """Strings in one colour, as ``drawString`` places them, in one text object."""
    pen = texts.pen(canvas)
    canvas.addLiteral("BT")
    canvas.setFillColor(colour)
    for x, y, text, font, size in shown:
        pen.show(x, y, text, font, size)
    canvas.addLiteral(pen.flush())
    canvas.addLiteral("ET")


def _right(x: float, y: float, text: str, font: str, size: float) -> Shown:
    """A string ending at ``x``, as ``drawRightString`` places it."""
    return x - text_width(text, font, size), y, text, font, size


def _draw_header(
    canvas: Canvas, doc: InvoiceDocument, logo: ImageReader | None, texts: TextOperators
) -> None:
    top = PAGE_HEIGHT - 12 * mm
    right = PAGE_WIDTH - MARGIN
    if logo is not None:
        width, height = logo.getSize()
        scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
        w, h = width * scale, height * scale
        canvas.drawImage(logo, MARGIN, top - h, w, h, mask="auto")
        title: list[Shown] = []
    else:
        title = [(MARGIN, top - 8 * mm, doc.seller.name, SANS_BOLD, 15)]
    title.append(_right(right, top - 4 * mm, doc.title, SANS_BOLD, 10))
    _show(canvas, texts, ACCENT, title)
    dated = _right(right, top - 8 * mm, f"du {french_date(doc.issued_on)}", SANS, 7.6)
    _show(canvas, texts, MUTED, [dated, _right(right, top - 11.5 * mm, doc.buyer.name, SANS, 7.6)])
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - 17 * mm, right, top - 17 * mm)


def footer_identity(seller: InvoiceSeller) -> str:
    """« Nuage Armor, SAS au capital de 10 000,00 € — 14 rue… 56000 Vannes — SIREN … »."""
    return (
        f"{seller.name}, {seller.legal_form} au capital de {french_money(seller.share_capital)}"
        f" — {', '.join(seller.address.lines)} — SIREN {group_digits(seller.siren)}"
        f" — RCS {seller.rcs_city} — TVA {seller.vat_number}"
    )


def _footer_lines(doc: InvoiceDocument) -> list[str]:
    """The footer's small print, broken into lines once for every page."""
    lines = simpleSplit(footer_identity(doc.seller), SANS, 6.6, CONTENT_WIDTH)
    lines += simpleSplit(doc.footer or "", SANS, 6.6, CONTENT_WIDTH)
    return list(lines[:5])


def _draw_footer(
    canvas: Canvas,
    doc: InvoiceDocument,
    footer: list[str],
    texts: TextOperators,
    page: int,
    total: int,
) -> None:
    right = PAGE_WIDTH - MARGIN
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, FOOTER_RULE, right, FOOTER_RULE)
    baseline = FOOTER_RULE - 4.5 * mm
    shown = [
        _right(right, baseline, f"Page {page} / {total}", SANS, 8),
        (MARGIN, baseline, f"{doc.title} — {doc.buyer.name}", SANS_BOLD, 7.3),
    ]
    shown += [
        (MARGIN, baseline - index * FOOTER_LINE, line, SANS, 6.6)
        for index, line in enumerate(footer, start=1)
    ]
    _show(canvas, texts, MUTED, shown)


def _draw_watermark(canvas: Canvas) -> None:
    canvas.setFillColor(WATERMARK)
    canvas.setFont(SANS_BOLD, 34)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(38)
    canvas.drawCentredString(0, 0, DRAFT_MARK)
