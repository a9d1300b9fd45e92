"""`backoffice verify`: intact (exit 0) or the first altered document named (exit 1)."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.cli import main
from desktop.db.engine import Database
from tests.services.invoice_helpers import billing_setup, issued_invoice, tamper


def test_intact_then_tampered(capsys: pytest.CaptureFixture[str], sqlite_db: Database) -> None:
    client_id = billing_setup(sqlite_db)
    numbers = [issued_invoice(sqlite_db, client_id, on=date(2026, 3, d))[1] for d in (1, 2)]
    path = str(sqlite_db.url.database)
    assert main(["--db", path, "verify"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Chaîne intacte : 2 facture(s) et avoir(s) émis vérifiés — SQLite")
    tamper(sqlite_db, f"UPDATE invoice SET buyer_name = 'Autre' WHERE number = '{numbers[1]}'")
    assert main(["--db", path, "verify"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"backoffice : chaîne rompue au document {numbers[1]} : son contenu a été modifié "
        "après émission (empreinte différente). 1 document(s) vérifiés intacts avant lui.\n"
    )


def test_an_empty_database_is_intact(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database
) -> None:
    assert main(["--db", str(sqlite_db.url.database), "verify"]) == 0
    assert "Chaîne intacte : 0 facture(s)" in capsys.readouterr().out
