"""`backoffice backup -o FICHIER` and `backoffice restore FICHIER --yes`."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import human_size, main
from desktop.db.engine import Database
from desktop.db.schema import head_revision
from desktop.paths import backup_dir, default_database_path


def client_names(path: str) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM client ORDER BY id")]


def test_backup_then_restore(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    live = str(demo_db.url.database)
    target = tmp_path / "sauvegarde.sqlite3"
    assert main(["--db", live, "backup", "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out == f"Sauvegarde enregistrée : {target} ({human_size(target.stat().st_size)}).\n"
    assert err == ""
    names = client_names(live)

    with demo_db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE client SET name = 'Changé'"))
    demo_db.dispose()
    assert main(["restore", str(target), "--db", live, "--yes"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith(f"Base remplacée mise de côté : {backup_dir()}")
    assert lines[1] == f"Sauvegarde restaurée : schéma {head_revision()} — SQLite — {live}."
    assert err == ""
    assert client_names(live) == names


def test_restore_needs_yes(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    live = str(sqlite_db.url.database)
    before = hashlib.sha256(Path(live).read_bytes()).hexdigest()
    assert main(["--db", live, "restore", str(tmp_path / "copie.sqlite3")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "backoffice : la restauration remplace toute la base actuelle (mise de côté "
        "d'abord) : ajoutez --yes pour confirmer.\n"
    )
    assert hashlib.sha256(Path(live).read_bytes()).hexdigest() == before


def test_restore_of_a_corrupt_file_is_refused(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    live = str(sqlite_db.url.database)
    sqlite_db.dispose()
    before = hashlib.sha256(Path(live).read_bytes()).hexdigest()
    bad = tmp_path / "abimee.sqlite3"
    bad.write_bytes(b"pas une base" * 100)
    assert main(["--db", live, "restore", str(bad), "--yes"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"backoffice : Restauration refusée : « {bad} » n'est pas une base de données SQLite. "
        "La base actuelle n'a pas été modifiée.\n"
    )
    assert hashlib.sha256(Path(live).read_bytes()).hexdigest() == before


def test_backup_into_a_missing_folder(
    capsys: pytest.CaptureFixture[str], sqlite_db: Database, tmp_path: Path
) -> None:
    live = str(sqlite_db.url.database)
    assert main(["--db", live, "backup", "-o", str(tmp_path / "absent" / "x.sqlite3")]) == 1
    assert capsys.readouterr().err == f"backoffice : Dossier introuvable : {tmp_path / 'absent'}\n"


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 octets"), (1023, "1023 octets"), (1536, "1,5 Ko"), (5 * 1024**2, "5,0 Mo")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_restore_on_a_new_computer_creates_the_default_file(
    capsys: pytest.CaptureFixture[str], demo_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "sauvegarde.sqlite3"
    assert main(["--db", str(demo_db.url.database), "backup", "-o", str(target)]) == 0
    assert not default_database_path().exists()
    assert main(["restore", str(target), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "mise de côté" not in out
    assert client_names(str(default_database_path())) == client_names(str(target))
