"""Where the application keeps its files, per user (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "BackOfficeMessagerie"


def data_dir() -> Path:
    """The user's data folder (Windows: %LOCALAPPDATA%\\BackOfficeMessagerie)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The user's settings folder (Windows: %APPDATA%\\BackOfficeMessagerie)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=True)


def default_database_path() -> Path:
    return data_dir() / "backoffice.sqlite3"


def backup_dir() -> Path:
    return data_dir() / "backups"


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def resources_dir() -> Path:
    """The application's read-only resources: fonts, contract templates, icons."""
    return Path(__file__).resolve().parent.parent / "resources"
