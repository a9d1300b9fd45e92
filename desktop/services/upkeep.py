"""What the calendar alone changes, written once a day.

A sent quote past its validity date becomes « Expiré »; an active SEPA mandate
unused for 36 months becomes « Caduc » (``invoicing-fr.md``). Both rules are
already enforced where they matter (an expired quote cannot be accepted, a
lapsed mandate is not collected); writing the statuses makes the lists, their
filters and exports say so. The window does it at start, in the background;
``backoffice upkeep`` does it from a scheduled task. Each change is made only if
the user's role may (quotes: contracts, mandates: SEPA); another user's start
does the rest. Running it again the same day changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.errors import PermissionDeniedError
from desktop.services.mandates import lapse_unused_mandates
from desktop.services.quotes import expire_quotes

T = TypeVar("T")


@dataclass(frozen=True)
class Upkeep:
    day: date
    expired_quotes: list[str] = field(default_factory=list)
    """Numbers of the quotes marked expired."""
    lapsed_mandates: int = 0
    skipped: list[str] = field(default_factory=list)
    """What the role may not do, in French (« Devis expirés : votre rôle… »)."""

    @property
    def changed(self) -> bool:
        return bool(self.expired_quotes or self.lapsed_mandates)

    def summary(self) -> str:
        """What was changed, or that nothing was due: one French sentence, without its
        final full stop (the caller ends it)."""
        parts = []
        if self.expired_quotes:
            count = len(self.expired_quotes)
            numbers = ", ".join(self.expired_quotes)
            parts.append(f"{count} devis passé{'s' if count > 1 else ''} à « Expiré » ({numbers})")
        if self.lapsed_mandates:
            count = self.lapsed_mandates
            s = "s" if count > 1 else ""
            parts.append(f"{count} mandat{s} SEPA devenu{s} caduc{s} (36 mois sans prélèvement)")
        if not parts:
            nothing = "rien n'a été modifié" if self.skipped else "rien n'était échu"
            return f"Mise à jour du {self.day:%d/%m/%Y} : {nothing}"
        return f"Mise à jour du {self.day:%d/%m/%Y} : {' ; '.join(parts)}"


def run_upkeep(db: Database, today: date | None = None, *, actor: str) -> Upkeep:
    """Expire the quotes and lapse the mandates due on ``today`` (Paris), as ``actor``."""
    day = today or paris_today()
    skipped: list[str] = []
    none: list[str] = []
    expired = _as_allowed(lambda: expire_quotes(db, day, actor=actor), none, "Devis", skipped)
    lapsed = _as_allowed(
        lambda: lapse_unused_mandates(db, day, actor=actor), 0, "Mandats SEPA", skipped
    )
    return Upkeep(day, expired, lapsed, skipped)


def _as_allowed(work: Callable[[], T], nothing: T, what: str, skipped: list[str]) -> T:
    """``work()``, or ``nothing`` with the refusal noted when the role may not."""
    try:
        return work()
    except PermissionDeniedError as refused:
        skipped.append(f"{what} : {refused.message}")
        return nothing
