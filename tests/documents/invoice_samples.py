"""Invoice documents without a database, for the renderers' tests and benchmarks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from PIL import Image

from desktop.documents.invoice_data import (
    CorrectedInvoice,
    InvoiceDocument,
    InvoiceLineData,
    InvoiceParty,
    InvoiceSeller,
    InvoiceTerms,
)
from desktop.domain.addresses import PostalAddress
from desktop.domain.enums import ClientKind, InvoiceKind, PaymentMethod

# Real identifiers (as in tests/services/factories.py).
SELLER_SIREN = "552081317"
SELLER_VAT = "FR03552081317"
BUYER_SIREN = "732829320"
BUYER_SIRET = "73282932000009"
BUYER_VAT = "FR44732829320"


def png_logo(size: tuple[int, int] = (240, 80)) -> bytes:
    image = Image.new("RGB", size, (31, 58, 95))
    for x in range(0, size[0], 16):
        for y in range(size[1]):
            image.putpixel((x, y), (230, 160, 40))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seller(**changes: Any) -> InvoiceSeller:
    values: dict[str, Any] = {
        "name": "Nuage Armor",
        "legal_form": "SAS",
        "share_capital": Decimal("10000.00"),
        "address": PostalAddress("14 rue du Commerce", None, "56000", "Vannes", "FR"),
        "siren": SELLER_SIREN,
        "rcs_city": "Vannes",
        "vat_number": SELLER_VAT,
        "phone": "02 97 40 12 34",
        "email": "facturation@nuage-armor.fr",
        "website": "https://www.nuage-armor.fr",
        "iban": "FR7630006000011234567890189",
        "bic": "AGRIFRPP",
        "logo": None,
        "logo_mime": None,
    }
    return InvoiceSeller(**(values | changes))


def buyer(**changes: Any) -> InvoiceParty:
    values: dict[str, Any] = {
        "code": "CL00012",
        "kind": ClientKind.BUSINESS,
        "name": "Librairie Martin",
        "address": PostalAddress("3 place des Lices", "Bâtiment B", "35000", "Rennes", "FR"),
        "legal_form": "SARL",
        "siren": BUYER_SIREN,
        "siret": BUYER_SIRET,
        "vat_number": BUYER_VAT,
        "billing_email": "compta@librairie-martin.fr",
    }
    return InvoiceParty(**(values | changes))


def terms(**changes: Any) -> InvoiceTerms:
    values: dict[str, Any] = {
        "due_on": date(2026, 3, 31),
        "payment_method": PaymentMethod.TRANSFER,
        "penalty_rate": Decimal("12.00"),
        "recovery_indemnity": Decimal("40.00"),
        "early_payment_discount": "Pas d'escompte pour paiement anticipé.",
        "vat_on_debits": True,
    }
    return InvoiceTerms(**(values | changes))


MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def line(
    position: int, description: str, quantity: str, price: str, **changes: Any
) -> InvoiceLineData:
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    values: dict[str, Any] = {
        "position": position,
        "description": description,
        "quantity": Decimal(quantity),
        "unit_price": Decimal(price),
        "vat_rate": Decimal("20.00"),
        "amount": amount,
        "period_start": MARCH[0],
        "period_end": MARCH[1],
    }
    return InvoiceLineData(**(values | changes))


def invoice(**changes: Any) -> InvoiceDocument:
    """Invoice F2026-000012: three lines at 20 %, one at 5.5 %; 1 317,79 € incl. VAT."""
    lines = (
        line(1, "Hosted Exchange Standard — 12 comptes", "12", "4.50"),
        line(2, "Hosted Exchange Plus — contact@librairie-martin.fr", "1", "1000.00"),
        line(3, "Archivage légal (par Go)", "16", "0.0125", period_start=None, period_end=None),
        line(4, "Formation en ligne", "1", "50.00", vat_rate=Decimal("5.50")),
    )
    values: dict[str, Any] = {
        "kind": InvoiceKind.INVOICE,
        "number": "F2026-000012",
        "issued_on": date(2026, 3, 1),
        "seller": seller(),
        "buyer": buyer(),
        "lines": lines,
        "terms": terms(),
        "period_start": MARCH[0],
        "period_end": MARCH[1],
        "purchase_order_ref": "BC-2026-077",
        "footer": "Merci de rappeler le numéro de facture avec votre règlement.",
    }
    return InvoiceDocument(**(values | changes))


def credit_note(**changes: Any) -> InvoiceDocument:
    """Credit note AV2026-000003 on F2026-000012's second line."""
    values: dict[str, Any] = {
        "kind": InvoiceKind.CREDIT_NOTE,
        "number": "AV2026-000003",
        "issued_on": date(2026, 3, 10),
        "lines": (line(1, "Hosted Exchange Plus — remboursement", "1", "1000.00"),),
        "corrects": CorrectedInvoice("F2026-000012", date(2026, 3, 1)),
        "reason": "Compte résilié avant sa mise en service.",
        "purchase_order_ref": None,
    }
    return invoice(**(values | changes))


def long_invoice(count: int = 120, **changes: Any) -> InvoiceDocument:
    """An invoice of ``count`` mailbox lines at 4,50 € HT."""
    lines = tuple(
        line(i, f"Hosted Exchange Standard — utilisateur{i:03d}@librairie-martin.fr", "1", "4.50")
        for i in range(1, count + 1)
    )
    return invoice(lines=lines, **changes)


def consumer_invoice(**changes: Any) -> InvoiceDocument:
    person = buyer(
        kind=ClientKind.CONSUMER,
        name="Jeanne Le Goff",
        legal_form=None,
        siren=None,
        siret=None,
        vat_number=None,
        code="CL00040",
    )
    return invoice(buyer=person, purchase_order_ref=None, **changes)


def sepa_invoice(**changes: Any) -> InvoiceDocument:
    """Collected by direct debit: it is also the debit's pre-notification."""
    debit = terms(
        payment_method=PaymentMethod.SEPA_DEBIT,
        creditor_id="FR12ZZZ123456",
        mandate_rum="BOM-CL00012-000001",
        debited_account="FR*********************0189",
    )
    return invoice(terms=debit, **changes)


def draft(**changes: Any) -> InvoiceDocument:
    return invoice(number=None, **changes)
