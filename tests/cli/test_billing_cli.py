"""`backoffice billing run --month` and `backoffice invoice pdf NUMBER -o FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.documents.facturx import check_xsd, embedded_xml
from desktop.domain.enums import InvoiceKind
from tests.cli.cli_helpers import run
from tests.documents.pdf_helpers import flat, pages_text


def _count(db: Database) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count(Invoice.id))).scalar_one()


def test_preview_run_and_run_again(capsys: pytest.CaptureFixture[str], demo_db: Database) -> None:
    path = str(demo_db.url.database)
    before = _count(demo_db)
    status, out, err = run(
        capsys, "--db", path, "billing", "run", "--month", "2026-12", "--dry-run"
    )
    assert (status, err) == (0, "")
    assert out.startswith("Aperçu de décembre 2026 (rien n'est enregistré) : ")
    assert _count(demo_db) == before
    status, out, err = run(capsys, "--db", path, "billing", "run", "--month", "2026-12")
    assert (status, err) == (0, "")
    made = _count(demo_db) - before
    assert made > 0
    assert out.startswith(f"Facturation de décembre 2026 : {made} facture(s) émise(s) (F2026-")
    assert out.rstrip().endswith("; 0 client(s) déjà facturé(s).")
    status, out, err = run(capsys, "--db", path, "billing", "run", "--month", "2026-12")
    assert status == 0
    assert "aucune nouvelle facture" in out and f"{made} client(s) déjà facturé(s)" in out
    assert _count(demo_db) == before + made


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "« 2026-13 » n'est pas un mois AAAA-MM"),
        ("mars", "« mars » n'est pas un mois AAAA-MM"),
        ("2099-01", "On ne facture pas un mois au-delà du mois prochain."),
    ],
)
def test_bad_months(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, month: str, message: str
) -> None:
    status, out, err = run(
        capsys, "--db", str(sqlite_db.url.database), "billing", "run", "--month", month
    )
    assert (status, out) == (1, "")
    assert message in err
    assert _count(sqlite_db) == 0


def _latest(db: Database, kind: InvoiceKind) -> str:
    with db.read_session() as session:
        return session.execute(
            sa.select(Invoice.number)
            .where(Invoice.kind == kind, Invoice.number.is_not(None))
            .order_by(Invoice.chain_index.desc())
            .limit(1)
        ).scalar_one()


def test_invoice_pdf_is_factur_x(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    number = _latest(demo_db, InvoiceKind.INVOICE)
    target = tmp_path / "facture.pdf"
    status, out, err = run(
        capsys, "--db", str(demo_db.url.database), "invoice", "pdf", number, "-o", str(target)
    )
    assert (status, err) == (0, "")
    assert out.startswith(f"PDF de {number} enregistré : {target} (Factur-X EN 16931, ")
    data = target.read_bytes()
    assert f"Facture {number}" in flat(pages_text(data)[0])
    xml = embedded_xml(data)
    check_xsd(xml)
    assert number.encode() in xml


def test_credit_note_pdf_plain(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    number = _latest(demo_db, InvoiceKind.CREDIT_NOTE)
    target = tmp_path / "avoir.pdf"
    status, out, _ = run(
        capsys, "--db", str(demo_db.url.database), "invoice", "pdf", number, "-o", str(target),
        "--plain",
    )  # fmt: skip
    assert status == 0 and "(PDF, " in out
    text = flat(" ".join(pages_text(target.read_bytes())))
    assert f"Avoir {number}" in text and "Avoir sur la facture F" in text


def test_unknown_number_writes_nothing(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "x.pdf"
    status, out, err = run(
        capsys, "--db", str(sqlite_db.url.database), "invoice", "pdf", "F2099-1", "-o", str(target)
    )
    assert (status, out) == (1, "")
    assert "F2099-1" in err and "introuvable" in err
    assert not target.exists()
