"""Contracts: numbering, terms of the product line, payment, waiver, signed copy; access
codes (never stored); the termination simulation at catalogue prices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import AccessCodeEvent, Contract, Plan, Price, ProductLine
from desktop.domain.enums import (
    AccessCodeAction,
    ClientKind,
    ContractStatus,
    MailboxStatus,
    PaymentMethod,
)
from desktop.domain.errors import ValidationError
from desktop.errors import NotFoundError, UserError
from desktop.services.access_codes import access_code_log, issue_access_code, replace_lost_code
from desktop.services.contract_actions import (
    activate_requested_mailboxes,
    attach_signed_scan,
    get_signed_scan,
)
from desktop.services.contracts import (
    ContractDraft,
    create_contract,
    find_contract,
    get_contract,
    update_contract,
)
from desktop.services.termination import simulate_termination
from tests.services.factories import ACTOR, client, mailbox, world
from tests.services.lifecycle_helpers import START, started


def _o365_choices(db: Database, line_id: int) -> None:
    with db.session_scope() as session:
        line = session.get(ProductLine, line_id)
        assert line is not None
        line.initial_months_choices = "12,24,36"


def test_a_new_contract_is_numbered_and_pending_until_its_service_starts(db: Database) -> None:
    w = world(db)
    draft = ContractDraft(
        client_id=w.client_id, product_line_id=w.he_line_id, ordered_on=date(2026, 11, 2)
    )
    first = create_contract(db, draft, actor=ACTOR)
    second = create_contract(db, draft, actor=ACTOR)
    year = first.created_at.year
    # The world's contracts hold C2026-00001 and -00002 (typed by hand): they are skipped.
    skipped = 2 if year == 2026 else 0
    assert (first.number, second.number) == (
        f"C{year}-{1 + skipped:05d}",
        f"C{year}-{2 + skipped:05d}",
    )
    assert (first.status, first.initial_months, first.renewal_months) == (
        ContractStatus.PENDING,
        12,
        12,
    )
    started_draft = replace(draft, signed_on=date(2026, 11, 3), service_start=date(2026, 11, 5))
    updated = update_contract(
        db, first.id, started_draft, expected_version=first.version, actor=ACTOR
    )
    assert updated.status is ContractStatus.ACTIVE
    assert find_contract(db, f" {first.number} ").id == first.id
    with pytest.raises(NotFoundError, match="Contrat « C1999-1 » introuvable."):
        find_contract(db, "C1999-1")


def test_terms_payment_and_dates_are_checked(db: Database) -> None:
    w = world(db)
    _o365_choices(db, w.o365_line_id)
    bad = ContractDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        initial_months=24,
        payment_method=PaymentMethod.SEPA_DEBIT,
        ordered_on=date(2026, 5, 2),
        signed_on=date(2026, 5, 1),
        service_start=date(2026, 4, 1),
    )
    with pytest.raises(ValidationError) as refused:
        create_contract(db, bad, actor=ACTOR)
    assert refused.value.errors == {
        "initial_months": "L'engagement initial Hosted Exchange est de 12 mois.",
        "signed_on": "La signature ne peut précéder la commande.",
        "service_start": (
            "Le service démarre une fois la commande validée : pas avant la date de commande."
        ),
        "payment_method": (
            "La commande initiale se règle par virement, chèque ou mandat administratif "
            "(HE §9.2) ; le prélèvement SEPA sert aux renouvellements."
        ),
    }
    o365 = ContractDraft(client_id=w.client_id, product_line_id=w.o365_line_id, initial_months=36)
    assert create_contract(db, o365, actor=ACTOR).initial_months == 36
    with pytest.raises(ValidationError) as refused:
        create_contract(db, replace(o365, initial_months=18), actor=ACTOR)
    assert (
        refused.value.errors["initial_months"]
        == "L'engagement initial Office 365 est de 12 ou 24 ou 36 mois."
    )


def test_a_consumer_contract_needs_the_waiver_date_to_start(db: Database) -> None:
    w = world(db)
    consumer = client(db, kind=ClientKind.CONSUMER, name="Jeanne Martin", siren=None)
    draft = ContractDraft(
        client_id=consumer.id, product_line_id=w.he_line_id, service_start=date(2026, 11, 5)
    )
    with pytest.raises(ValidationError) as refused:
        create_contract(db, draft, actor=ACTOR)
    assert (
        "renoncé à son droit de rétractation (HE §10)" in refused.value.errors["consumer_waiver_on"]
    )
    made = create_contract(db, replace(draft, consumer_waiver_on=date(2026, 11, 4)), actor=ACTOR)
    assert made.consumer_waiver_on == date(2026, 11, 4)
    business = ContractDraft(
        client_id=w.client_id, product_line_id=w.he_line_id, consumer_waiver_on=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="ne concerne que les particuliers"):
        create_contract(db, business, actor=ACTOR)


def test_terms_are_frozen_once_an_anniversary_has_passed(db: Database) -> None:
    s = started(db, 1)
    contract_id = s.world.he_contract_id
    with db.session_scope() as session:
        row = session.get(Contract, contract_id)
        assert row is not None
        row.renewed_through = date(2027, 1, 1)
    current = get_contract(db, contract_id)
    draft = ContractDraft(
        client_id=current.client_id,
        product_line_id=current.product_line_id,
        service_start=date(2026, 2, 1),
        initial_months=12,
        renewal_months=12,
    )
    with pytest.raises(ValidationError) as refused:
        update_contract(db, contract_id, draft, expected_version=current.version, actor=ACTOR)
    assert set(refused.value.errors) == {"service_start"}


def test_requested_mailboxes_open_together(db: Database) -> None:
    s = started(db, 1)
    extra = [mailbox(db, s.world, name).id for name in ("anne", "bruno")]
    opened = activate_requested_mailboxes(
        db, s.world.he_contract_id, on=date(2026, 2, 1), reason="Mise en service", actor=ACTOR
    )
    assert opened == 2
    from desktop.services.mailboxes import get_mailbox

    assert {get_mailbox(db, m).status for m in extra} == {MailboxStatus.ACTIVE}
    assert {get_mailbox(db, m).activated_on for m in extra} == {date(2026, 2, 1)}


def test_the_signed_copy_is_kept_in_the_database(db: Database) -> None:
    w = world(db)
    current = get_contract(db, w.he_contract_id)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    with pytest.raises(ValidationError, match="ni un PDF ni une image"):
        attach_signed_scan(
            db, current.id, b"hello", "x.pdf", expected_version=current.version, actor=ACTOR
        )
    with pytest.raises(UserError, match="Aucune copie signée"):
        get_signed_scan(db, current.id)
    saved = attach_signed_scan(
        db,
        current.id,
        pdf,
        "C:\\Scans\\contrat signé.pdf",
        expected_version=current.version,
        actor=ACTOR,
    )
    assert (saved.signed_scan_name, saved.signed_scan_mime) == (
        "contrat signé.pdf",
        "application/pdf",
    )
    scan = get_signed_scan(db, current.id)
    assert (scan.name, scan.mime, scan.data) == ("contrat signé.pdf", "application/pdf", pdf)


def test_access_codes_are_shown_once_and_only_their_log_is_kept(db: Database) -> None:
    w = world(db)
    first = issue_access_code(db, w.client_id, reason="Activation du service", actor=ACTOR)
    assert first.action is AccessCodeAction.ISSUED and first.login == "admin@acme.fr"
    assert len(first.code) == 23 and first.code.count("-") == 3
    second = replace_lost_code(db, w.client_id, reason="Perte signalée par téléphone", actor=ACTOR)
    assert second.action is AccessCodeAction.REPLACED and second.code != first.code
    log = access_code_log(db, w.client_id)
    assert [e.action for e in log] == [
        AccessCodeAction.REPLACED,
        AccessCodeAction.DEACTIVATED,
        AccessCodeAction.ISSUED,
    ]
    assert {e.by for e in log} == {ACTOR}
    # The codes are nowhere in the database.
    with db.read_session() as session:
        for table in ("access_code_event", "lifecycle_event", "client", "audit_log"):
            dump = " ".join(str(row) for row in session.execute(sa.text(f"SELECT * FROM {table}")))
            assert first.code not in dump and second.code not in dump
        assert session.scalar(sa.select(sa.func.count(AccessCodeEvent.id))) == 3


def test_replacing_needs_a_code_already_issued(db: Database) -> None:
    w = world(db)
    with pytest.raises(UserError, match="Aucun code d'accès n'a encore été remis"):
        replace_lost_code(db, w.client_id, reason="Vol", actor=ACTOR)


def test_the_termination_simulation_uses_the_prices_valid_on_the_effective_date(
    db: Database,
) -> None:
    s = started(db, 3, start=date(2026, 1, 1))
    with db.session_scope() as session:
        plan_id = session.scalar(sa.select(Plan.id).where(Plan.code == "HE-STD"))
        session.add_all(
            [
                Price(
                    plan_id=plan_id,
                    amount_excl_vat=Decimal("40.00"),
                    valid_from=date(2025, 1, 1),
                    valid_to=date(2026, 7, 1),
                    updated_by=ACTOR,
                ),
                Price(
                    plan_id=plan_id,
                    amount_excl_vat=Decimal("50.00"),
                    valid_from=date(2026, 7, 1),
                    updated_by=ACTOR,
                ),
            ]
        )
    early = simulate_termination(db, s.world.he_contract_id, date(2026, 3, 10), actor=ACTOR)
    assert (early.fee.monthly_fixed_fees, early.accounts) == (Decimal("120.00"), 3)
    assert (early.fee.months_full, early.fee.total) == (10, Decimal("1200.00"))
    late = simulate_termination(db, s.world.he_contract_id, date(2026, 10, 15), actor=ACTOR)
    assert (late.fee.monthly_fixed_fees, late.fee.months_full, late.fee.total) == (
        Decimal("150.00"),
        3,
        Decimal("450.00"),
    )
    typed = simulate_termination(
        db, s.world.he_contract_id, date(2026, 10, 15), actor=ACTOR, monthly_fees=Decimal("200.00")
    )
    assert typed.fee.total == Decimal("600.00")
    with pytest.raises(ValidationError) as refused:
        simulate_termination(db, s.world.he_contract_id, date(2025, 12, 31), actor=ACTOR)
    assert refused.value.errors == {
        "effective": "La date du 31/12/2025 précède le début du service (01/01/2026)."
    }
    assert START == date(2026, 1, 1)
