"""`backoffice renewals run [--at DATE] [--dry-run]`: what it did, once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Contract, Mailbox
from desktop.domain.enums import MailboxStatus
from tests.cli.cli_helpers import run


def _state(db: Database) -> tuple[list[object], int]:
    with db.read_session() as session:
        through = list(session.scalars(sa.select(Contract.renewed_through).order_by(Contract.id)))
        ended = session.scalar(
            sa.select(sa.func.count(Mailbox.id)).where(Mailbox.status == MailboxStatus.TERMINATED)
        )
    return through, int(ended or 0)


def test_preview_then_run_then_nothing_left(
    capsys: pytest.CaptureFixture[str], demo_db: Database
) -> None:
    path = str(demo_db.url.database)
    before = _state(demo_db)
    status, out, err = run(
        capsys, "--db", path, "renewals", "run", "--at", "2027-03-01", "--dry-run"
    )
    assert (status, err) == (0, "")
    last = out.strip().splitlines()[-1]
    assert last.startswith("Renouvellements au 01/03/2027 (aperçu : rien n'est enregistré) : ")
    assert " 0 échéance(s)" not in last
    assert _state(demo_db) == before

    status, applied, err = run(capsys, "renewals", "run", "--at", "2027-03-01", "--db", path)
    assert (status, err) == (0, "")
    assert applied.splitlines()[:-1] == out.splitlines()[:-1]  # the preview was exact
    assert " ont été renouvelées" in applied.splitlines()[-1]
    assert _state(demo_db) != before

    status, again, _ = run(capsys, "--db", path, "renewals", "run", "--at", "2027-03-01")
    assert again.strip() == (
        "Renouvellements au 01/03/2027 : 0 échéance(s) ; 0 boîte(s) ont été renouvelées, "
        "0 résiliée(s), 0 contrat(s) terminé(s)."
    )


def test_a_bad_date_is_one_french_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["renewals", "run", "--at", "2027-02-30"])
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (1, "")
    assert err == (
        "backoffice : argument --at : « 2027-02-30 » n'est pas une date AAAA-MM-JJ "
        "(par exemple 2026-11-22)\n"
    )
