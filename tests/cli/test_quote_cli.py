"""`backoffice quote pdf NUMBER -o FILE`: one French line, a whole file or none."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main
from desktop.db.engine import Database
from tests.services.quote_helpers import sent_quote


def _path(db: Database) -> str:
    assert db.url.database is not None
    return db.url.database


def test_writes_the_quote_pdf_and_says_where(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    sent_quote(sqlite_db)
    target = tmp_path / "devis.pdf"
    status = main(["--db", _path(sqlite_db), "quote", "pdf", "D2026-00001", "-o", str(target)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == f"Devis D2026-00001 enregistré : {target} (1 page).\n"
    reader = PdfReader(BytesIO(target.read_bytes()))
    assert "Bon pour accord" in reader.pages[0].extract_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".devis")] == []


def test_an_unknown_number_writes_nothing(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "devis.pdf"
    status = main(["--db", _path(sqlite_db), "quote", "pdf", "D2026-09999", "-o", str(target)])
    _, err = capsys.readouterr()
    assert status != 0
    assert "Devis « D2026-09999 » introuvable." in err
    assert not target.exists()
