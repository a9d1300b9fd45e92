"""`backoffice contract pdf NUMBER -o FILE`: one French line, a whole file or none."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Contract
from tests.cli.cli_helpers import run


def _path(db: Database) -> str:
    assert db.url.database is not None
    return db.url.database


def _a_number(db: Database) -> str:
    with db.read_session() as session:
        return (
            session.execute(sa.select(Contract.number).order_by(Contract.number)).scalars().first()
            or ""
        )


def test_writes_the_pdf_and_says_where_with_its_pages(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    number, target = _a_number(demo_db), tmp_path / "contrat.pdf"
    status, out, err = run(
        capsys, "--db", _path(demo_db), "contract", "pdf", number, "-o", str(target)
    )
    pages = len(PdfReader(BytesIO(target.read_bytes())).pages)
    assert (status, err) == (0, "")
    assert out == f"Contrat {number} enregistré : {target} ({pages} pages).\n"
    assert pages > 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".contrat")] == []


def test_db_option_after_the_command_and_file_replaced(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "contrat.pdf"
    target.write_bytes(b"old")
    status, _, _ = run(
        capsys, "contract", "pdf", _a_number(demo_db), "-o", str(target), "--db", _path(demo_db)
    )
    assert status == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_unknown_number_fails_in_french_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "contrat.pdf"
    target.write_bytes(b"kept")
    status, out, err = run(
        capsys, "--db", _path(demo_db), "contract", "pdf", "C1999-00001", "-o", str(target)
    )
    assert (status, out) == (1, "")
    assert err == "backoffice : Contrat « C1999-00001 » introuvable.\n"
    assert target.read_bytes() == b"kept"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".contrat")] == []


def test_missing_folder_fails_in_french(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "absent" / "contrat.pdf"
    status, _, err = run(
        capsys, "--db", _path(demo_db), "contract", "pdf", _a_number(demo_db), "-o", str(target)
    )
    assert status == 1
    assert err == f"backoffice : Dossier introuvable : {target.parent}\n"


def test_output_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["contract", "pdf", "C2026-00001"])
    assert caught.value.code == 1
    assert "arguments obligatoires manquants : -o/--output" in capsys.readouterr().err
