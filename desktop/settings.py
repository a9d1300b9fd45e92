"""Settings of this desktop only (not shared through the database), kept as JSON.

The file lives in the user's settings folder (:func:`desktop.paths.config_dir`).
Reading never fails: a missing, unreadable or corrupt file gives the defaults,
so that a damaged file cannot keep the application from starting. Writing is
atomic (a temporary file in the same folder, then ``os.replace``), and keys
this version does not know are kept for the version that wrote them.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.errors import UserError
from desktop.paths import config_dir

SETTINGS_FILE = "settings.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class LocalSettings:
    """``database_url``: the database to open when neither --db nor $BACKOFFICE_DB says.

    ``smtp_*``: the office's mail server (see :mod:`desktop.services.smtp_settings`);
    ``smtp_security`` is "starttls", "ssl" or "none". The password is in the OS keyring.
    """

    database_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_login: str | None = None
    smtp_from: str | None = None


_SMTP_TEXT_KEYS = ("smtp_host", "smtp_security", "smtp_login", "smtp_from")


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def _read_raw(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("settings file %s unreadable, ignored: %s", path, exc)
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        log.warning("settings file %s is not valid JSON, ignored: %s", path, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("settings file %s does not hold an object, ignored", path)
        return {}
    return data


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _port(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def load_local_settings(path: Path | None = None) -> LocalSettings:
    """This desktop's settings; the defaults when the file is missing or damaged."""
    data = _read_raw(settings_path() if path is None else path)
    smtp = {key: _text(data.get(key)) for key in _SMTP_TEXT_KEYS}
    return LocalSettings(
        database_url=_text(data.get("database_url")), smtp_port=_port(data.get("smtp_port")), **smtp
    )


def save_local_settings(settings: LocalSettings, path: Path | None = None) -> None:
    """Write the settings atomically; raise UserError (in French) when it cannot be done."""
    target = settings_path() if path is None else path
    data = _read_raw(target)
    data["database_url"] = _text(settings.database_url)
    smtp: dict[str, Any] = {key: _text(getattr(settings, key)) for key in _SMTP_TEXT_KEYS}
    smtp["smtp_port"] = _port(settings.smtp_port)
    for key, value in smtp.items():  # unset SMTP keys are left out of the file
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as temp:
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(
            f"Impossible d'enregistrer les paramètres de ce poste ({target}) : "
            f"{exc.strerror or exc}."
        ) from exc


def staff_name() -> str:
    """Who is at this desktop, for "changed by" (staff accounts come with logins)."""
    try:
        return getpass.getuser()[:64] or "poste"
    except (OSError, KeyError, ImportError):
        return "poste"
