"""The rules of staff accounts: logins, passwords, the lock after failed logins."""

from __future__ import annotations

import re
from datetime import timedelta

from desktop.domain.errors import ValidationError

LOCK_AFTER = 5
"""Consecutive failed logins that lock an account."""
LOCK_DURATION = timedelta(minutes=15)
PASSWORD_MIN = 10
PASSWORD_MAX = 256
LOGIN_MAX = 64
LOGIN_RULE = re.compile(r"[a-z0-9._-]+", re.ASCII)


def password_problem(login: str, password: str) -> str | None:
    """Why ``password`` may not be chosen (in French), None when it may."""
    if len(password) < PASSWORD_MIN:
        typed = f"{len(password)} saisi{'s' if len(password) > 1 else ''}"
        return f"{PASSWORD_MIN} caractères au moins ({typed})."
    if len(password) > PASSWORD_MAX:
        return f"{PASSWORD_MAX} caractères au maximum."
    if password.strip().casefold() == login.strip().casefold():
        return "Il doit être différent de l'identifiant."
    return None


def normalize_login(text: str) -> str:
    """A login as stored: trimmed, lower case; ValidationError when it breaks the rules."""
    login = text.strip().lower()
    if not login:
        raise ValidationError({"login": "Indiquez l'identifiant."})
    if len(login) > LOGIN_MAX:
        raise ValidationError({"login": f"{LOGIN_MAX} caractères au maximum."})
    if not LOGIN_RULE.fullmatch(login):
        raise ValidationError(
            {
                "login": "Lettres minuscules sans accent, chiffres, point, tiret et "
                "tiret bas uniquement (par exemple j.dupont)."
            }
        )
    return login
