"""Sending the outbox: now, when asked, and every minute in the background.

The main window keeps one :class:`OutboxSender`: while the application runs, the
messages due (new ones, and failed ones whose retry time has come, see
``outbox.next_attempt_at``) leave through this desktop's SMTP server without
anyone asking. Several desktops may do so at once: each message is claimed
before it is sent. A desktop without SMTP settings sends nothing and says nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.db.engine import Database
from desktop.errors import UserError
from desktop.services.outbox import SendReport, send_pending
from desktop.services.provider import get_provider
from desktop.services.smtp_settings import (
    PasswordStore,
    SmtpSettings,
    check_smtp_settings,
    read_password,
    smtp_settings,
)
from desktop.settings import load_local_settings
from desktop.ui.tasks import run_in_background

log = logging.getLogger(__name__)

INTERVAL_MS = 60_000
FIRST_DELAY_MS = 10_000


def saved_smtp_settings(db: Database) -> SmtpSettings | None:
    """This desktop's SMTP settings as saved; None when incomplete."""
    provider = get_provider(db)
    email = provider.email if provider is not None else None
    name = provider.name if provider is not None else None
    return smtp_settings(load_local_settings(), email, name)


def send_now(db: Database, store: PasswordStore | None) -> SendReport:
    """Send what is due now with the settings as saved; a French error without them."""
    settings = saved_smtp_settings(db)
    if settings is None:
        provider = get_provider(db)
        email = provider.email if provider is not None else None
        problems = " ".join(
            check_smtp_settings(load_local_settings(), provider_email=email).values()
        )
        raise UserError(
            "Le serveur d'envoi n'est pas configuré sur ce poste : rien n'a été envoyé. "
            f"{problems} Complétez « Serveur d'envoi (ce poste) » puis cliquez sur "
            "« Enregistrer »."
        )
    return send_pending(db, settings, read_password(settings, store))


def send_if_configured(db: Database, store: PasswordStore | None) -> SendReport | None:
    """What the background sender does: None when this desktop has no SMTP settings."""
    settings = saved_smtp_settings(db)
    if settings is None:
        return None
    return send_pending(db, settings, read_password(settings, store))


class OutboxSender(QObject):
    """Every ``interval_ms``, sends the outbox in a background thread (never two at once)."""

    sent = Signal(object)
    """A :class:`SendReport`, after a pass that sent or failed something."""

    def __init__(
        self,
        parent: QObject | None,
        db: Database,
        *,
        interval_ms: int = INTERVAL_MS,
        password_store: PasswordStore | None = None,
        send: Callable[[], SendReport | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.busy = False
        self.passes = 0
        self._send = send or (lambda: send_if_configured(db, password_store))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    def start(self, first_delay_ms: int = FIRST_DELAY_MS) -> None:
        self.timer.start()
        QTimer.singleShot(first_delay_ms, self, self.tick)

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        """One pass, unless the previous one is still running."""
        if self.busy:
            return
        self.busy = True
        run_in_background(self._send, self._done, self._failed)

    def _done(self, report: SendReport | None) -> None:
        self.busy = False
        self.passes += 1
        if report is not None and (report.sent or report.failed):
            log.info("Boîte d'envoi : %d envoyé(s), %d en échec", report.sent, report.failed)
            self.sent.emit(report)

    def _failed(self, error: Exception) -> None:
        self.busy = False
        self.passes += 1
        log.warning("Envoi automatique de la boîte d'envoi impossible : %s", error)
