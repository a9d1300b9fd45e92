"""This desktop's settings file, and which database the application opens."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop.db.engine import resolve_url
from desktop.errors import DatabaseError, UserError
from desktop.paths import config_dir, default_database_path
from desktop.settings import (
    LocalSettings,
    load_local_settings,
    save_local_settings,
    settings_path,
)

SAVED = "postgresql://bo@saved-server/office"
ENV = "postgresql://bo@env-server/office"


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the user's real settings file out of reach."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def test_the_settings_file_is_in_the_user_config_folder(config_home: Path) -> None:
    assert config_dir() == config_home / "BackOfficeMessagerie"
    assert settings_path() == config_home / "BackOfficeMessagerie" / "settings.json"


def test_defaults_without_a_file() -> None:
    assert not settings_path().exists()
    assert load_local_settings() == LocalSettings(database_url=None)


def test_save_then_load(config_home: Path) -> None:
    save_local_settings(LocalSettings(database_url=f"  {SAVED} "))
    assert load_local_settings() == LocalSettings(database_url=SAVED)
    assert json.loads(settings_path().read_text(encoding="utf-8")) == {"database_url": SAVED}
    save_local_settings(LocalSettings(database_url=""))
    assert load_local_settings().database_url is None
    # Nothing but the settings file itself is left in the folder.
    assert [p.name for p in settings_path().parent.iterdir()] == ["settings.json"]


def test_keys_of_another_version_are_kept() -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text('{"window": {"width": 900}, "database_url": null}', "utf-8")
    save_local_settings(LocalSettings(database_url=SAVED))
    assert json.loads(settings_path().read_text("utf-8")) == {
        "database_url": SAVED,
        "window": {"width": 900},
    }


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"[1, 2, 3]",
        b'"text"',
        b'{"database_url": 42}',
        b'{"database_url": ["a"]}',
        b"\xff\xfe\x00garbage",
        b'{"database_url": "   "}',
    ],
)
def test_a_corrupt_file_is_ignored(content: bytes) -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_bytes(content)
    assert load_local_settings() == LocalSettings()
    assert resolve_url(None, environ={}) == resolve_url(str(default_database_path()), environ={})


def test_a_directory_in_place_of_the_file_is_ignored() -> None:
    settings_path().mkdir(parents=True)
    assert load_local_settings() == LocalSettings()


def test_a_corrupt_file_is_replaced_on_save() -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_bytes(b"{broken")
    save_local_settings(LocalSettings(database_url=SAVED))
    assert load_local_settings().database_url == SAVED


def test_a_failed_write_leaves_the_old_file_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    save_local_settings(LocalSettings(database_url=SAVED))
    before = settings_path().read_bytes()

    def fail(_src: object, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(UserError) as info:
        save_local_settings(LocalSettings(database_url=ENV))
    assert info.value.message.startswith("Impossible d'enregistrer les paramètres de ce poste")
    assert settings_path().read_bytes() == before
    assert [p.name for p in settings_path().parent.iterdir()] == ["settings.json"]


# --- which database -------------------------------------------------------------------------


def test_precedence_with_explicit_settings(tmp_path: Path) -> None:
    saved = LocalSettings(database_url=SAVED)
    flag = str(tmp_path / "flag.sqlite3")
    env = {"BACKOFFICE_DB": ENV}
    assert resolve_url(flag, env, saved).database == flag
    assert resolve_url(None, env, saved).host == "env-server"
    assert resolve_url(None, {}, saved).host == "saved-server"
    assert resolve_url(None, {}, LocalSettings()).database == str(default_database_path())


def test_precedence_with_the_saved_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(None).database == str(default_database_path())
    save_local_settings(LocalSettings(database_url=SAVED))
    url = resolve_url(None)
    assert (url.drivername, url.host) == ("postgresql+psycopg", "saved-server")
    monkeypatch.setenv("BACKOFFICE_DB", ENV)
    assert resolve_url(None).host == "env-server"
    flag = tmp_path / "flag.sqlite3"
    assert resolve_url(str(flag)).database == str(flag)
    monkeypatch.setenv("BACKOFFICE_DB", "   ")
    assert resolve_url(None).host == "saved-server"


def test_a_saved_path_is_an_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "office.sqlite3"
    save_local_settings(LocalSettings(database_url=str(path)))
    url = resolve_url(None, environ={})
    assert url.drivername == "sqlite+pysqlite" and url.database == str(path)


def test_a_bad_saved_address_says_where_it_comes_from() -> None:
    save_local_settings(LocalSettings(database_url="mysql://h/db"))
    with pytest.raises(DatabaseError) as info:
        resolve_url(None, environ={})
    message = info.value.message
    assert message.startswith("Type de base de données non pris en charge : « mysql »")
    assert str(settings_path()) in message and "--db" in message
    # --db still opens the application.
    assert resolve_url("postgresql://h/db", environ={}).host == "h"
