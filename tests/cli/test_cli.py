"""The command line as a user types it: output, exit status, files left alone."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop import __version__
from desktop.cli import main
from desktop.db.engine import Database
from desktop.db.schema import head_revision
from desktop.paths import default_database_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # --version and --help exit through argparse
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"backoffice {__version__}\n", "")


def test_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert out.startswith("utilisation : backoffice")
    assert "charger des données de démonstration" in out


def test_db_upgrade_creates_the_users_file_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "db", "upgrade")
    assert (status, err) == (0, "")
    assert default_database_path().exists()
    assert out == (
        f"Schéma mis à jour : base vide → {head_revision()} — SQLite — {default_database_path()}.\n"
    )
    assert run(capsys, "db", "upgrade")[1].startswith("Schéma déjà à jour")


def test_db_option_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    assert run(capsys, "--db", str(first), "db", "upgrade")[0] == 0
    assert run(capsys, "db", "upgrade", "--db", str(second))[0] == 0
    assert first.exists() and second.exists()
    assert not default_database_path().exists()


def test_environment_variable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env.sqlite3"
    monkeypatch.setenv("BACKOFFICE_DB", f"sqlite:///{target}")
    assert run(capsys, "db", "upgrade")[0] == 0
    assert target.exists()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (
            lambda p: p.write_bytes(b"PK\x03\x04 not a database" * 100),
            "n'est pas une base de données SQLite",
        ),
        (
            lambda p: p.write_text("nom;prenom\nMartin;Jean\n"),
            "n'est pas une base de données SQLite",
        ),
    ],
)
def test_corrupt_file_is_one_line_and_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make, words: str
) -> None:
    path = tmp_path / "office.sqlite3"
    make(path)
    before = sha256(path)
    for command in (["db", "upgrade"], ["demo", "--clients", "3"]):
        status, out, err = run(capsys, "--db", str(path), *command)
        assert (status, out) == (1, "")
        assert err.count("\n") == 1 and err.startswith("backoffice : ") and words in err
        assert "Traceback" not in err
    assert sha256(path) == before


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/bo", "connexion refusée"),
        ("postgresql://postgres@127.0.0.1:5432/no_such_database_here", "n'existe pas"),
        ("mysql://root@localhost/bo", "non pris en charge"),
        ("postgresql://host:port/x", "invalide"),
        ("/proc/office.sqlite3", "accessible en écriture"),
        ("/no/such/folder/office.sqlite3", "n'existe pas"),
    ],
)
def test_bad_db_values(capsys: pytest.CaptureFixture[str], value: str, words: str) -> None:
    status, out, err = run(capsys, "--db", value, "db", "upgrade")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and words in err, err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["demo", "--clients", "zéro"], "n'est pas un nombre entier"),
        (["demo", "--clients", "0"], "supérieur ou égal à 1"),
        (["db"], "arguments obligatoires manquants"),
        (["facture"], "choix invalide"),
        (["demo", "--bogus"], "arguments non reconnus"),
        (["demo", "--billing-months", "25"], "« 25 » : un nombre de mois de 0 à 24 est attendu"),
        (["demo", "--billing-months", "x"], "« x » : un nombre de mois de 0 à 24 est attendu"),
    ],
)
def test_bad_arguments(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and words in err, err


def test_demo_fills_an_empty_database_then_refuses(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    url = db.url.render_as_string(hide_password=False)
    status, out, err = run(capsys, "--db", url, "demo", "--clients", "12")
    assert (status, err) == (0, "")
    assert out.startswith("Données de démonstration chargées")
    assert "12 clients" in out
    with db.read_session() as session:
        clients = session.execute(sa.text("SELECT count(*) FROM client")).scalar_one()
        mailboxes = session.execute(sa.text("SELECT count(*) FROM mailbox")).scalar_one()
        invoices = session.execute(sa.text("SELECT count(*) FROM invoice")).scalar_one()
    assert clients == 12 and mailboxes > 12
    assert out.rstrip().endswith(f", {invoices} factures et avoirs.") and invoices > 12

    status, out, err = run(capsys, "--db", url, "demo")
    assert (status, out) == (1, "")
    assert "n'est pas vide" in err and err.count("\n") == 1
    with db.read_session() as session:
        assert session.execute(sa.text("SELECT count(*) FROM client")).scalar_one() == 12


def test_installed_console_script() -> None:
    script = shutil.which("backoffice") or str(Path(sys.executable).with_name("backoffice"))
    done = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"backoffice {__version__}\n")
