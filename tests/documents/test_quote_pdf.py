"""The quote PDF: lines, totals, terms and the acceptance block, on pages that look right."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.db.engine import Database
from desktop.documents.quote_pdf import build_quote
from desktop.services.quotes import quote_print
from tests.services.quote_helpers import sent_quote


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_lines_totals_and_acceptance_block(sqlite_db: Database) -> None:
    sent_quote(sqlite_db)
    pdf = build_quote(quote_print(sqlite_db, "D2026-00001"))
    text = _text(pdf.data)
    flat = " ".join(text.split())
    for expected in (
        "Devis n° D2026-00001",
        "Librairie Martin",
        "Nuage Armor",
        "Exchange 50 Go",
        "Frais de mise en service",
        "Archivage",
        "Formation administrateur",
        "108,00",
        "Total HT",
        "528,00",
        "TVA 20 % sur 528,00",
        "105,60",
        "Total TTC",
        "633,60",
        "Bon pour accord",
        "Date :",
        "Nom :",
        "Qualité :",
        "Signature et cachet du client",
        "Engagement initial",
        "Renouvellement",
        "Virement",
        "Valable jusqu'au 1er avril 2026",
    ):
        assert expected in flat, expected
    assert pdf.pages == 1
    _dump(pdf.data, "short")


def test_a_long_quote_repeats_the_header_and_renders(sqlite_db: Database, tmp_path: Path) -> None:
    sent_quote(sqlite_db, extra_lines=45)
    pdf = build_quote(quote_print(sqlite_db, "D2026-00001"))
    assert pdf.pages >= 2
    reader = PdfReader(BytesIO(pdf.data))
    with_lines = [p.extract_text() for p in reader.pages if "Migration de la" in p.extract_text()]
    assert len(with_lines) >= 2
    assert all("Désignation" in text for text in with_lines)
    assert "Bon pour accord" in reader.pages[-1].extract_text()
    _dump(pdf.data, "long")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent")
    source = tmp_path / "devis.pdf"
    source.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p*.png"))) == pdf.pages


def _dump(data: bytes, name: str) -> None:
    """QUOTE_PDF_DIR set: keep the PDF there to look at its pages."""
    import os

    folder = os.environ.get("QUOTE_PDF_DIR")
    if folder:
        (Path(folder) / f"{name}.pdf").write_bytes(data)


def test_every_font_is_embedded(sqlite_db: Database) -> None:
    from tests.documents.pdf_helpers import fonts

    quote = sent_quote(sqlite_db)
    assert quote.number is not None
    used = fonts(build_quote(quote_print(sqlite_db, quote.number)).data)
    assert used and all(used.values()), used  # no Helvetica left by a bare table
