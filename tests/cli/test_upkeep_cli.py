"""`backoffice upkeep [--at DATE]`: the quotes and mandates due, once; what the role
may not do is said, and left as it was."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Quote, SepaMandate
from desktop.domain.enums import MandateStatus, QuoteStatus, StaffRole
from desktop.services.staff import add_staff
from tests.cli.cli_helpers import run

AT = "2030-01-01"


def due(db: Database) -> tuple[list[str], int]:
    """Sent quotes past their validity on AT, and active mandates."""
    with db.read_session() as session:
        quotes = session.scalars(
            sa.select(Quote.number)
            .where(Quote.status == QuoteStatus.SENT, Quote.valid_until < date(2030, 1, 1))
            .order_by(Quote.number)
        ).all()
        mandates = session.scalar(
            sa.select(sa.func.count(SepaMandate.id)).where(
                SepaMandate.status == MandateStatus.ACTIVE
            )
        )
    return [str(number) for number in quotes], int(mandates or 0)


def test_the_day_upkeep_then_nothing_left(
    capsys: pytest.CaptureFixture[str], demo_db: Database
) -> None:
    path = str(demo_db.url.database)
    quotes, mandates = due(demo_db)
    assert quotes and mandates  # the demo has sent quotes and mandates in use
    status, out, err = run(capsys, "--db", path, "upkeep", "--at", AT)
    assert (status, err) == (0, "")
    assert out == (
        f"Mise à jour du 01/01/2030 : {len(quotes)} devis passés à « Expiré » "
        f"({', '.join(quotes)}) ; {mandates} mandats SEPA devenus caducs "
        f"(36 mois sans prélèvement) — {demo_db.description}.\n"
    )
    assert due(demo_db) == ([], 0)
    status, again, _ = run(capsys, "upkeep", "--at", AT, "--db", path)
    assert (status, again) == (
        0,
        f"Mise à jour du 01/01/2030 : rien n'était échu — {demo_db.description}.\n",
    )


def test_what_the_role_may_not_do_is_said(
    capsys: pytest.CaptureFixture[str], demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(demo_db, "admin", "Admin", StaffRole.ADMIN, "secret-admin-42", actor="admin")
    add_staff(demo_db, "carole", "Carole", StaffRole.SUPPORT, "secret-carole-42", actor="admin")
    monkeypatch.setenv("BACKOFFICE_PASSWORD", "secret-carole-42")
    before = due(demo_db)
    path = str(demo_db.url.database)
    status, out, err = run(capsys, "--db", path, "--user", "carole", "upkeep", "--at", AT)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"Mise à jour du 01/01/2030 : rien n'a été modifié — {demo_db.description}.",
        "Non fait — Devis : Votre rôle « Support » ne permet pas de gérer les contrats et "
        "les devis. Rien n'a été enregistré.",
        "Non fait — Mandats SEPA : Votre rôle « Support » ne permet pas de gérer les mandats "
        "et les prélèvements SEPA. Rien n'a été enregistré.",
    ]
    assert due(demo_db) == before


def test_a_bad_date_is_one_french_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["upkeep", "--at", "2030-02-30"])
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (1, "")
    assert err.strip().endswith(
        "« 2030-02-30 » n'est pas une date AAAA-MM-JJ (par exemple 2026-11-22)"
    )
