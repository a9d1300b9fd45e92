"""Issuing: gap-free numbers at issue, frozen identities, totals, the hash chain,
and issued documents that neither the services nor SQL can change."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine, Provider
from desktop.domain.enums import InvoiceStatus
from desktop.errors import UserError
from desktop.services.invoice_chain import verify_chain
from desktop.services.issuing import buyer_of, issue_drafts, seller_of
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice, tamper

DAY = date(2026, 3, 2)


def test_a_draft_has_no_number_until_issued(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).number is None  # type: ignore[union-attr]
    assert issue_drafts(db, [invoice_id], actor=ACTOR, today=DAY) == ["F2026-000001"]
    with db.read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        assert (invoice.status, invoice.issued_on, invoice.due_on) == (
            InvoiceStatus.ISSUED,
            DAY,
            date(2026, 4, 1),
        )
        assert invoice.issued_by == ACTOR
        assert invoice.chain_index == 1 and invoice.previous_hash is None
        assert len(invoice.hash or "") == 64


def test_totals_are_recomputed_per_vat_rate(db: Database) -> None:
    client_id = billing_setup(db)
    lines = [
        ("a", "1", "10.01", "20.00", "10.01"),
        ("b", "1", "10.01", "20.00", "10.01"),
        ("c", "1", "3.33", "5.50", "3.33"),
    ]
    invoice_id, _ = issued_invoice(db, client_id, lines, on=DAY)
    with db.read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        # VAT per rate: 20.02 × 20 % = 4.004 → 4.00; 3.33 × 5.5 % = 0.18315 → 0.18.
        assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (
            Decimal("23.35"),
            Decimal("4.18"),
            Decimal("27.53"),
        )


def test_numbers_follow_each_other_and_restart_each_year(db: Database) -> None:
    client_id = billing_setup(db)
    ids = [draft_invoice(db, client_id) for _ in range(3)]
    assert issue_drafts(db, ids[:2], actor=ACTOR, today=DAY) == ["F2026-000001", "F2026-000002"]
    assert issue_drafts(db, ids[2:], actor=ACTOR, today=date(2027, 1, 4)) == ["F2027-000001"]


def test_a_failed_issue_gives_its_numbers_back(db: Database) -> None:
    client_id = billing_setup(db)
    good = draft_invoice(db, client_id)
    empty = draft_invoice(db, client_id, [])
    with pytest.raises(UserError, match="sans ligne"):
        issue_drafts(db, [good, empty], actor=ACTOR, today=DAY)
    assert issue_drafts(db, [good], actor=ACTOR, today=DAY) == ["F2026-000001"]
    with db.read_session() as session:
        assert session.get(Invoice, empty).status is InvoiceStatus.DRAFT  # type: ignore[union-attr]


def test_issuing_twice_is_refused(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, number = issued_invoice(db, client_id, on=DAY)
    with pytest.raises(UserError, match=f"{number} est déjà émise"):
        issue_drafts(db, [invoice_id], actor=ACTOR, today=DAY)


def test_issue_dates_never_go_back(db: Database) -> None:
    client_id = billing_setup(db)
    issued_invoice(db, client_id, on=date(2026, 3, 10))
    later_id, _ = issued_invoice(db, client_id, on=date(2026, 3, 1))
    with db.read_session() as session:
        assert session.get(Invoice, later_id).issued_on == date(2026, 3, 10)  # type: ignore[union-attr]


def test_identities_are_frozen_at_issue(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, _ = issued_invoice(db, client_id, on=DAY)
    with db.session_scope() as session:
        session.execute(sa.update(Client).values(name="Autre nom", city="Brest"))
        session.execute(sa.update(Provider).values(name="Nouveau nom"))
    with db.read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        assert seller_of(invoice)["name"] == "Nuage Armor"
        assert seller_of(invoice)["penalty_rate"] == "12.00"
        assert buyer_of(invoice)["name"] == invoice.buyer_name == "Acme Industrie"
        assert json.loads(invoice.buyer_json or "")["siren"] == invoice.buyer_siren
        assert "Brest" not in (invoice.buyer_address or "")


def test_the_chain_links_every_document(db: Database) -> None:
    client_id = billing_setup(db)
    for day in (1, 2, 3):
        issued_invoice(db, client_id, on=date(2026, 3, day))
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Invoice.chain_index, Invoice.previous_hash, Invoice.hash).order_by(
                Invoice.chain_index
            )
        ).all()
    assert [r.chain_index for r in rows] == [1, 2, 3]
    assert [r.previous_hash for r in rows] == [None, rows[0].hash, rows[1].hash]
    report = verify_chain(db)
    assert (report.intact, report.checked) == (True, 3)


# --- what SQL cannot do -----------------------------------------------------------------


def _refused(db: Database, statement: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="interdite|non modifiables"):
        with db.session_scope() as session:
            session.execute(sa.text(statement))


def test_the_database_refuses_to_change_an_issued_invoice(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, number = issued_invoice(db, client_id, on=DAY)
    _refused(db, f"UPDATE invoice SET total_incl_vat = 1 WHERE id = {invoice_id}")
    _refused(db, f"UPDATE invoice SET buyer_name = 'X' WHERE id = {invoice_id}")
    _refused(db, f"UPDATE invoice SET status = 'draft' WHERE id = {invoice_id}")
    _refused(db, f"DELETE FROM invoice WHERE id = {invoice_id}")
    _refused(db, f"UPDATE invoice_line SET amount_excl_vat = 0 WHERE invoice_id = {invoice_id}")
    _refused(db, f"DELETE FROM invoice_line WHERE invoice_id = {invoice_id}")
    _refused(
        db,
        "INSERT INTO invoice_line (invoice_id, position, kind, description, quantity, "
        "unit_price_excl_vat, vat_rate, amount_excl_vat) "
        f"VALUES ({invoice_id}, 9, 'service', 'x', 1, 1, 20, 1)",
    )
    with db.session_scope() as session:  # what stays writable: payment status, dispute
        session.execute(
            sa.text(
                f"UPDATE invoice SET status = 'paid', dispute_reason = 'x' WHERE id = {invoice_id}"
            )
        )
    assert verify_chain(db).intact
    with db.read_session() as session:
        assert session.scalar(sa.select(Invoice.number).where(Invoice.id == invoice_id)) == number


def test_drafts_stay_editable(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    with db.session_scope() as session:
        session.execute(sa.delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id))
        session.execute(sa.delete(Invoice).where(Invoice.id == invoice_id))


# --- tampering, found by verify --------------------------------------------------------


def _three_issued(db: Database) -> list[str]:
    client_id = billing_setup(db)
    return [issued_invoice(db, client_id, on=date(2026, 3, d))[1] for d in (1, 2, 3)]


@pytest.mark.parametrize(
    "tampering, problem",
    [
        ("UPDATE invoice SET total_incl_vat = 1.00 WHERE number = '{n}'", "contenu a été modifié"),
        ("UPDATE invoice_line SET description = 'x' WHERE invoice_id = "
         "(SELECT id FROM invoice WHERE number = '{n}')", "contenu a été modifié"),
        ("UPDATE invoice SET previous_hash = NULL WHERE number = '{n}'", "lien"),
    ],
)  # fmt: skip
def test_verify_names_the_first_altered_document(
    db: Database, tampering: str, problem: str
) -> None:
    numbers = _three_issued(db)
    tamper(db, tampering.format(n=numbers[1]))
    report = verify_chain(db)
    assert not report.intact
    assert (report.broken_number, report.checked) == (numbers[1], 1)
    assert problem in (report.problem or "")


def test_verify_notices_a_deleted_document(db: Database) -> None:
    numbers = _three_issued(db)
    tamper(
        db,
        "DELETE FROM invoice_line WHERE invoice_id = "
        f"(SELECT id FROM invoice WHERE number = '{numbers[1]}')",
        f"DELETE FROM invoice WHERE number = '{numbers[1]}'",
    )
    report = verify_chain(db)
    assert report.broken_number == numbers[2]
    assert "n° 2 de la chaîne manque" in (report.problem or "")


def test_verify_of_an_empty_database(db: Database) -> None:
    assert verify_chain(db) == verify_chain(db).__class__(0)
