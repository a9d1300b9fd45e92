"""The bank's answers to a batch: collected, or returned (typed or read from camt.054)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Payment, SepaDebit
from desktop.domain.enums import DebitStatus, InvoiceStatus
from desktop.errors import NotFoundError, UserError
from desktop.services.sepa_batches import (
    batch_debits,
    import_returns,
    list_batches,
    mark_batch_collected,
    returns_lines,
)
from desktop.services.sepa_export import export_pain008
from tests.services.camt054_samples import returns_notification
from tests.services.factories import ACTOR
from tests.services.test_sepa_export import JAN_5, JAN_20, Office, office

D = Decimal
JAN_23 = date(2026, 1, 23)
JAN_26 = date(2026, 1, 26)


def exported(db: Database) -> tuple[Office, str, dict[str, str]]:
    """The office's two Acme debits sent on 20 January: (office, message id, number → e2e)."""
    world = office(db)
    result = export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    [batch] = list_batches(db)
    debits = {d.invoice_number: d.end_to_end_id for d in batch_debits(db, batch.id)}
    return world, result.message_id, debits


def spaced(lines: list[str]) -> list[str]:
    """French amounts are written with no-break spaces: plain spaces to compare."""
    return [line.replace("\u00a0", " ").replace("\u202f", " ") for line in lines]


def statuses(db: Database) -> dict[str, DebitStatus]:
    with db.read_session() as session:
        rows = session.execute(sa.select(SepaDebit.end_to_end_id, SepaDebit.status)).all()
    return dict(rows)  # type: ignore[arg-type]


def test_batches_and_their_debits_are_listed(db: Database) -> None:
    world, message_id, debits = exported(db)
    [batch] = list_batches(db)
    assert (batch.message_id, batch.collection_date, batch.debit_count, batch.total) == (
        message_id,
        JAN_20,
        2,
        D("150.00"),
    )
    assert (batch.sent, batch.collected, batch.rejected) == (2, 0, 0)
    rows = batch_debits(db, batch.id)
    assert [(r.invoice_number, r.client_name, r.amount, r.status) for r in rows] == [
        (world.subscription[1], "Acme Industrie", D("120.00"), DebitStatus.SENT),
        (world.option[1], "Acme Industrie", D("30.00"), DebitStatus.SENT),
    ]
    assert set(debits) == {world.subscription[1], world.option[1]}


def test_a_batch_is_collected_by_its_message_id(db: Database) -> None:
    world, message_id, _debits = exported(db)
    assert mark_batch_collected(db, f" {message_id} ", collected_on=JAN_20, actor=ACTOR) == (
        2,
        D("150.00"),
    )
    [batch] = list_batches(db)
    assert (batch.sent, batch.collected, batch.rejected) == (0, 2, 0)
    assert mark_batch_collected(db, message_id, collected_on=JAN_20, actor=ACTOR) == (
        0,
        D("0.00"),
    )
    with pytest.raises(NotFoundError) as info:
        mark_batch_collected(db, "INCONNU", collected_on=JAN_20, actor=ACTOR)
    assert info.value.message == "Aucune remise de prélèvements n'a l'identifiant « INCONNU »."
    with db.read_session() as session:
        paid = session.execute(sa.select(sa.func.sum(Payment.amount))).scalar_one()
    assert paid == D("150.00")
    assert world is not None


def test_a_camt054_return_makes_the_collected_invoice_unpaid(db: Database) -> None:
    world, message_id, debits = exported(db)
    mark_batch_collected(db, message_id, collected_on=JAN_20, actor=ACTOR)
    e2e = debits[world.subscription[1]]
    data = returns_notification([(e2e, D("120.00"), "AM04", JAN_23)])

    preview = import_returns(db, data, actor=ACTOR, apply=False, today=JAN_26)
    assert [(o.end_to_end_id, o.problem) for o in preview.outcomes] == [(e2e, None)]
    assert statuses(db)[e2e] is DebitStatus.COLLECTED  # the preview wrote nothing

    report = import_returns(db, data, actor=ACTOR, today=JAN_26)
    [outcome] = report.recorded
    assert outcome.result is not None
    assert (outcome.invoice_number, outcome.result.invoice_status, outcome.result.balance) == (
        world.subscription[1],
        InvoiceStatus.ISSUED,
        D("120.00"),
    )
    assert statuses(db) == {
        e2e: DebitStatus.REJECTED,
        debits[world.option[1]]: DebitStatus.COLLECTED,
    }
    with db.read_session() as session:
        debit = session.execute(
            sa.select(SepaDebit).where(SepaDebit.end_to_end_id == e2e)
        ).scalar_one()
        assert debit.reject_reason == "AM04 – Provision insuffisante"
        assert debit.rejected_at is not None and debit.rejected_at.date() == JAN_23
    assert spaced(returns_lines(report, applied=True)) == [
        f"Rejet enregistré : {e2e} (120,00 €, facture {world.subscription[1]}) — "
        "AM04 – Provision insuffisante ; facture émise, reste dû 120,00 €.",
        "1 rejet(s) enregistré(s), 0 ignoré(s).",
    ]

    # The same notification again records nothing twice.
    again = import_returns(db, data, actor=ACTOR, today=JAN_26)
    assert [(o.end_to_end_id, o.problem) for o in again.outcomes] == [
        (e2e, "rejet déjà enregistré")
    ]


def test_unknown_and_mismatched_returns_are_reported_not_recorded(db: Database) -> None:
    world, _message_id, debits = exported(db)
    option = debits[world.option[1]]
    data = returns_notification(
        [
            ("AUTRE-LOGICIEL-0001", D("10.00"), "MD01", JAN_23),
            (option, D("31.00"), "AC04", JAN_23),
            (debits[world.subscription[1]], D("120.00"), "MS03", JAN_23),
        ]
    )
    report = import_returns(db, data, actor=ACTOR, today=JAN_26)
    assert [(o.end_to_end_id, spaced([o.problem or ""])[0]) for o in report.outcomes] == [
        ("AUTRE-LOGICIEL-0001", "prélèvement inconnu de l'application"),
        (option, "montant différent du prélèvement (30,00 €), à vérifier"),
        (debits[world.subscription[1]], ""),
    ]
    assert statuses(db)[option] is DebitStatus.SENT
    assert returns_lines(report, applied=True)[-1] == "1 rejet(s) enregistré(s), 2 ignoré(s)."


def test_an_unreadable_notification_changes_nothing(db: Database) -> None:
    _world, _message_id, debits = exported(db)
    with pytest.raises(UserError) as info:
        import_returns(db, b"<Document><pas-fini>", actor=ACTOR)
    assert "camt.054" in info.value.message
    assert set(statuses(db).values()) == {DebitStatus.SENT}
    empty = import_returns(db, returns_notification([]), actor=ACTOR)
    assert returns_lines(empty, applied=True) == ["Aucun prélèvement rejeté dans ce relevé."]
    assert len(debits) == 2
