"""The invoice's tables drawn on the canvas: row heights, page breaks, wrapping, text."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from desktop.documents.fonts import SANS, register_fonts
from desktop.documents.invoice_canvas import (
    CELL_LEADING,
    PAD,
    DataTable,
    TextOperators,
    as_row,
    row_height,
)
from desktop.documents.invoice_pdf import LINE_HEADER, build_invoice, lines_table
from tests.documents import invoice_samples as sample
from tests.documents.pdf_helpers import flat, pages_text

HEADER = "Désignation Période Qté PU HT TVA Montant HT"
USER = re.compile(r"utilisateur(\d{3})@")


def table(*line_counts: int) -> DataTable:
    """A lines table whose rows have these numbers of lines in their first cell."""
    rows = [as_row(("\n".join(["mot"] * count), "1", "4,50 €")) for count in line_counts]
    return DataTable(as_row(("A", "B", "C")), rows, [100, 50, 50], first_number_column=1)


def body_sizes(pieces: list[DataTable]) -> list[int]:
    return [len(piece.body) for piece in pieces]


def test_a_row_is_as_tall_as_its_most_wrapped_cell() -> None:
    assert row_height(as_row(("un", "deux\ntrois\nquatre", ""))) == pytest.approx(37.0)
    assert table(1, 2).heights == pytest.approx((16.2, 16.2, 26.6))
    assert table(1, 2).wrap(500, 500) == pytest.approx((200, 59.0))


def test_split_keeps_whole_rows_and_repeats_the_header() -> None:
    whole = table(1, 2, 1, 3)  # 16.2 + 16.2 + 26.6 + 16.2 + 37.0 = 112.2
    first, rest = whole.split(200, 75.2)  # header and three rows exactly
    assert body_sizes([first, rest]) == [3, 1]
    assert rest.header == first.header == whole.header
    assert rest.body == whole.body[3:]
    assert rest.height == pytest.approx(16.2 + 37.0)
    assert not first.continued and rest.continued
    assert body_sizes(whole.split(200, 75.1)) == [2, 2]


def test_split_needs_one_body_row_and_keeps_a_table_that_fits() -> None:
    whole = table(2, 1)
    assert whole.split(200, 16.2 + 26.5) == []
    assert whole.split(200, 16.2) == []
    assert whole.split(200, 1000) == [whole]


def test_long_descriptions_wrap_within_their_column() -> None:
    register_fonts()
    description = "Hosted Exchange Standard — " + "compte-très-long-" * 6 + " fin du libellé"
    lines = (sample.line(1, description, "1", "4.50"),)
    drawn = lines_table(lines)
    cell = drawn.body[0][0]
    column = drawn.widths[0] - 2 * PAD
    assert len(cell) >= 3
    assert "".join(cell).replace(" ", "") == description.replace(" ", "")
    assert all(stringWidth(part, SANS, 8.3) <= column for part in cell)
    assert drawn.heights[1] == pytest.approx(len(cell) * CELL_LEADING + 5.8)
    assert drawn.header == as_row(LINE_HEADER)


def test_pages_carry_the_header_and_the_lines_in_order() -> None:
    rendered = build_invoice(sample.long_invoice(60))
    pages = [flat(page) for page in pages_text(rendered.data)]
    rows_per_page = [[int(n) for n in USER.findall(page)] for page in pages]
    assert [len(rows) for rows in rows_per_page] == [16, 24, 20, 0]
    assert [n for rows in rows_per_page for n in rows] == list(range(1, 61))
    assert [page.count(HEADER) for page in pages] == [1, 1, 1, 0]
    assert (
        "Hosted Exchange Standard — utilisateur017@librairie-martin.fr 01/03 – 31/03/2026 "
        "1 4,50 € 20 % 4,50 €"
    ) in pages[1]
    assert "Taux de TVA Base HT Montant TVA 20 % 270,00 € 54,00 €" in pages[3]
    assert "Total HT 270,00 € Total TVA 54,00 € Total TTC 324,00 €" in pages[3]


def test_a_string_is_encoded_once_per_document() -> None:
    register_fonts()
    texts = TextOperators()
    first = Canvas(BytesIO())
    texts.pen(first)
    pieces = texts.pieces("4,50 €", SANS)
    assert texts.pieces("4,50 €", SANS) is pieces
    subset, shown = pieces[0]
    assert subset.startswith("/F") and shown.endswith(") Tj")
    texts.pen(Canvas(BytesIO()))  # another document: its own subsets
    assert texts.pieces("4,50 €", SANS) is not pieces
