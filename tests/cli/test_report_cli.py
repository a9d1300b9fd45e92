"""`backoffice report …` from the command line: the four workbooks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Client, Invoice
from tests.services.factories import mailbox, world
from tests.services.invoice_helpers import billing_setup, issued_invoice

JAN = date(2025, 1, 2)


def _run(capsys: pytest.CaptureFixture[str], db: Database, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db.url.database), "report", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _sheet(path: Path) -> Any:
    return load_workbook(path).active


def _code(db: Database, client_id: int) -> str:
    with db.read_session() as session:
        return session.get_one(Client, client_id).code


def test_receivables(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    client_id = billing_setup(sqlite_db)
    invoice_id, _ = issued_invoice(sqlite_db, client_id, on=JAN)
    with sqlite_db.read_session() as session:
        due = session.get_one(Invoice, invoice_id).due_on
    assert due is not None
    target = tmp_path / "balance.xlsx"
    at = (due + timedelta(days=31)).isoformat()

    status, out, err = _run(capsys, sqlite_db, "receivables", "--at", at, "-o", str(target))

    assert (status, err) == (0, "")
    assert out == f"Rapport enregistré : {target} (1 lignes).\n"
    sheet = _sheet(target)
    assert sheet["A5"].value == _code(sqlite_db, client_id)
    assert sheet["F5"].value == pytest.approx(110.41)  # « 31–60 j »
    assert sheet["A6"].value == "Total"


def test_sales_journal_and_recurring_revenue(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    client_id = billing_setup(sqlite_db)
    issued_invoice(sqlite_db, client_id, on=date(2025, 3, 3))
    journal = tmp_path / "journal.xlsx"

    status, out, err = _run(
        capsys, sqlite_db, "sales-journal", "--month", "2025-03", "-o", str(journal)
    )

    assert (status, err) == (0, "")
    assert out == f"Rapport enregistré : {journal} (1 lignes).\n"
    sheet = _sheet(journal)
    assert sheet["A1"].value == "Journal des ventes — mars 2025"
    assert [sheet.cell(4, c).value for c in (6, 7)] == ["Base HT 20 %", "Base HT 5,5 %"]
    assert sheet["J5"].value == pytest.approx(110.41)

    revenue = tmp_path / "recurrent.xlsx"
    status, out, err = _run(
        capsys, sqlite_db, "recurring-revenue", "--month", "2025-03", "-o", str(revenue)
    )
    assert (status, err) == (0, "")
    assert out == f"Rapport enregistré : {revenue} (0 lignes).\n"
    assert _sheet(revenue)["A5"].value == "Total"


def test_inventory(capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path) -> None:
    w = world(sqlite_db)
    mailbox(sqlite_db, w, "anne", display_name="Anne Martin")
    mailbox(sqlite_db, w, "bruno")
    code = _code(sqlite_db, w.client_id)
    target = tmp_path / "inventaire.xlsx"

    status, out, err = _run(capsys, sqlite_db, "inventory", code.lower(), "-o", str(target))

    assert (status, err) == (0, "")
    assert out == f"Rapport enregistré : {target} (2 lignes).\n"
    sheet = _sheet(target)
    assert [sheet["A5"].value, sheet["B5"].value] == ["anne@acme.fr", "Anne Martin"]
    assert sheet["A7"].value == "Total"


def test_an_unknown_client_is_one_french_line(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "x.xlsx"
    status, out, err = _run(capsys, sqlite_db, "inventory", "NOPE-1", "-o", str(target))
    assert (status, out) == (1, "")
    assert err == "backoffice : Client inconnu : NOPE-1.\n"
    assert not target.exists()


def test_a_missing_folder_is_one_french_line(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "absent" / "x.xlsx"
    status, out, err = _run(capsys, sqlite_db, "receivables", "-o", str(target))
    assert (status, out) == (1, "")
    assert err == f"backoffice : Dossier introuvable : {target.parent}\n"


@pytest.mark.parametrize("command", ["sales-journal", "recurring-revenue"])
def test_a_bad_month_is_one_french_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", command, "--month", "2025-13", "-o", str(tmp_path / "x.xlsx")])
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (1, "")
    assert err.startswith("backoffice : argument --month : « 2025-13 »")


def test_the_output_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "receivables"])
    assert exited.value.code == 1
    assert "arguments obligatoires manquants : -o/--output" in capsys.readouterr().err


def test_demo_reports(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    with demo_db.read_session() as session:
        month = session.execute(sa.select(sa.func.max(Invoice.billing_month))).scalar_one()
    assert month is not None
    for command, extra in (
        ("receivables", ["--at", "2026-11-22"]),
        ("sales-journal", ["--month", f"{month:%Y-%m}"]),
        ("recurring-revenue", ["--month", f"{month:%Y-%m}"]),
    ):
        target = tmp_path / f"{command}.xlsx"
        status, out, err = _run(capsys, demo_db, command, *extra, "-o", str(target))
        assert (status, err) == (0, ""), command
        assert out.startswith("Rapport enregistré : ")
        last = _sheet(target)
        total_row = [cell.value for cell in last[last.max_row]]
        assert "Total" in total_row, command
        assert any(isinstance(v, float | int) and Decimal(str(v)) > 0 for v in total_row), command
