"""The provider's identity: the company that sells the hosted e-mail (one row)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop.domain.identifiers import french_vat_number
from desktop.services.demo.builder import HISTORY_YEARS, DemoBuilder
from desktop.services.demo.dates import paris_time
from desktop.services.demo.identifiers import creditor_id, french_iban, siren

BIC = "CMBRFR2BARK"


def build_provider(b: DemoBuilder) -> None:
    rng = b.rng
    number = siren(rng, str(rng.randint(4, 9)), b.sirens)
    vat = french_vat_number(number)
    account = f"{rng.randint(0, 10**11 - 1):011d}"
    iban = french_iban("15589", "56900", account)
    created = paris_time(date(b.today.year - HISTORY_YEARS - 1, 1, 2), 9 * 60)
    b.add(
        "provider",
        {
            "id": 1,
            "name": "Nuage Armor",
            "legal_form": "SAS",
            "share_capital": Decimal("50000.00"),
            "address_line1": "14 rue du Commerce",
            "address_line2": "Parc d'activités du Golfe",
            "postcode": "56000",
            "city": "Vannes",
            "country": "FR",
            "siren": number,
            "rcs_city": "Vannes",
            "vat_number": vat,
            "phone": "02 97 40 12 34",
            "email": "contact@nuage-armor.fr",
            "website": "https://www.nuage-armor.fr",
            "iban": iban,
            "bic": BIC,
            "sepa_creditor_id": creditor_id(f"{rng.randint(0, 999999):06d}"),
            "invoice_footer": _invoice_footer(number, vat, iban),
            **b.stamps(created),
        },
    )


def _invoice_footer(number: str, vat: str, iban: str) -> str:
    registration = f"{number[:3]} {number[3:6]} {number[6:]}"
    return (
        f"Nuage Armor SAS au capital de 50 000 € — RCS Vannes {registration} "
        f"— TVA intracommunautaire {vat} — IBAN {iban} — BIC {BIC}"
    )
