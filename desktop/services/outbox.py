"""The outgoing mail queue: written with the decision to send, sent later with retry.

:func:`queue_email` adds a message inside the caller's transaction, so that a
dunning step and its email are committed together (or not at all).
:func:`send_pending` delivers what is due through the office's SMTP server;
a message becomes ``sent`` (with ``sent_at``) only once the server has
accepted it. A failure counts an attempt and keeps a one-line French reason;
the next try waits 2^attempts minutes after the last one, and after
:data:`MAX_ATTEMPTS` the message is ``failed``.

Claiming: before sending, a desktop runs ``UPDATE outbox SET attempts =
attempts + 1, last_attempt_at = now, last_error = 'envoi en cours' WHERE id = …
AND status = 'pending' AND attempts = <seen>`` in its own short transaction
and sends only if it changed one row; a concurrent desktop then sees a
different ``attempts`` and skips it. A claim left behind by a crash is retried
15 minutes later (at the earliest), as another attempt.
Delivery is "at least once": a crash between the server's acceptance and the
commit of ``sent`` sends the message again.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from desktop.db.engine import Database
from desktop.db.models.tracking import OutboxAttachment, OutboxMessage
from desktop.domain.clock import as_utc, utc_now
from desktop.domain.emails import normalize_email
from desktop.domain.enums import OutboxStatus
from desktop.domain.errors import InvalidValue
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.smtp_settings import SmtpSettings

MAX_ATTEMPTS = 5
SMTP_TIMEOUT_S = 15
STALE_CLAIM = timedelta(minutes=15)
IN_PROGRESS = "envoi en cours"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SendError:
    outbox_id: int
    to: str
    subject: str
    reason: str
    final: bool
    """True when the message will not be retried (status failed)."""


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    errors: tuple[SendError, ...]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    status: OutboxStatus
    to: str
    cc: str | None
    subject: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    attachment_names: tuple[str, ...]


# --- queueing ---------------------------------------------------------------------------


def split_addresses(text: str | None) -> list[str]:
    """``"a@x.fr; Nom <b@y.fr>"`` → ``["a@x.fr", "b@y.fr"]``."""
    if not text:
        return []
    return [addr for _name, addr in getaddresses([text.replace(";", ",")]) if addr]


def _checked_addresses(text: str | None, what: str) -> str | None:
    pairs = getaddresses([(text or "").replace(";", ",")]) if (text or "").strip(" ,;") else []
    if any(not address for _name, address in pairs):  # "x@", or garbage the parser dropped
        raise UserError(f"Adresse {what} invalide : « {(text or '').strip()} ».")
    addresses = [address for _name, address in pairs]
    for address in addresses:
        try:
            normalize_email(address)
        except InvalidValue as exc:
            raise UserError(f"Adresse {what} invalide « {address} » : {exc.message}") from None
    return ", ".join(addresses) or None


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: Iterable[Attachment | tuple[str, bytes, str]] = (),
    cc: str | None = None,
) -> int:
    """Add a message to the outbox in the caller's transaction; its id."""
    recipients = _checked_addresses(to, "du destinataire")
    if recipients is None:
        raise UserError("Aucun destinataire pour ce message.")
    copies = _checked_addresses(cc, "en copie")
    subject = " ".join(subject.split())
    if not subject:
        raise UserError("Le message n'a pas d'objet.")
    if len(subject) > 300 or len(recipients) > 1000 or len(copies or "") > 1000:
        raise UserError("Objet ou liste de destinataires trop long pour la file d'envoi.")
    message = OutboxMessage(
        to=recipients,
        cc=copies,
        subject=subject,
        body=body,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=utc_now(),
    )
    for item in attachments:
        att = item if isinstance(item, Attachment) else Attachment(*item)
        message.attachments.append(
            OutboxAttachment(
                filename=att.filename[:200],
                mime_type=att.mime_type,
                content=bytes(att.content),
            )
        )
    session.add(message)
    session.flush()
    return message.id


# --- bookkeeping of attempts --------------------------------------------------------------


def next_attempt_at(
    attempts: int, last_attempt_at: datetime | None, reason: str | None, created_at: datetime
) -> datetime:
    """When a pending message may be tried again (2^attempts minutes after the last try)."""
    if attempts <= 0:
        return as_utc(created_at)
    base = as_utc(last_attempt_at or created_at)
    wait = timedelta(minutes=2**attempts)
    if reason == IN_PROGRESS:
        wait = max(wait, STALE_CLAIM)
    return base + wait


# --- sending ----------------------------------------------------------------------------


class _ConnectionFailure(Exception):
    """The server cannot be used at all: every message of the batch fails alike."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _connection_reason(exc: BaseException, settings: SmtpSettings) -> str:
    where = _where(settings)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "identifiant ou mot de passe refusé"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"le serveur ne propose pas cette méthode ({exc}) ({where})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"le serveur a fermé la connexion ({where})"
    if isinstance(exc, smtplib.SMTPException):
        return f"erreur du serveur : {_one_line(exc)} ({where})"
    if isinstance(exc, ConnectionRefusedError):
        return f"serveur injoignable : connexion refusée ({where})"
    if isinstance(exc, socket.gaierror):
        return f"serveur injoignable : nom d'hôte inconnu ({where})"
    if isinstance(exc, TimeoutError):
        return f"serveur injoignable : délai de connexion dépassé ({where})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = getattr(exc, "verify_message", None) or exc
        return f"connexion sécurisée impossible : certificat refusé, {detail} ({where})"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None)
        if reason == "WRONG_VERSION_NUMBER":
            return (
                "connexion sécurisée impossible : le serveur ne parle pas SSL/TLS "
                f"sur ce port, essayez STARTTLS ({where})"
            )
        return f"connexion sécurisée impossible : {reason or exc} ({where})"
    if isinstance(exc, OSError):
        return f"serveur injoignable : {exc.strerror or exc} ({where})"
    return f"erreur inattendue : {_one_line(exc)} ({where})"


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        text = f"{exc.smtp_code} {text}"
    return " ".join(text.split())[:300]


def _connect(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=SMTP_TIMEOUT_S,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
        try:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    raise _ConnectionFailure(
                        f"le serveur ne propose pas STARTTLS ({_where(settings)})"
                    )
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.login:
                if not password:
                    raise _ConnectionFailure(
                        "mot de passe SMTP manquant (à saisir dans les paramètres d'envoi)"
                    )
                if not client.has_extn("auth"):
                    raise _ConnectionFailure(
                        f"le serveur n'accepte pas d'authentification ({_where(settings)})"
                    )
                client.login(settings.login, password)
        except BaseException:
            _close(client)
            raise
    except _ConnectionFailure:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise _ConnectionFailure(_connection_reason(exc, settings)) from exc
    return client


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def build_message(
    row: OutboxMessage, settings: SmtpSettings, now: datetime | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = row.to
    if row.cc:
        message["Cc"] = row.cc
    message["Subject"] = row.subject
    message["Date"] = format_datetime(as_utc(now or utc_now()))
    domain = settings.sender_address.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(row.body, charset="utf-8")
    for att in row.attachments:
        maintype, _, subtype = att.mime_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            att.content, maintype=maintype, subtype=subtype, filename=att.filename
        )
    return message


def _send_one(
    client: smtplib.SMTP, row: OutboxMessage, settings: SmtpSettings, now: datetime
) -> str | None:
    """Hand the message to the server; None if accepted, else the French reason.

    Raises :class:`_ConnectionFailure` when the connection is lost.
    """
    message = build_message(row, settings, now)
    recipients = split_addresses(row.to) + split_addresses(row.cc)
    try:
        refused = client.send_message(message, settings.sender_address, recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        return "adresse refusée par le serveur : " + ", ".join(sorted(exc.recipients))
    except smtplib.SMTPSenderRefused:
        return f"adresse d'expédition refusée par le serveur : {settings.sender_address}"
    except smtplib.SMTPDataError as exc:
        return f"message refusé par le serveur : {_one_line(exc)}"
    except (OSError, smtplib.SMTPException) as exc:
        raise _ConnectionFailure(_connection_reason(exc, settings)) from exc
    if refused:
        log.warning("outbox %s: some recipients refused: %s", row.id, sorted(refused))
    return None


def _due_ids(db: Database, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(id, attempts seen) of the pending messages due at ``now``, oldest first."""
    query = (
        sa.select(
            OutboxMessage.id,
            OutboxMessage.attempts,
            OutboxMessage.last_attempt_at,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
        )
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    due: list[tuple[int, int]] = []
    with db.read_session() as session:
        for id_, attempts, last_at, last_error, created_at in session.execute(query):
            # A new message is due at once, whatever the clock of the desktop that wrote it.
            if attempts == 0 or next_attempt_at(attempts, last_at, last_error, created_at) <= now:
                due.append((id_, attempts))
                if len(due) >= limit:
                    break
    return due


def _claim(db: Database, outbox_id: int, attempts: int, now: datetime) -> OutboxMessage | None:
    """Take the message for this desktop; None if another one took it first."""
    with db.session_scope() as session:
        result = session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == outbox_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == attempts,
            )
            .values(attempts=attempts + 1, last_attempt_at=now, last_error=IN_PROGRESS)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        row = session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .options(selectinload(OutboxMessage.attachments))
        ).one()
        session.expunge(row)
        return row


def _record(db: Database, row: OutboxMessage, now: datetime, reason: str | None) -> bool:
    """Write the outcome of an attempt; True when the message is given up."""
    values: dict[str, Any]
    final = False
    if reason is None:
        values = {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
    else:
        final = row.attempts >= MAX_ATTEMPTS
        values = {"last_error": reason}
        if final:
            values["status"] = OutboxStatus.FAILED
    with db.session_scope() as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.attempts == row.attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return final


def _give_up_exhausted(db: Database, now: datetime) -> None:
    """Pending messages whose last allowed attempt was interrupted by a crash → failed."""
    query = sa.select(
        OutboxMessage.id,
        OutboxMessage.last_attempt_at,
        OutboxMessage.last_error,
        OutboxMessage.created_at,
    ).where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts >= MAX_ATTEMPTS)
    with db.read_session() as session:
        rows = [
            (id_, last_at)
            for id_, last_at, last_error, created_at in session.execute(query)
            if next_attempt_at(MAX_ATTEMPTS, last_at, last_error, created_at) <= now
        ]
    if not rows:
        return
    with db.session_scope() as session:
        for id_, last_at in rows:
            session.execute(
                sa.update(OutboxMessage)
                .where(
                    OutboxMessage.id == id_,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.last_attempt_at.is_not_distinct_from(last_at),
                )
                .values(
                    status=OutboxStatus.FAILED,
                    last_attempt_at=now,
                    last_error="envoi interrompu, nombre d'essais épuisé",
                )
                .execution_options(synchronize_session=False)
            )


def send_pending(
    db: Database,
    settings: SmtpSettings,
    password: str | None,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> SendReport:
    """Send up to ``limit`` due messages over one SMTP connection; what happened.

    ``now`` is the instant used for the backoff and the stamps (default: now).
    Safe to run from several desktops at once: each message is claimed first.
    """
    at = as_utc(now) if now is not None else utc_now()
    _give_up_exhausted(db, at)
    sent = failed = 0
    errors: list[SendError] = []
    client: smtplib.SMTP | None = None
    broken: str | None = None
    try:
        for outbox_id, attempts in _due_ids(db, at, limit):
            row = _claim(db, outbox_id, attempts, at)
            if row is None:
                continue
            reason: str | None
            if broken is not None:
                reason = broken
            else:
                try:
                    if client is None:
                        client = _connect(settings, password)
                    reason = _send_one(client, row, settings, at)
                except _ConnectionFailure as exc:
                    reason = broken = exc.reason
                    if client is not None:
                        client.close()
                        client = None
            final = _record(db, row, at if now is not None else utc_now(), reason)
            if reason is None:
                sent += 1
            else:
                failed += 1
                errors.append(SendError(row.id, row.to, row.subject, reason, final))
    finally:
        if client is not None:
            _close(client)
    return SendReport(sent=sent, failed=failed, errors=tuple(errors))


# --- for the outbox screen ----------------------------------------------------------------


def outbox_rows(
    db: Database,
    *,
    status: OutboxStatus | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[OutboxRow]:
    """The outbox, newest first, optionally one status only."""
    query = (
        sa.select(OutboxMessage)
        .options(selectinload(OutboxMessage.attachments).load_only(OutboxAttachment.filename))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    with db.read_session() as session:
        return [_row(message) for message in session.scalars(query)]


def _row(message: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        id=message.id,
        status=message.status,
        to=message.to,
        cc=message.cc,
        subject=message.subject,
        attempts=message.attempts,
        last_error=message.last_error,
        last_attempt_at=message.last_attempt_at,
        created_at=message.created_at,
        sent_at=message.sent_at,
        attachment_names=tuple(a.filename for a in message.attachments),
    )


@requires(Permission.BILLING)
def retry_failed(db: Database, ids: Sequence[int], *, actor: str | None = None) -> int:
    """Put failed messages back in the queue with a fresh count of attempts; how many."""
    with db.session_scope() as session:
        result = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.PENDING, attempts=0)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))
