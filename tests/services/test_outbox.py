"""The outbox against a real SMTP server (aiosmtpd) started by each test."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models.tracking import OutboxMessage
from desktop.domain.enums import OutboxStatus
from desktop.errors import UserError
from desktop.services import email_templates
from desktop.services.outbox import (
    MAX_ATTEMPTS,
    Attachment,
    next_attempt_at,
    outbox_rows,
    queue_email,
    retry_failed,
    send_pending,
)
from desktop.services.smtp_settings import SmtpSettings
from tests.services.smtp_server import HOST, free_port, smtp_server

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
BODY = (
    "Bonjour,\n\nVotre facture F-2026-0042 est jointe : 1 234,56 € à régler.\n"
    "À bientôt — l'équipe.\n"
)


def settings(port: int, login: str | None = None) -> SmtpSettings:
    return SmtpSettings(
        host=HOST,
        port=port,
        security="none",
        login=login,
        sender="Hébergeur Démo <facturation@hebergeur-demo.fr>",
    )


def queue(db: Database, n: int = 1, **kwargs: object) -> list[int]:
    ids = []
    with db.session_scope() as session:
        for i in range(n):
            fields: dict[str, object] = {
                "to": f"client{i}@exemple.fr",
                "subject": f"Facture n°{i} — échéance dépassée",
                "body": BODY,
            }
            fields.update(kwargs)
            ids.append(queue_email(session, **fields))  # type: ignore[arg-type]
    return ids


def row(db: Database, outbox_id: int) -> OutboxMessage:
    with db.read_session() as session:
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None
        return message


def test_a_message_and_its_pdf_reach_the_server(db: Database) -> None:
    with db.session_scope() as session:
        outbox_id = queue_email(
            session,
            to="comptabilite@client-exemple.fr",
            cc="Direction <direction@client-exemple.fr>",
            subject="Votre facture F-2026-0042 — échéance",
            body=BODY,
            attachments=[Attachment("F-2026-0042.pdf", PDF, "application/pdf")],
        )
    with smtp_server() as server:
        report = send_pending(db, settings(server.port), None, now=T0)
        received = server.received
    assert (report.sent, report.failed, report.errors) == (1, 0, ())
    assert len(received) == 1
    got = received[0]
    assert got.mail_from == "facturation@hebergeur-demo.fr"
    assert sorted(got.rcpt_tos) == ["comptabilite@client-exemple.fr", "direction@client-exemple.fr"]
    message = got.message
    assert message["Subject"] == "Votre facture F-2026-0042 — échéance"
    assert message["From"] == "Hébergeur Démo <facturation@hebergeur-demo.fr>"
    assert message["Message-ID"].endswith("@hebergeur-demo.fr>")
    assert message["Date"]
    text = message.get_body(("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n") == BODY  # CRLF on the wire
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "F-2026-0042.pdf"
    assert attachment.get_content() == PDF
    stored = row(db, outbox_id)
    assert stored.status == OutboxStatus.SENT
    assert stored.sent_at == T0
    assert stored.attempts == 1
    assert stored.last_error is None
    # Nothing left to send.
    assert send_pending(db, settings(server.port), None, now=T0 + timedelta(hours=1)).sent == 0


def test_unreachable_server_then_retry_when_it_is_up(db: Database) -> None:
    [outbox_id] = queue(db)
    port = free_port()
    report = send_pending(db, settings(port), None, now=T0)
    assert (report.sent, report.failed) == (1 - 1, 1)
    reason = f"serveur injoignable : connexion refusée ({HOST}:{port})"
    assert report.errors[0].reason == reason
    assert not report.errors[0].final
    stored = row(db, outbox_id)
    assert (stored.status, stored.attempts, stored.sent_at) == (OutboxStatus.PENDING, 1, None)
    [listed] = outbox_rows(db)
    assert listed.last_error == reason
    assert listed.last_attempt_at == T0
    assert listed.attachment_names == ()

    with smtp_server(port) as server:
        # Backoff: 2^1 minutes after the failed attempt.
        early = send_pending(db, settings(port), None, now=T0 + timedelta(minutes=1))
        assert (early.sent, early.failed, server.received) == (0, 0, [])
        later = send_pending(db, settings(port), None, now=T0 + timedelta(minutes=2))
        assert (later.sent, later.failed) == (1, 0)
        assert len(server.received) == 1
    stored = row(db, outbox_id)
    assert stored.status == OutboxStatus.SENT
    assert stored.sent_at == T0 + timedelta(minutes=2)
    assert stored.attempts == 2
    assert stored.last_error is None


def test_failed_after_max_attempts_and_retry_on_request(sqlite_db: Database) -> None:
    db = sqlite_db
    [outbox_id] = queue(db)
    port = free_port()
    at = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = send_pending(db, settings(port), None, now=at)
        assert report.failed == 1
        assert report.errors[0].final == (attempt == MAX_ATTEMPTS)
        at += timedelta(minutes=2**attempt)
    stored = row(db, outbox_id)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert send_pending(db, settings(port), None, now=at + timedelta(days=1)).failed == 0
    assert [r.id for r in outbox_rows(db, status=OutboxStatus.FAILED)] == [outbox_id]

    assert retry_failed(db, [outbox_id]) == 1
    with smtp_server(port) as server:
        assert send_pending(db, settings(port), None, now=at + timedelta(days=1)).sent == 1
        assert len(server.received) == 1


def test_refused_login_gives_a_french_reason(db: Database) -> None:
    [outbox_id] = queue(db)
    with smtp_server(credentials=("facturation", "bon-secret")) as server:
        refused = send_pending(db, settings(server.port, "facturation"), "mauvais", now=T0)
        assert refused.errors[0].reason == "identifiant ou mot de passe refusé"
        missing = send_pending(
            db, settings(server.port, "facturation"), None, now=T0 + timedelta(minutes=2)
        )
        assert missing.errors[0].reason.startswith("mot de passe SMTP manquant")
        assert server.received == []
        good = send_pending(
            db, settings(server.port, "facturation"), "bon-secret", now=T0 + timedelta(minutes=6)
        )
        assert good.sent == 1
        assert len(server.received) == 1
    assert row(db, outbox_id).status == OutboxStatus.SENT


def test_a_refused_address_fails_that_message_only(sqlite_db: Database) -> None:
    db = sqlite_db
    bad, good = queue(db, 2)
    with smtp_server() as server:
        server.refuse("client0@exemple.fr")
        report = send_pending(db, settings(server.port), None, now=T0)
        assert [r.rcpt_tos for r in server.received] == [["client1@exemple.fr"]]
    assert (report.sent, report.failed) == (1, 1)
    assert report.errors[0].reason == "adresse refusée par le serveur : client0@exemple.fr"
    assert row(db, bad).status == OutboxStatus.PENDING
    assert row(db, good).status == OutboxStatus.SENT


def test_starttls_not_offered(sqlite_db: Database) -> None:
    queue(sqlite_db)
    with smtp_server() as server:
        tls = SmtpSettings(
            host=HOST, port=server.port, security="starttls", login=None, sender="a@exemple.fr"
        )
        report = send_pending(sqlite_db, tls, None, now=T0)
    assert report.errors[0].reason == f"le serveur ne propose pas STARTTLS ({HOST}:{server.port})"


def test_two_desktops_sending_at_once_send_each_message_once(db: Database) -> None:
    count = 30
    queue(db, count)
    other = Database(db.url)
    barrier = threading.Barrier(2)
    reports = []
    failures: list[BaseException] = []
    try:
        with smtp_server() as server:
            server.handler.delay_s = 0.02  # so that both desktops are sending at the same time

            def run(database: Database) -> None:
                try:
                    barrier.wait(timeout=10)
                    reports.append(send_pending(database, settings(server.port), None, now=T0))
                except BaseException as exc:  # pragma: no cover - reported below
                    failures.append(exc)

            threads = [threading.Thread(target=run, args=(d,)) for d in (db, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            received = server.received
    finally:
        other.dispose()
    assert failures == []
    assert sum(r.sent for r in reports) == count
    assert all(r.sent > 0 for r in reports), "both desktops took part"
    assert sum(r.failed for r in reports) == 0
    subjects = sorted(r.message["Subject"] for r in received)
    assert len(subjects) == count
    assert len(set(subjects)) == count
    with db.read_session() as session:
        statuses = session.scalars(sa.select(OutboxMessage.status)).all()
        attempts = session.scalars(sa.select(OutboxMessage.attempts)).all()
    assert set(statuses) == {OutboxStatus.SENT}
    assert set(attempts) == {1}


def test_a_crashed_claim_is_retried_after_15_minutes(sqlite_db: Database) -> None:
    db = sqlite_db
    [outbox_id] = queue(db)
    with db.session_scope() as session:  # what a desktop that died mid-send leaves behind
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(attempts=1, last_attempt_at=T0, last_error="envoi en cours")
        )
    with smtp_server() as server:
        config = settings(server.port)
        assert send_pending(db, config, None, now=T0 + timedelta(minutes=5)).sent == 0
        assert send_pending(db, config, None, now=T0 + timedelta(minutes=15)).sent == 1
        assert len(server.received) == 1


def test_queue_is_part_of_the_callers_transaction(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.session_scope() as session:
        queue_email(session, to="a@exemple.fr", subject="Relance", body="…")
        raise RuntimeError("the dunning step failed")
    assert outbox_rows(sqlite_db) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": ""}, "Aucun destinataire pour ce message."),
        ({"to": "pas-une-adresse"}, "Adresse du destinataire invalide"),
        ({"cc": "x@"}, "Adresse en copie invalide"),
        ({"subject": "   "}, "Le message n'a pas d'objet."),
    ],
)
def test_queue_refuses_bad_input(sqlite_db: Database, fields: dict[str, str], message: str) -> None:
    args = {"to": "a@exemple.fr", "subject": "Objet", "body": "Texte"} | fields
    with pytest.raises(UserError, match=message), sqlite_db.session_scope() as session:
        queue_email(
            session, to=args["to"], subject=args["subject"], body=args["body"], cc=args.get("cc")
        )


def test_backoff_schedule() -> None:
    assert next_attempt_at(0, None, None, T0) == T0
    assert next_attempt_at(1, T0, "refus", T0) == T0 + timedelta(minutes=2)
    assert next_attempt_at(3, T0, "refus", T0) == T0 + timedelta(minutes=8)
    assert next_attempt_at(1, T0, "envoi en cours", T0) == T0 + timedelta(minutes=15)
    assert next_attempt_at(2, None, "texte libre", T0) == T0 + timedelta(minutes=4)


# --- templates --------------------------------------------------------------------------


def test_dunning_reminder_template() -> None:
    subject, body = email_templates.render(
        email_templates.DUNNING_REMINDER,
        client_name="Boulangerie Martin",
        invoice_numbers=["F-2026-0042", "F-2026-0051"],
        amount_due=Decimal("1234.5"),
        due_date=date(2026, 12, 1),
        provider_name="Hébergeur Démo",
        reminder_days=8,
        deletion_hours=48,
    )
    assert subject == "Relance : facture(s) impayée(s) F-2026-0042, F-2026-0051 — Hébergeur Démo"
    assert "1\u202f234,50\u00a0€" in body
    assert "dans les 8 jours au plus tard, soit avant le 01/12/2026" in body
    assert "$" not in body


@pytest.mark.parametrize("name", email_templates.TEMPLATES)
def test_every_template_renders_with_its_fields(name: str) -> None:
    fields = {field: "X" for field in email_templates.fields_of(name)}
    subject, body = email_templates.render(name, **fields)
    assert subject and body and "$" not in subject + body
    assert "\n" not in subject


def test_suspension_notice_says_why_and_when() -> None:
    fields = dict.fromkeys(email_templates.fields_of(email_templates.SUSPENSION_NOTICE), "X")
    fields["deletion_hours"] = 72  # the provider's setting, not a constant
    _, body = email_templates.render(email_templates.SUSPENSION_NOTICE, **fields)
    assert "Motif de la suspension : impayé." in body
    assert "dans un délai de 72 heures" in body


def test_missing_field_is_named() -> None:
    with pytest.raises(email_templates.TemplateError, match="missing field.*due_date"):
        email_templates.render(
            email_templates.DUNNING_REMINDER,
            client_name="A",
            invoice_numbers="F1",
            amount_due=Decimal(1),
            provider_name="P",
        )
    with pytest.raises(email_templates.TemplateError, match="unknown email template"):
        email_templates.render("nope")


def test_invoice_email_with_its_pdf_is_received(sqlite_db: Database) -> None:
    subject, body = email_templates.render(
        email_templates.INVOICE,
        invoice_number="F-2026-0042",
        invoice_date=date(2026, 11, 1),
        amount=Decimal("120"),
        due_date=date(2026, 12, 1),
        client_name="Boulangerie Martin",
        provider_name="Hébergeur Démo",
    )
    with sqlite_db.session_scope() as session:
        queue_email(
            session,
            to="compta@boulangerie.fr",
            subject=subject,
            body=body,
            attachments=[("F-2026-0042.pdf", PDF, "application/pdf")],
        )
    with smtp_server() as server:
        assert send_pending(sqlite_db, settings(server.port), None, now=T0).sent == 1
        [got] = server.received
    assert got.message["Subject"] == subject
    text = got.message.get_body(("plain",))
    assert text is not None and "120,00\u00a0€" in text.get_content()
    [att] = list(got.message.iter_attachments())
    assert att.get_content() == PDF


def test_ssl_against_a_plain_server(sqlite_db: Database) -> None:
    [outbox_id] = queue(sqlite_db)
    with smtp_server() as server:
        secure = SmtpSettings(
            host=HOST, port=server.port, security="ssl", login=None, sender="a@exemple.fr"
        )
        report = send_pending(sqlite_db, secure, None, now=T0)
    reason = report.errors[0].reason
    assert reason.startswith("connexion sécurisée impossible : ")
    assert reason.endswith(f"({HOST}:{server.port})")
    assert row(sqlite_db, outbox_id).status == OutboxStatus.PENDING


def test_a_crash_during_the_last_attempt_ends_in_failed(db: Database) -> None:
    [outbox_id] = queue(db)
    with db.session_scope() as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(attempts=MAX_ATTEMPTS, last_attempt_at=T0, last_error="envoi en cours")
        )
    with smtp_server() as server:
        config = settings(server.port)
        assert send_pending(db, config, None, now=T0 + timedelta(minutes=5)).sent == 0
        assert row(db, outbox_id).status == OutboxStatus.PENDING
        assert send_pending(db, config, None, now=T0 + timedelta(hours=1)).sent == 0
        assert server.received == []
    [listed] = outbox_rows(db)
    assert listed.status == OutboxStatus.FAILED
    assert listed.last_error == "envoi interrompu, nombre d'essais épuisé"
