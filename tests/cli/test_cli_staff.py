"""``backoffice user …`` and commands logging in once staff accounts are in use."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db.engine import Database, sqlite_url
from desktop.db.models import StaffUser
from desktop.services.staff import authenticate

ADMIN_PASSWORD = "motdepasse-admin"
BOB_PASSWORD = "motdepasse-bob"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database file named by $BACKOFFICE_DB, nobody logged in by the environment."""
    path = tmp_path / "staff.sqlite3"
    monkeypatch.setenv("BACKOFFICE_DB", str(path))
    monkeypatch.delenv("BACKOFFICE_USER", raising=False)
    monkeypatch.delenv("BACKOFFICE_PASSWORD", raising=False)
    return path


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's refusals exit
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def log_in_as(monkeypatch: pytest.MonkeyPatch, login: str, password: str) -> None:
    monkeypatch.setenv("BACKOFFICE_USER", login)
    monkeypatch.setenv("BACKOFFICE_PASSWORD", password)


def account(path: Path, login: str) -> StaffUser:
    db = Database(sqlite_url(path))
    try:
        with db.read_session() as session:
            row = session.scalar(sa.select(StaffUser).where(StaffUser.login == login))
            assert row is not None
            return row
    finally:
        db.dispose()


@pytest.fixture
def with_admin(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    status, out, err = run(
        capsys,
        monkeypatch,
        "user",
        "add",
        "admin",
        "--role",
        "Administrateur",
        "--name",
        "Alice Martin",
        stdin=f"{ADMIN_PASSWORD}\n",
    )
    assert (status, out, err) == (0, "Compte « admin » créé (Administrateur).\n", "")
    return database


def test_the_first_administrator_is_created_without_logging_in(with_admin: Path) -> None:
    row = account(with_admin, "admin")
    assert (row.full_name, row.role.label, row.updated_by is not None) == (
        "Alice Martin",
        "Administrateur",
        True,
    )
    assert row.password_hash is not None and row.password_hash.startswith("$argon2id$")


def test_once_accounts_are_in_use_commands_log_in(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, monkeypatch, "verify")
    assert (status, out) == (1, "")
    assert err.startswith("backoffice : les comptes du personnel sont en service : donnez le mot")
    assert "BACKOFFICE_PASSWORD" in err and len(err.splitlines()) == 1

    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    status, out, err = run(capsys, monkeypatch, "verify")
    assert (status, err) == (0, "")
    assert out.startswith("Chaîne intacte : 0 facture(s)")


def test_a_wrong_password_exits_with_one_french_line(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "admin", "pas le bon")
    assert run(capsys, monkeypatch, "user", "list") == (
        1,
        "",
        "backoffice : Identifiant ou mot de passe incorrect.\n",
    )
    assert account(with_admin, "admin").failed_logins == 1


def test_the_user_option_goes_before_or_after_the_command(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "nobody", ADMIN_PASSWORD)
    assert run(capsys, monkeypatch, "user", "list")[0] == 1
    for argv in (("--user", "admin", "user", "list"), ("user", "list", "--user", "admin")):
        status, out, err = run(capsys, monkeypatch, *argv)
        assert (status, err) == (0, "")
        assert out.splitlines()[-1] == "1 compte(s)."
        assert out.startswith("admin — Alice Martin — Administrateur — actif — dernière connexion")


def test_an_administrator_manages_accounts(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    assert run(
        capsys, monkeypatch, "user", "add", "bob", "--role", "facturation", stdin=BOB_PASSWORD
    ) == (0, "Compte « bob » créé (Facturation).\n", "")
    assert account(with_admin, "bob").updated_by == "admin"

    assert run(capsys, monkeypatch, "user", "passwd", "bob", stdin="provisoire-42\n") == (
        0,
        "Mot de passe de « bob » réinitialisé : il devra être changé à la prochaine connexion.\n",
        "",
    )
    assert account(with_admin, "bob").must_change_password is True
    assert run(capsys, monkeypatch, "user", "disable", "bob") == (
        0,
        "Compte « bob » désactivé.\n",
        "",
    )
    log_in_as(monkeypatch, "bob", "provisoire-42")
    assert run(capsys, monkeypatch, "user", "list")[2] == (
        "backoffice : Identifiant ou mot de passe incorrect.\n"
    )

    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    assert run(capsys, monkeypatch, "user", "enable", "bob")[1] == "Compte « bob » réactivé.\n"
    assert run(capsys, monkeypatch, "user", "unlock", "bob")[1] == (
        "Compte « bob » déverrouillé.\n"
    )

    log_in_as(monkeypatch, "bob", "provisoire-42")
    status, out, err = run(capsys, monkeypatch, "user", "list")
    assert (status, out.splitlines()[-1]) == (0, "2 compte(s).")
    assert "bob — bob — Facturation — actif — mot de passe à changer — dernière" in out
    assert err == (
        "backoffice : votre mot de passe a été réinitialisé : changez-le dans l'application "
        "(Fichier → Changer de mot de passe…).\n"
    )


def test_a_role_without_the_right_is_refused(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    run(capsys, monkeypatch, "user", "add", "bob", "--role", "support", stdin=BOB_PASSWORD)
    log_in_as(monkeypatch, "bob", BOB_PASSWORD)
    assert run(capsys, monkeypatch, "user", "disable", "admin") == (
        1,
        "",
        "backoffice : Votre rôle « Support » ne permet pas de gérer les comptes du personnel. "
        "Rien n'a été enregistré.\n",
    )
    assert account(with_admin, "admin").active is True


def test_the_last_administrator_cannot_be_disabled(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    assert run(capsys, monkeypatch, "user", "disable", "admin") == (
        1,
        "",
        "backoffice : « admin » est le dernier administrateur actif : nommez d'abord un autre "
        "administrateur. Rien n'a été enregistré.\n",
    )


def test_a_wrong_role_name(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, monkeypatch, "user", "add", "admin", "--role", "chef", stdin="x") == (
        1,
        "",
        "backoffice : argument --role : Rôle inconnu : « chef » "
        "(attendu : administrateur, facturation, support, lecture)\n",
    )
    assert not database.exists()


@pytest.mark.parametrize(
    ("role", "stdin", "message"),
    [
        (
            "support",
            ADMIN_PASSWORD,
            "Le premier compte doit être un administrateur : "
            "lui seul pourra ensuite créer les autres comptes.",
        ),
        ("administrateur", "court\n", "Mot de passe : 10 caractères au moins (5 saisis)."),
        ("administrateur", "", "mot de passe de « admin » attendu sur l'entrée standard "),
    ],
)
def test_a_refused_first_account(
    database: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    stdin: str,
    message: str,
) -> None:
    status, out, err = run(capsys, monkeypatch, "user", "add", "admin", "--role", role, stdin=stdin)
    assert (status, out) == (1, "")
    assert err.startswith(f"backoffice : {message}")
    assert len(err.splitlines()) == 1


def test_a_script_gives_the_password_as_an_option(
    with_admin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in_as(monkeypatch, "admin", ADMIN_PASSWORD)
    status, out, err = run(
        capsys, monkeypatch, "user", "add", "c.leroy", "--role", "support", "--password", "x" * 12
    )
    assert (status, out, err) == (0, "Compte « c.leroy » créé (Support).\n", "")
    status, out, _ = run(
        capsys, monkeypatch, "user", "passwd", "c.leroy", "--password", "nouveau-secret"
    )
    assert status == 0 and out.startswith("Mot de passe de « c.leroy » réinitialisé")
    db = Database(sqlite_url(with_admin))
    try:
        assert authenticate(db, "c.leroy", "nouveau-secret").must_change_password is True
    finally:
        db.dispose()
