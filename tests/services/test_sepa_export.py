"""pain.008 direct-debit files: due invoices, XSD, FRST then RCUR, collection, rejection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sepaxml  # type: ignore[import-untyped]
import sqlalchemy as sa
from lxml import etree

from desktop.db.engine import Database
from desktop.db.models import Counter, Invoice, Payment, SepaBatch, SepaDebit, SepaMandate
from desktop.domain.enums import (
    DebitStatus,
    InvoiceStatus,
    MandateStatus,
    PaymentMethod,
    SequenceType,
)
from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.services import sepa_export
from desktop.services.issuing import issue_drafts
from desktop.services.mandates import create_mandate, revoke_mandate
from desktop.services.provider import ProviderDraft, save_provider
from desktop.services.sepa_export import (
    NO_MANDATE,
    due_debits,
    export_pain008,
    mark_collected,
    record_rejection,
    sepa_export_command_text,
)
from tests.services.factories import ACTOR, OTHER_SIREN, SIREN, client
from tests.services.invoice_helpers import LineSpec, draft_invoice

D = Decimal
CREDITOR_IBAN = "FR7630006000011234567890189"
CREDITOR_ICS = "FR72ZZZ123456"
ACME_IBAN = "FR1420041010050500013M02606"
BOIS_IBAN = "DE89370400440532013000"
JAN_5 = date(2026, 1, 5)
JAN_20 = date(2026, 1, 20)
FEB_2 = date(2026, 2, 2)
FEB_16 = date(2026, 2, 16)
SUBSCRIPTION: Sequence[LineSpec] = (("Abonnement Exchange", "1", "100.00", "20.00", "100.00"),)
OPTION: Sequence[LineSpec] = (("Archivage", "2", "12.50", "20.00", "25.00"),)
SCHEMAS = Path(sepaxml.__file__).parent / "schemas"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def sepa_provider(
    db: Database, *, bic: str | None = "BNPAFRPP", ics: str | None = CREDITOR_ICS
) -> None:
    draft = ProviderDraft(
        name="Nuage Armor",
        legal_form="SAS",
        share_capital=D("50000.00"),
        address_line1="14 rue du Commerce",
        postcode="56000",
        city="Vannes",
        siren=SIREN,
        rcs_city="Vannes",
        iban=CREDITOR_IBAN,
        bic=bic,
        sepa_creditor_id=ics,
    )
    save_provider(db, draft, expected_version=None, actor=ACTOR)


def invoice(
    db: Database,
    client_id: int,
    lines: Sequence[LineSpec],
    *,
    on: date,
    method: PaymentMethod = PaymentMethod.SEPA_DEBIT,
) -> tuple[int, str]:
    invoice_id = draft_invoice(db, client_id, lines)
    with db.session_scope() as session:
        row = session.get(Invoice, invoice_id)
        assert row is not None
        row.payment_method = method
    (number,) = issue_drafts(db, [invoice_id], actor=ACTOR, today=on)
    return invoice_id, number


@dataclass(frozen=True)
class Office:
    acme: int
    bois: int
    acme_rum: str
    acme_mandate: int
    subscription: tuple[int, str]  # Acme, 120.00, by direct debit
    option: tuple[int, str]  # Acme, 30.00, by direct debit
    transfer: tuple[int, str]  # Acme, paid by transfer: never debited
    no_mandate: tuple[int, str]  # Bretagne Bois, 120.00, no mandate


def office(db: Database) -> Office:
    sepa_provider(db)
    acme = client(db).id
    bois = client(db, name="Bretagne Bois", siren=OTHER_SIREN).id
    made = create_mandate(
        db,
        acme,
        debtor_name="Acme Industrie",
        debtor_address="3 quai Saint-Antoine\n69002 Lyon",
        iban=ACME_IBAN,
        bic="PSSTFRPP",
        signed_on=date(2025, 12, 15),
        actor=ACTOR,
    )
    return Office(
        acme=acme,
        bois=bois,
        acme_rum=made.rum,
        acme_mandate=made.id,
        subscription=invoice(db, acme, SUBSCRIPTION, on=JAN_5),
        option=invoice(db, acme, OPTION, on=JAN_5),
        transfer=invoice(db, acme, OPTION, on=JAN_5, method=PaymentMethod.TRANSFER),
        no_mandate=invoice(db, bois, SUBSCRIPTION, on=JAN_5),
    )


def assert_xsd_valid(xml: bytes, version: str = "pain.008.001.02") -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / f"{version}.xsd")))
    document = etree.fromstring(xml)
    schema.assertValid(document)
    return document


def transactions(document: etree._Element) -> list[tuple[str, str, str, str, str]]:
    """(sequence type, collection date, end-to-end id, amount, mandate reference) of each debit."""
    found = []
    for info in document.iterfind(".//p:PmtInf", NS):
        seq = info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS)
        day = info.findtext("p:ReqdColltnDt", namespaces=NS)
        for tx in info.iterfind("p:DrctDbtTxInf", NS):
            found.append(
                (
                    seq,
                    day,
                    tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
                    tx.findtext("p:InstdAmt", namespaces=NS),
                    tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=NS),
                )
            )
    return sorted(found)


def _count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _mandate(db: Database, mandate_id: int) -> tuple[SequenceType, date | None, MandateStatus]:
    with db.read_session() as session:
        row = session.get(SepaMandate, mandate_id)
        assert row is not None
        return row.next_sequence_type, row.last_collection_on, row.status


def _invoice_status(db: Database, invoice_id: int) -> InvoiceStatus:
    with db.read_session() as session:
        row = session.get(Invoice, invoice_id)
        assert row is not None
        return row.status


# --- due invoices -----------------------------------------------------------------------


def test_due_debits_lists_invoices_without_mandate_apart(db: Database) -> None:
    world = office(db)
    due = due_debits(db, JAN_20)
    assert [(d.invoice_number, d.amount, d.rum, d.sequence_type, d.skip_reason) for d in due] == [
        (world.subscription[1], D("120.00"), world.acme_rum, SequenceType.FRST, None),
        (world.option[1], D("30.00"), world.acme_rum, SequenceType.FRST, None),
        (world.no_mandate[1], D("120.00"), None, None, NO_MANDATE),
    ]
    assert NO_MANDATE == "Aucun mandat SEPA actif pour ce client : faites signer un mandat."


# --- the file ---------------------------------------------------------------------------


def test_export_is_xsd_valid_and_matches_the_invoices(db: Database) -> None:
    world = office(db)
    result = export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    assert (result.debit_count, result.total) == (2, D("150.00"))
    assert result.message_id == "BOM-PRLV-20260105-000001"
    assert result.skipped == [(world.no_mandate[1], NO_MANDATE)]
    document = assert_xsd_valid(result.xml)
    sub, opt = world.subscription[1], world.option[1]
    assert transactions(document) == [
        ("FRST", "2026-01-20", f"{sub}-D000001", "120.00", world.acme_rum),
        ("FRST", "2026-01-20", f"{opt}-D000002", "30.00", world.acme_rum),
    ]
    header = document.find("p:CstmrDrctDbtInitn/p:GrpHdr", NS)
    assert header is not None
    assert header.findtext("p:MsgId", namespaces=NS) == result.message_id
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "150.00"
    info = document.find(".//p:PmtInf", NS)
    assert info is not None
    assert info.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == CREDITOR_IBAN
    assert info.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == CREDITOR_ICS
    tx = info.find("p:DrctDbtTxInf", NS)
    assert tx is not None
    assert tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == ACME_IBAN
    assert tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr", namespaces=NS) == "2025-12-15"
    assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == f"Facture {sub}"

    with db.read_session() as session:
        batch = session.get(SepaBatch, result.batch_id)
        assert batch is not None
        assert (batch.message_id, batch.debit_count, batch.total) == (
            result.message_id,
            2,
            D("150.00"),
        )
        assert batch.xml.encode() == result.xml
        debits = session.scalars(sa.select(SepaDebit).order_by(SepaDebit.id)).all()
        assert [(d.invoice_id, d.amount, d.status, d.sequence_type) for d in debits] == [
            (world.subscription[0], D("120.00"), DebitStatus.SENT, SequenceType.FRST),
            (world.option[0], D("30.00"), DebitStatus.SENT, SequenceType.FRST),
        ]
    assert _mandate(db, world.acme_mandate) == (SequenceType.RCUR, JAN_20, MandateStatus.ACTIVE)
    # Invoices in a sent debit are not due again.
    assert [d.invoice_number for d in due_debits(db, FEB_16)] == [world.no_mandate[1]]
    assert sepa_export_command_text(result, "prlv.xml") == [
        "2 prélèvement(s), 150,00\u00a0€, remise BOM-PRLV-20260105-000001 écrite dans prlv.xml.",
        f"Non prélevée : {world.no_mandate[1]} — {NO_MANDATE}",
    ]


def test_version_08_is_valid_too(db: Database) -> None:
    office(db)
    result = export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5, version="08")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "pain.008.001.08.xsd")))
    document = etree.fromstring(result.xml)
    schema.assertValid(document)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
    assert [e.text for e in document.iterfind(".//p:SeqTp", ns)] == ["FRST"]


def test_frst_then_rcur_over_two_collections(db: Database) -> None:
    world = office(db)
    first = export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    assert mark_collected(db, first.batch_id, collected_on=JAN_20, actor=ACTOR) == 2
    assert _invoice_status(db, world.subscription[0]) is InvoiceStatus.PAID
    # A second client signs; a new month's invoice for each.
    bois_mandate = create_mandate(
        db,
        world.bois,
        debtor_name="Bretagne Bois",
        debtor_address=None,
        iban=BOIS_IBAN,
        signed_on=date(2026, 1, 25),
        actor=ACTOR,
    )
    _, february = invoice(db, world.acme, SUBSCRIPTION, on=FEB_2)
    second = export_pain008(db, collection_date=FEB_16, actor=ACTOR, today=FEB_2)
    assert second.message_id == "BOM-PRLV-20260202-000002"
    assert second.skipped == []
    document = assert_xsd_valid(second.xml)
    assert transactions(document) == [
        ("FRST", "2026-02-16", f"{world.no_mandate[1]}-D000004", "120.00", bois_mandate.rum),
        ("RCUR", "2026-02-16", f"{february}-D000003", "120.00", world.acme_rum),
    ]
    # One PmtInf per sequence type, in the order of the debits (Acme first).
    assert [e.text for e in document.iterfind(".//p:SeqTp", NS)] == ["RCUR", "FRST"]
    assert _mandate(db, bois_mandate.id) == (SequenceType.RCUR, FEB_16, MandateStatus.ACTIVE)


def test_collection_date_before_the_pre_notification_is_refused(db: Database) -> None:
    office(db)
    with pytest.raises(ValidationError) as info:
        export_pain008(db, collection_date=date(2026, 1, 18), actor=ACTOR, today=JAN_5)
    assert info.value.errors == {
        "collection_date": (
            "Le débiteur doit être prévenu 14 jours avant le prélèvement : "
            "choisissez une date d'échéance au 19/01/2026 ou après."
        )
    }
    assert (_count(db, SepaBatch), _count(db, SepaDebit)) == (0, 0)
    result = export_pain008(db, collection_date=date(2026, 1, 19), actor=ACTOR, today=JAN_5)
    assert result.debit_count == 2


def test_nothing_is_written_when_the_file_cannot_be_delivered(db: Database) -> None:
    world = office(db)

    def fail(_xml: bytes) -> None:
        raise UserError("Dossier introuvable : /nulle/part")

    with pytest.raises(UserError, match="Dossier introuvable"):
        export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5, deliver=fail)
    assert (_count(db, SepaBatch), _count(db, SepaDebit)) == (0, 0)
    assert _mandate(db, world.acme_mandate) == (SequenceType.FRST, None, MandateStatus.ACTIVE)
    with db.read_session() as session:
        assert session.get(Counter, "sepa-batch") is None
    written: list[bytes] = []
    result = export_pain008(
        db, collection_date=JAN_20, actor=ACTOR, today=JAN_5, deliver=written.append
    )
    assert written == [result.xml]
    assert result.message_id == "BOM-PRLV-20260105-000001"


def test_a_file_failing_the_xsd_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = office(db)
    real = sepa_export._payment

    def bad_iban(*args: Any) -> dict[str, Any]:
        return real(*args) | {"IBAN": "NOT AN IBAN"}

    monkeypatch.setattr(sepa_export, "_payment", bad_iban)
    with pytest.raises(UserError) as info:
        export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    assert info.value.message.startswith(
        "Le fichier de prélèvements ne respecte pas le schéma XSD pain.008.001.02 : "
        "rien n'a été enregistré ("
    )
    assert (_count(db, SepaBatch), _count(db, SepaDebit)) == (0, 0)
    assert _mandate(db, world.acme_mandate) == (SequenceType.FRST, None, MandateStatus.ACTIVE)
    with db.read_session() as session:
        assert session.get(Counter, "sepa-batch") is None
        assert session.get(Counter, "sepa-debit") is None


def test_missing_creditor_settings_are_explained(db: Database) -> None:
    sepa_provider(db, ics=None)
    with pytest.raises(UserError) as info:
        export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    assert info.value.message == (
        "Renseignez dans les paramètres du prestataire l'identifiant créancier SEPA (ICS)."
    )


def test_nothing_to_collect(db: Database) -> None:
    world = office(db)
    revoke_mandate(db, world.acme_mandate, revoked_on=JAN_5, actor=ACTOR)
    with pytest.raises(UserError) as info:
        export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    assert info.value.message == "Aucune facture à prélever (3 sans mandat utilisable)."
    assert _count(db, SepaBatch) == 0


def test_unknown_version_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5, version="05")
    assert info.value.errors == {"version": "Version « 05 » inconnue : 02 (pain.008.001.02) ou 08."}


# --- after the file ---------------------------------------------------------------------


def _debit_id(db: Database, invoice_id: int) -> int:
    with db.read_session() as session:
        return session.execute(
            sa.select(SepaDebit.id).where(SepaDebit.invoice_id == invoice_id)
        ).scalar_one()


def test_a_rejected_collection_makes_the_invoice_unpaid_again(db: Database) -> None:
    world = office(db)
    first = export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    mark_collected(db, first.batch_id, collected_on=JAN_20, actor=ACTOR)
    debit_id = _debit_id(db, world.subscription[0])
    result = record_rejection(
        db,
        debit_id,
        rejected_on=date(2026, 1, 23),
        reason="AM04 provision insuffisante",
        actor=ACTOR,
    )
    assert (result.invoice_number, result.invoice_status, result.balance) == (
        world.subscription[1],
        InvoiceStatus.ISSUED,
        D("120.00"),
    )
    with db.read_session() as session:
        debit = session.get(SepaDebit, debit_id)
        assert debit is not None
        assert (debit.status, debit.reject_reason) == (
            DebitStatus.REJECTED,
            "AM04 provision insuffisante",
        )
        payment = session.scalars(
            sa.select(Payment).where(Payment.invoice_id == world.subscription[0])
        ).one()
        assert payment.method is PaymentMethod.SEPA_DEBIT
        assert payment.reference == debit.end_to_end_id
        assert payment.rejection_reason == "AM04 provision insuffisante"
        assert payment.rejected_at is not None
    # The other debit of the file stays collected.
    assert _invoice_status(db, world.option[0]) is InvoiceStatus.PAID
    # It was the mandate's first collection: the next one is FRST again.
    assert _mandate(db, world.acme_mandate) == (SequenceType.FRST, None, MandateStatus.ACTIVE)
    due = [d for d in due_debits(db, FEB_16) if d.ready]
    assert [(d.invoice_number, d.amount, d.sequence_type) for d in due] == [
        (world.subscription[1], D("120.00"), SequenceType.FRST)
    ]
    again = export_pain008(db, collection_date=FEB_16, actor=ACTOR, today=FEB_2)
    assert transactions(assert_xsd_valid(again.xml)) == [
        ("FRST", "2026-02-16", f"{world.subscription[1]}-D000003", "120.00", world.acme_rum)
    ]


def test_a_rejection_before_collection_leaves_the_invoice_unpaid(db: Database) -> None:
    world = office(db)
    export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5)
    debit_id = _debit_id(db, world.option[0])
    with pytest.raises(ValidationError) as info:
        record_rejection(db, debit_id, rejected_on=JAN_20, reason=" ", actor=ACTOR)
    assert info.value.errors == {"reason": "Indiquez le motif du rejet (code banque ou libellé)."}
    result = record_rejection(db, debit_id, rejected_on=JAN_20, reason="MD01", actor=ACTOR)
    assert (result.invoice_status, result.balance) == (InvoiceStatus.ISSUED, D("30.00"))
    with pytest.raises(UserError) as twice:
        record_rejection(db, debit_id, rejected_on=JAN_20, reason="MD01", actor=ACTOR)
    assert twice.value.message.endswith("est Rejeté.")
    assert _count(db, Payment) == 0
