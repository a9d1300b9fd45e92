"""The renewal run: anniversaries, accounts ending, contracts ending, no double run."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Contract, LifecycleEvent, SepaMandate
from desktop.domain.enums import ContractStatus, LifecycleKind, MailboxStatus, MandateStatus
from desktop.services.contract_actions import request_contract_termination
from desktop.services.contracts import get_contract
from desktop.services.mailboxes import get_mailbox
from desktop.services.renewals import run_renewals, upcoming_renewals
from tests.services.factories import ACTOR
from tests.services.lifecycle_helpers import move, started

S = MailboxStatus


def _renewal_events(db: Database) -> list[str | None]:
    with db.read_session() as session:
        return list(
            session.scalars(
                sa.select(LifecycleEvent.reason)
                .where(LifecycleEvent.kind == LifecycleKind.RENEWAL)
                .order_by(LifecycleEvent.id)
            )
        )


def test_active_accounts_renew_and_requested_ones_end_at_the_anniversary(db: Database) -> None:
    s = started(db, 3)
    leaving, staying, suspended = s.mailbox_ids
    move(db, leaving, S.NON_RENEWAL_REQUESTED, on=date(2026, 9, 1))
    move(db, suspended, S.SUSPENDED)
    assert run_renewals(db, at=date(2026, 12, 31), actor=ACTOR).outcomes == []

    report = run_renewals(db, at=date(2027, 1, 1), actor=ACTOR)
    [outcome] = report.outcomes
    assert (outcome.anniversary, outcome.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert outcome.ended == ("user0@acme.fr",)
    assert outcome.renewed == ("user1@acme.fr", "user2@acme.fr")
    assert not outcome.contract_ends
    ended = get_mailbox(db, leaving)
    assert (ended.status, ended.terminated_on, ended.ends_on) == (
        S.TERMINATED,
        date(2027, 1, 1),
        date(2026, 12, 31),
    )
    assert get_mailbox(db, staying).status is S.ACTIVE
    assert get_mailbox(db, suspended).status is S.SUSPENDED
    assert get_contract(db, s.world.he_contract_id).renewed_through == date(2027, 1, 1)
    assert _renewal_events(db) == [
        "Renouvellement tacite du 01/01/2027 au 31/12/2027 : 2 boîte(s) renouvelée(s), "
        "1 arrivée(s) à échéance"
    ]


def test_running_twice_or_later_does_nothing_twice(db: Database) -> None:
    s = started(db, 2)
    assert len(run_renewals(db, at=date(2027, 1, 15), actor=ACTOR).outcomes) == 1
    assert run_renewals(db, at=date(2027, 1, 15), actor=ACTOR).outcomes == []
    assert run_renewals(db, at=date(2027, 6, 1), actor=ACTOR).outcomes == []
    # Two anniversaries missed are both handled, in order.
    report = run_renewals(db, at=date(2029, 1, 1), actor=ACTOR)
    assert [o.anniversary for o in report.outcomes] == [date(2028, 1, 1), date(2029, 1, 1)]
    assert get_contract(db, s.world.he_contract_id).renewed_through == date(2029, 1, 1)
    assert len(_renewal_events(db)) == 3


def test_the_preview_writes_nothing(db: Database) -> None:
    s = started(db, 2)
    move(db, s.mailbox_ids[0], S.NON_RENEWAL_REQUESTED, on=date(2026, 9, 1))
    preview = run_renewals(db, at=date(2027, 1, 1), actor=ACTOR, apply=False)
    assert (preview.renewed_accounts, preview.ended_accounts, preview.applied) == (1, 1, False)
    assert get_mailbox(db, s.mailbox_ids[0]).status is S.NON_RENEWAL_REQUESTED
    assert get_contract(db, s.world.he_contract_id).renewed_through is None
    applied = run_renewals(db, at=date(2027, 1, 1), actor=ACTOR)
    assert applied.outcomes == preview.outcomes


def test_a_contract_whose_end_was_asked_ends_with_all_its_accounts(db: Database) -> None:
    s = started(db, 2)
    contract_id = s.world.he_contract_id
    version = get_contract(db, contract_id).version
    details = request_contract_termination(
        db,
        contract_id,
        asked_on=date(2026, 10, 1),
        reason="Courrier du client",
        expected_version=version,
        actor=ACTOR,
    )
    assert (details.ends_on, details.termination_requested_on) == (
        date(2026, 12, 31),
        date(2026, 10, 1),
    )
    assert get_mailbox(db, s.mailbox_ids[0]).status is S.NON_RENEWAL_REQUESTED
    [outcome] = run_renewals(db, at=date(2027, 2, 1), actor=ACTOR).outcomes
    assert outcome.contract_ends and outcome.renewed == ()
    contract = get_contract(db, contract_id)
    assert (contract.status, contract.terminated_on) == (
        ContractStatus.TERMINATED,
        date(2027, 1, 1),
    )
    assert {get_mailbox(db, m).status for m in s.mailbox_ids} == {S.TERMINATED}
    assert run_renewals(db, at=date(2028, 2, 1), actor=ACTOR).outcomes == []


def test_upcoming_renewals_flag_clients_without_an_active_mandate(db: Database) -> None:
    s = started(db, 3)
    move(db, s.mailbox_ids[0], S.NON_RENEWAL_REQUESTED, on=date(2026, 9, 1))
    assert upcoming_renewals(db, at=date(2026, 11, 30), days=30) == []
    [due] = upcoming_renewals(db, at=date(2026, 12, 2), days=30)
    assert (due.anniversary, due.renewing, due.ending) == (date(2027, 1, 1), 2, 1)
    assert not due.has_active_mandate
    assert due.warning is not None and "mandat SEPA" in due.warning
    with db.session_scope() as session:
        session.add(
            SepaMandate(
                client_id=s.world.client_id,
                rum="RUM-ACME-0001",
                debtor_name="Acme Industrie",
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
                signed_on=date(2026, 11, 1),
                status=MandateStatus.ACTIVE,
                updated_by=ACTOR,
            )
        )
    [due] = upcoming_renewals(db, at=date(2026, 12, 2), days=30)
    assert due.has_active_mandate and due.warning is None


def test_demo_data_is_up_to_date_with_its_renewals(demo_db: Database) -> None:
    assert run_renewals(demo_db, at=date(2026, 11, 22), actor=ACTOR, apply=False).outcomes == []
    with demo_db.read_session() as session:
        handled = session.scalar(
            sa.select(sa.func.count(Contract.id)).where(Contract.renewed_through.is_not(None))
        )
    assert handled > 0
