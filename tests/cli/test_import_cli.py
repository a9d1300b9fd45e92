"""`backoffice import KIND FILE [--dry-run]` and `backoffice import-template KIND -o FILE`."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.models import Client
from tests.cli.cli_helpers import run
from tests.services.factories import OTHER_SIREN, SIREN

GOOD = f"Raison sociale;SIREN;E-mail de facturation;Couleur\nAcme;{SIREN};a@acme.fr;bleu\n" + (
    f"Beta;{OTHER_SIREN};b@beta.fr;vert\n"
)


def clients(db: Database) -> int:
    with db.read_session() as session:
        return int(session.execute(sa.select(sa.func.count(Client.id))).scalar_one())


def test_dry_run_then_import(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    database = str(sqlite_db.url.database)
    status, out, err = run(capsys, "--db", database, "import", "clients", str(path), "--dry-run")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "Colonnes ignorées : « Couleur ».",
        "2 lignes vérifiées, aucun problème : prêt à importer (clients).",
    ]
    assert clients(sqlite_db) == 0
    status, out, err = run(capsys, "--db", database, "import", "clients", str(path))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "2 clients importés."
    assert clients(sqlite_db) == 2


def test_problems_are_listed_and_exit_1(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        f"Nom;SIREN;E-mail\nAcme;123;a@acme.fr\nBeta;{OTHER_SIREN};pas-un-mail\n",
        encoding="utf-8",
    )
    status, out, err = run(
        capsys, "--db", str(sqlite_db.url.database), "import", "clients", str(path)
    )
    lines = out.splitlines()
    assert status == 1 and err == ""
    assert lines[0].startswith("Ligne 2, colonne « SIREN » : ")
    assert lines[1] == (
        "Ligne 3, colonne « E-mail » : L'adresse e-mail doit contenir un « @ » "
        "(par exemple jean.dupont@exemple.fr)."
    )
    assert lines[2] == "0 ligne importée : 2 problème(s) (rien n'a été importé)."
    assert clients(sqlite_db) == 0


def test_unreadable_file_is_one_french_line(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    status, out, err = run(
        capsys, "--db", str(sqlite_db.url.database), "import", "clients", str(path)
    )
    assert (status, out) == (1, "")
    assert err.startswith("backoffice : Le classeur « clients.xlsx » est illisible")


def test_unknown_kind_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", "contracts", str(tmp_path / "x.csv")])
    assert caught.value.code == 1
    assert "choix invalide 'contracts'" in capsys.readouterr().err


def test_template_is_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "modele.xlsx"
    status, out, err = run(capsys, "import-template", "mailboxes", "-o", str(target))
    assert (status, err) == (0, "")
    assert out.startswith("Modèle écrit : ")
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Adresse e-mail", "Formule", "Contrat"]
