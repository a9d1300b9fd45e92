"""The invoice's tables drawn on the canvas: row heights, page breaks, wrapping, text."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from desktop.documents.fonts import SANS, SANS_BOLD, register_fonts, seed_subsets
from desktop.documents.invoice_canvas import (
    CELL_LEADING,
    PAD,
    Box,
    DataTable,
    Look,
    Rule,
    TextGrid,
    TextLine,
    TextOperators,
    as_row,
    row_height,
)
from desktop.documents.invoice_pdf import LINE_HEADER, build_invoice, lines_table
from desktop.documents.styles import MUTED, RULE, SHADE, TEXT, styles
from desktop.documents.tables import grid
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


def test_seeded_strings_share_their_codes_across_documents() -> None:
    register_fonts()
    texts = TextOperators()
    documents = []
    for _ in range(2):
        canvas = Canvas(BytesIO())
        seed_subsets(canvas._doc)
        texts.pen(canvas)
        documents.append((texts.pieces("Total TTC 1 317,79 €", SANS), texts.pieces("Straße", SANS)))
    (seeded, foreign), (seeded_again, foreign_again) = documents
    assert seeded == seeded_again  # the same subset names and codes in both
    keys = {(text, font) for text, font, _ in TextOperators._shared}
    assert ("Total TTC 1 317,79 €", SANS) in keys
    assert ("Straße", SANS) not in keys  # « ß » gets its code in each document
    assert foreign == foreign_again
    texts.pen(Canvas(BytesIO()))  # not seeded: « € » gets the next code, its own
    texts.pieces("Total HT 9,99 €", SANS)
    assert ("Total HT 9,99 €", SANS) not in {(t, f) for t, f, _ in TextOperators._shared}


# --- blocks drawn as the ReportLab tables and paragraphs they replace --------------------

WIDTHS = [200.0, 20.0, 200.0]
ROWS = [
    ["ÉMETTEUR", "", "CLIENT"],
    ["Nuage Armor", "", "Librairie Martin"],
    ["SAS au capital de 10 000,00 €\n14 rue du Commerce", "", "3 place des Lices"],
    ["SIREN 552 081 317", "", ""],
]


def party_grid(texts: TextOperators) -> TextGrid:
    def look(row: int, left: float) -> Look:
        bottom = 6 if row == 3 else 3 if row == 1 else 1
        if row == 0:
            return Look(SANS_BOLD, 7.5, 10, MUTED, left=left, top=5, bottom=bottom)
        if row == 1:
            return Look(SANS_BOLD, 10, 13, left=left, top=0, bottom=bottom)
        return Look(left=left, top=0, bottom=bottom)

    looks = [[look(row, left) for left in (0, 6, 7)] for row in range(4)]
    return TextGrid(
        ROWS,
        WIDTHS,
        looks,
        texts,
        shaded=(2, SHADE),
        rules=[Rule(0, 0.6, RULE), Rule(4, 0.8, MUTED)],
        boxes=[Box(2, 2, 0.6, RULE)],
    )


def party_table() -> Flowable:
    return grid(
        ROWS,
        WIDTHS,
        [
            ("FONT", (0, 0), (-1, -1), SANS, 8.3, CELL_LEADING),
            ("TEXTCOLOR", (0, 0), (-1, -1), TEXT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONT", (0, 0), (-1, 0), SANS_BOLD, 7.5, 10),
            ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
            ("FONT", (0, 1), (-1, 1), SANS_BOLD, 10, 13),
            ("BACKGROUND", (2, 0), (2, -1), SHADE),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, MUTED),
            ("BOX", (2, 0), (2, -1), 0.6, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), 5),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 3),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("LEFTPADDING", (2, 0), (2, -1), 7),
        ],
    )


def test_a_text_grid_has_the_rows_of_the_table_it_replaces() -> None:
    register_fonts()
    table = party_table()
    table.wrap(500, 800)
    drawn = party_grid(TextOperators())
    assert drawn.wrap(500, 800) == (sum(WIDTHS), table._height)
    assert drawn.tops == table._rowpositions  # summed alike: the rules on the same points


def page(flowables: list[Flowable], tmp_path: Path, name: str) -> Image.Image:
    """One page with the flowables stacked from its top, at 100 dpi."""
    buffer = BytesIO()
    canvas = Canvas(buffer)
    seed_subsets(canvas._doc)
    top = 800.0
    for flowable in flowables:
        _, height = flowable.wrap(450, 800)
        flowable.drawOn(canvas, 50, top - height)
        top -= height + 10
    canvas.showPage()
    canvas.save()
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(buffer.getvalue())
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(source), str(tmp_path / name)], check=True)
    return Image.open(next(tmp_path.glob(f"{name}*.png"))).convert("RGB")


def test_grids_and_lines_look_like_reportlab_tables_and_paragraphs(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent")
    register_fonts()
    s = styles()
    texts = TextOperators()
    ours = [party_grid(texts), TextLine("Facture F2026-000012", s.title, texts)]
    ours.append(TextLine("Mentions légales", s.heading, texts))
    theirs = [party_table(), Paragraph("Facture F2026-000012", s.title)]
    theirs.append(Paragraph("Mentions légales", s.heading))
    drawn, expected = page(ours, tmp_path, "ours"), page(theirs, tmp_path, "theirs")
    assert ImageChops.difference(drawn, expected).getbbox() is None
    assert ours[2].getSpaceBefore() == 11 and ours[2].getKeepWithNext()
