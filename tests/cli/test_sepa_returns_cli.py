"""`backoffice sepa collected` and `backoffice sepa returns` (camt.054) from the command line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Payment, SepaDebit
from desktop.domain.enums import DebitStatus
from desktop.services.sepa_export import export_pain008
from tests.services.camt054_samples import returns_notification
from tests.services.factories import ACTOR
from tests.services.test_sepa_export import JAN_5, JAN_20, office
from tests.services.test_sepa_returns import JAN_23


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.replace("\u00a0", " ").replace("\u202f", " "), err


def debit_statuses(db: Database) -> list[DebitStatus]:
    with db.read_session() as session:
        return list(session.scalars(sa.select(SepaDebit.status).order_by(SepaDebit.id)))


def test_collected_then_a_return_read_from_the_bank_file(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    world = office(sqlite_db)
    batch = export_pain008(sqlite_db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    db = str(sqlite_db.url.database)

    status, out, err = run(
        capsys, "--db", db, "sepa", "collected", batch.message_id, "--on", "2026-01-20"
    )
    assert (status, err) == (0, "")
    assert out == (
        f"Remise {batch.message_id} encaissée le 20/01/2026 : 2 prélèvement(s), "
        "150,00 € enregistrés comme paiements.\n"
    )
    assert debit_statuses(sqlite_db) == [DebitStatus.COLLECTED, DebitStatus.COLLECTED]

    with sqlite_db.read_session() as session:
        e2e = session.execute(
            sa.select(SepaDebit.end_to_end_id).order_by(SepaDebit.id).limit(1)
        ).scalar_one()
    notice = tmp_path / "camt054.xml"
    notice.write_bytes(returns_notification([(e2e, Decimal("120.00"), "MD06", JAN_23)]))

    status, out, err = run(capsys, "--db", db, "sepa", "returns", str(notice), "--dry-run")
    assert (status, err) == (0, "")
    assert (
        out.splitlines()[-1]
        == "1 rejet(s) à enregistrer (aperçu : rien n'est enregistré), 0 ignoré(s)."
    )
    assert debit_statuses(sqlite_db)[0] is DebitStatus.COLLECTED

    status, out, err = run(capsys, "--db", db, "sepa", "returns", str(notice))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"Rejet enregistré : {e2e} (120,00 €, facture {world.subscription[1]}) — "
        "MD06 – Remboursement demandé par le débiteur ; "
        "facture émise, reste dû 120,00 €.",
        "1 rejet(s) enregistré(s), 0 ignoré(s).",
    ]
    assert debit_statuses(sqlite_db) == [DebitStatus.REJECTED, DebitStatus.COLLECTED]
    with sqlite_db.read_session() as session:
        rejected = session.scalars(
            sa.select(Payment.rejection_reason).where(Payment.rejected_at.is_not(None))
        ).all()
    assert len(rejected) == 1


def test_bad_files_and_unknown_batches_are_explained(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    db = str(sqlite_db.url.database)
    status, out, err = run(capsys, "--db", db, "sepa", "returns", str(tmp_path / "absent.xml"))
    assert (status, out) == (1, "")
    assert "Fichier introuvable" in err
    garbage = tmp_path / "releve.xml"
    garbage.write_bytes(b"%PDF-1.7 not xml")
    status, out, err = run(capsys, "--db", db, "sepa", "returns", str(garbage))
    assert (status, out) == (1, "")
    assert "camt.054" in err and err.count("\n") == 1
    status, out, err = run(capsys, "--db", db, "sepa", "collected", "X", "--on", "2026-01-20")
    assert (status, out) == (1, "")
    assert "Aucune remise de prélèvements n'a l'identifiant « X »." in err
