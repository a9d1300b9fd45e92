"""The DNS instruction sheet: one table per product line, with plain instructions."""

from __future__ import annotations

from desktop.documents.dns_sheet import render_dns_sheet
from desktop.domain.dns_records import records_for
from desktop.domain.enums import ProductLineCode
from desktop.services.dns_sheet import DnsLine, DnsSheet
from tests.documents.pdf_helpers import flat, fonts, pages_text, sample_provider


def sheet(*codes: ProductLineCode, contracted: bool = True) -> DnsSheet:
    return DnsSheet(
        domain="café-martin.fr",
        a_label="xn--caf-martin-bbb.fr",
        client_name="Café Martin",
        client_code="CL00042",
        lines=tuple(DnsLine(c, c.label, records_for(c, "xn--caf-martin-bbb.fr")) for c in codes),
        contracted=contracted,
        provider=sample_provider(),
    )


def test_office_365_records_and_instructions() -> None:
    data = render_dns_sheet(sheet(ProductLineCode.OFFICE_365))
    text = flat(" ".join(pages_text(data)))
    for phrase in (
        "Configuration DNS du domaine",
        "café-martin.fr",
        "Nom technique (IDNA) xn--caf-martin-bbb.fr",
        "Offre Office 365",
        "Type Nom (hôte) Valeur Priorité",
        "MX xn--caf-martin-bbb.fr xn--caf-martin-bbb-fr.mail.protection.outlook.com",
        "CNAME autodiscover.xn--caf-martin-bbb.fr autodiscover.outlook.com",
        "TXT xn--caf-martin-bbb.fr v=spf1 include:spf.protection.outlook.com -all",
        "bureau d'enregistrement",
        "Gardez vos enregistrements MX actuels jusqu'à la bascule",
        "48 heures",
    ):
        assert phrase in text, phrase
    assert "Offre Hosted Exchange" not in text
    assert all(fonts(data).values())


def test_without_contract_both_lines_are_shown_with_a_warning() -> None:
    both = sheet(ProductLineCode.HOSTED_EXCHANGE, ProductLineCode.OFFICE_365, contracted=False)
    text = flat(" ".join(pages_text(render_dns_sheet(both))))
    assert "Offre Hosted Exchange" in text and "Offre Office 365" in text
    assert "mx1.messagerie-hebergee.fr" in text
    assert "Aucun contrat n'est encore souscrit" in text
