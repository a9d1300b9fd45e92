"""What a printed invoice says: read from what was frozen at issue, never from today's rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, Provider
from desktop.documents.facturx import build_facturx, cii_xml, embedded_xml
from desktop.documents.invoice_data import InvoiceDocument
from desktop.domain.clock import paris_today
from desktop.domain.enums import ClientKind, InvoiceKind, PaymentMethod
from desktop.errors import NotFoundError, UserError
from desktop.services.credit_notes import create_credit_note
from desktop.services.invoice_print import draft_document, invoice_document, invoice_documents
from desktop.services.provider import as_draft, get_provider, save_provider
from tests.documents.invoice_samples import png_logo
from tests.documents.pdf_helpers import flat, pages_text
from tests.services.factories import ACTOR, SIREN
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice

DAY = date(2026, 3, 2)


def _set_provider(db: Database, **values: object) -> None:
    """Invoicing settings the provider's form does not edit yet, straight in the row."""
    with db.session_scope() as session:
        provider = session.get(Provider, 1)
        assert provider is not None
        for name, value in values.items():
            setattr(provider, name, value)


def _set_invoice(db: Database, invoice_id: int, **values: object) -> None:
    with db.session_scope() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        for name, value in values.items():
            setattr(invoice, name, value)


def _issued(db: Database) -> tuple[int, str]:
    client_id = billing_setup(db)
    _set_provider(
        db,
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        vat_on_debits=True,
        invoice_footer="Merci de votre confiance.",
    )
    invoice_id = draft_invoice(db, client_id, month=date(2026, 2, 1))
    _set_invoice(
        db,
        invoice_id,
        period_end=date(2026, 2, 28),
        payment_method=PaymentMethod.TRANSFER,
        purchase_order_ref="BC-77",
    )
    return invoice_id, issued_invoice_number(db, invoice_id)


def issued_invoice_number(db: Database, invoice_id: int) -> str:
    from desktop.services.issuing import issue_drafts

    (number,) = issue_drafts(db, [invoice_id], actor=ACTOR, today=DAY)
    return number


def test_an_issued_invoice_prints_its_frozen_data(db: Database) -> None:
    _, number = _issued(db)
    doc = invoice_document(db, f" {number} ")
    assert (doc.kind, doc.number, doc.issued_on) == (InvoiceKind.INVOICE, number, DAY)
    assert (doc.period_start, doc.period_end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert doc.purchase_order_ref == "BC-77"
    seller = doc.seller
    assert (seller.name, seller.legal_form, seller.share_capital) == (
        "Nuage Armor",
        "SAS",
        Decimal("50000.00"),
    )
    assert (seller.siren, seller.rcs_city, seller.vat_number) == (SIREN, "Vannes", "FR03552081317")
    assert seller.address.lines == ("14 rue du Commerce", "56000 Vannes")
    assert (seller.iban, seller.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    buyer = doc.buyer
    assert (buyer.name, buyer.kind, buyer.siren) == ("Acme Industrie", ClientKind.BUSINESS, SIREN)
    assert buyer.address.lines == ("69001 Lyon",)
    assert buyer.code
    assert [(li.position, li.description, li.amount) for li in doc.lines] == [
        (1, "Boîte jean@acme.fr — Exchange 50 Go", Decimal("12.00")),
        (2, "Formation", Decimal("91.00")),
    ]
    assert (doc.totals.excl_vat, doc.totals.vat, doc.totals.incl_vat) == (
        Decimal("103.00"),
        Decimal("7.41"),
        Decimal("110.41"),
    )
    terms = doc.terms
    assert terms.due_on == DAY + timedelta(days=30)
    assert terms.payment_method is PaymentMethod.TRANSFER
    assert (terms.penalty_rate, terms.recovery_indemnity) == (Decimal("12.00"), Decimal("40.00"))
    assert terms.early_payment_discount == "Pas d'escompte pour paiement anticipé."
    assert terms.vat_on_debits is True
    assert doc.footer == "Merci de votre confiance."
    assert doc.corrects is None


def test_today_s_changes_do_not_reach_an_issued_invoice_but_the_logo_does(db: Database) -> None:
    invoice_id, number = _issued(db)
    before = invoice_document(db, number)
    provider = get_provider(db)
    assert provider is not None
    renamed = replace(as_draft(provider), name="Nuage Armor Groupe", share_capital=Decimal("1"))
    save_provider(db, renamed, expected_version=provider.version, actor=ACTOR)
    logo = png_logo()
    _set_provider(db, logo=logo, logo_mime="image/png", penalty_rate=Decimal("15.00"))
    with db.session_scope() as session:
        client_id = session.execute(
            sa.select(Invoice.client_id).where(Invoice.id == invoice_id)
        ).scalar_one()
        client = session.get(Client, client_id)
        assert client is not None
        client.name = "Acme Renommée"
    after = invoice_document(db, number)
    assert after.seller.logo == logo
    assert replace(after, seller=replace(after.seller, logo=None, logo_mime=None)) == before


def test_a_credit_note_names_the_invoice_it_corrects(db: Database) -> None:
    invoice_id, number = _issued(db)
    note_number = create_credit_note(
        db, invoice_id, lines=None, reason="Facturé par erreur", actor=ACTOR, today=DAY
    )
    note = invoice_document(db, note_number)
    assert note.kind is InvoiceKind.CREDIT_NOTE
    assert note.corrects is not None
    assert (note.corrects.number, note.corrects.issued_on) == (number, DAY)
    assert note.reason == "Facturé par erreur"
    assert note.totals.incl_vat == Decimal("110.41")
    text = flat(" ".join(pages_text(build_facturx(note).data)))
    assert f"Avoir sur la facture {number} du 02/03/2026" in text
    assert b"<ram:TypeCode>381</ram:TypeCode>" in cii_xml(note)


def test_unknown_numbers_and_drafts_are_refused(db: Database) -> None:
    client_id = billing_setup(db)
    draft_id = draft_invoice(db, client_id)
    with pytest.raises(NotFoundError, match="« F2099-000001 » introuvable"):
        invoice_document(db, "F2099-000001")
    with pytest.raises(UserError, match="brouillon"):
        invoice_document(db, str(draft_id))
    with pytest.raises(NotFoundError):
        invoice_documents(db, [draft_id, draft_id + 1000])


def test_a_draft_previews_from_the_current_rows(db: Database) -> None:
    client_id = billing_setup(db)
    _set_provider(db, payment_days=45)
    draft_id = draft_invoice(db, client_id)
    doc = draft_document(db, draft_id)
    assert doc.is_draft and doc.number is None
    assert doc.issued_on == paris_today()
    assert doc.terms.due_on == paris_today() + timedelta(days=45)
    assert (doc.seller.name, doc.buyer.name) == ("Nuage Armor", "Acme Industrie")
    assert doc.totals.incl_vat == Decimal("110.41")
    with pytest.raises(UserError, match="brouillon"):
        cii_xml(doc)


def test_a_batch_reads_in_a_few_queries(db: Database) -> None:
    client_id = billing_setup(db)
    ids = [draft_invoice(db, client_id) for _ in range(6)]
    from desktop.services.issuing import issue_drafts

    numbers = issue_drafts(db, ids[:5], actor=ACTOR, today=DAY)
    note = create_credit_note(db, ids[0], lines=None, reason="Erreur", actor=ACTOR, today=DAY)
    with db.read_session() as session:
        note_id = session.execute(sa.select(Invoice.id).where(Invoice.number == note)).scalar_one()
    wanted = [note_id, *reversed(ids)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        docs = invoice_documents(db, wanted)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 7, selects  # invoices, lines, logo, corrected; the draft's rows
    assert [d.number for d in docs] == [note, None, *reversed(numbers)]
    assert docs[0].corrects is not None and docs[0].corrects.number == numbers[0]
    assert docs[1].is_draft
    assert invoice_documents(db, []) == []


def test_printed_invoice_makes_a_valid_factur_x(db: Database) -> None:
    _, number = _issued(db)
    doc: InvoiceDocument = invoice_document(db, number)
    rendered = build_facturx(doc)
    assert embedded_xml(rendered.data) == cii_xml(doc)
    text = flat(" ".join(pages_text(rendered.data)))
    for phrase in (
        f"Facture {number}",
        "SAS au capital de 50 000,00 €",
        "RCS Vannes",
        "Option pour le paiement de la taxe d'après les débits",
        "Total TTC 110,41 €",
        "Votre commande",
        "BC-77",
        "Merci de votre confiance.",
    ):
        assert phrase in text, phrase


def test_issued_invoice_helper_still_works(db: Database) -> None:
    _, number = issued_invoice(db, billing_setup(db), on=DAY)
    assert invoice_document(db, number).issued_on == DAY


def test_a_direct_debit_invoice_freezes_its_mandate_as_its_pre_notification(
    db: Database,
) -> None:
    from desktop.services.invoice_chain import verify_chain
    from desktop.services.issuing import issue_drafts
    from desktop.services.mandates import create_mandate, revoke_mandate

    client_id = billing_setup(db)
    _set_provider(db, sepa_creditor_id="FR12ZZZ123456")
    mandate = create_mandate(
        db,
        client_id,
        debtor_name="Acme Industrie",
        debtor_address="3 quai Saint-Antoine\n69002 Lyon",
        iban="FR14 2004 1010 0505 0001 3M02 606",
        bic="PSSTFRPP",
        signed_on=date(2026, 1, 15),
        actor=ACTOR,
    )
    invoice_id = draft_invoice(db, client_id, month=date(2026, 2, 1))
    _set_invoice(db, invoice_id, payment_method=PaymentMethod.SEPA_DEBIT)
    by_transfer = draft_invoice(db, client_id)
    numbers = issue_drafts(db, [invoice_id, by_transfer], actor=ACTOR, today=DAY)

    terms = invoice_document(db, numbers[0]).terms
    assert (terms.payment_method, terms.creditor_id, terms.mandate_rum, terms.debited_account) == (
        PaymentMethod.SEPA_DEBIT,
        "FR12ZZZ123456",
        mandate.rum,
        "FR*********************2606",
    )
    other = invoice_document(db, numbers[1]).terms
    assert (other.mandate_rum, other.debited_account) == (None, None)
    assert other.creditor_id == "FR12ZZZ123456"  # the seller's, frozen on every invoice

    revoke_mandate(db, mandate.id, revoked_on=DAY, actor=ACTOR)  # later events change nothing
    assert invoice_document(db, numbers[0]).terms.mandate_rum == mandate.rum
    text = flat(" ".join(pages_text(build_facturx(invoice_document(db, numbers[0])).data)))
    assert f"Mandat (RUM) {mandate.rum}" in text
    assert "sur le compte FR…2606" in text
    assert verify_chain(db).intact
