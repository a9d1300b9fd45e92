"""`backoffice sepa export` and `backoffice dunning run` from the command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import DunningEvent, OutboxMessage, SepaBatch
from desktop.domain.clock import paris_today
from tests.cli.cli_helpers import run
from tests.services.test_sepa_export import assert_xsd_valid, office


def _count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_sepa_export_writes_a_valid_file(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    office(sqlite_db)
    target = tmp_path / "prelevements.xml"
    day = (paris_today() + timedelta(days=20)).isoformat()
    path = str(sqlite_db.url.database)
    status, out, err = run(
        capsys, "--db", path, "sepa", "export", "--collection-date", day, "-o", str(target)
    )
    assert (status, err) == (0, "")
    assert out.startswith("2 prélèvement(s), 150,00")
    assert "Non prélevée : F" in out
    assert_xsd_valid(target.read_bytes())
    assert _count(sqlite_db, SepaBatch) == 1


def test_sepa_export_too_early_writes_nothing(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    office(sqlite_db)
    target = tmp_path / "prelevements.xml"
    day = (paris_today() + timedelta(days=3)).isoformat()
    status, out, err = run(
        capsys, "--db", str(sqlite_db.url.database), "sepa", "export", "--collection-date", day,
        "-o", str(target),
    )  # fmt: skip
    assert (status, out) == (1, "")
    assert "14" in err and err.count("\n") == 1
    assert not target.exists() and _count(sqlite_db, SepaBatch) == 0


LATER = "2026-11-28T12:00"  # six days after the demo's day: one suspension due


def test_dunning_preview_then_run_then_nothing_twice(
    capsys: pytest.CaptureFixture[str], demo_db: Database
) -> None:
    path = str(demo_db.url.database)
    events, emails = _count(demo_db, DunningEvent), _count(demo_db, OutboxMessage)
    status, out, err = run(capsys, "--db", path, "dunning", "run", "--dry-run", "--at", LATER)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        "Relances au 28/11/2026 à 12:00 (heure de Paris)",
        "Aperçu — rien n'est enregistré",
    ]
    suspensions = [line for line in lines if line.startswith("Suspension : ")]
    deletions = [line for line in lines if line.startswith("Suppression à confirmer : ")]
    assert (len(suspensions), len(deletions)) == (1, 2)
    assert (_count(demo_db, DunningEvent), _count(demo_db, OutboxMessage)) == (events, emails)

    status, out, err = run(capsys, "--db", path, "dunning", "run", "--at", LATER)
    assert (status, err) == (0, "")
    assert out.rstrip().endswith(
        "1 étape(s) effectuée(s), 2 suppression(s) à confirmer, 0 bloquée(s), 0 échec(s)."
    )
    assert _count(demo_db, DunningEvent) == events + 1  # the suspension, its notice queued
    assert _count(demo_db, OutboxMessage) == emails + 1
    status, out, _ = run(capsys, "--db", path, "dunning", "run", "--at", LATER)
    assert status == 0 and out.rstrip().endswith(
        "0 étape(s) effectuée(s), 2 suppression(s) à confirmer, 0 bloquée(s), 0 échec(s)."
    )

    code = deletions[0].split(" : ")[1].split()[0]
    status, out, _ = run(
        capsys, "--db", path, "dunning", "run", "--at", LATER, "--confirm-deletion", code
    )
    assert status == 0 and out.rstrip().endswith(
        "1 étape(s) effectuée(s), 1 suppression(s) à confirmer, 0 bloquée(s), 0 échec(s)."
    )
    assert _count(demo_db, DunningEvent) == events + 2


def test_dunning_bad_moment_and_unknown_confirmation(
    capsys: pytest.CaptureFixture[str], demo_db: Database
) -> None:
    path = str(demo_db.url.database)
    events = _count(demo_db, DunningEvent)
    with pytest.raises(SystemExit) as stopped:
        main(["--db", path, "dunning", "run", "--at", "hier"])
    assert stopped.value.code == 1
    assert "« hier » n'est pas une date" in capsys.readouterr().err
    status, _, err = run(
        capsys, "--db", path, "dunning", "run", "--at", LATER, "--confirm-deletion", "CL99999"
    )
    assert status == 1 and "Aucune suppression n'est due pour : CL99999" in err
    assert _count(demo_db, DunningEvent) == events
