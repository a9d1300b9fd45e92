"""The SEPA mandate form: both parties, the RUM, the ICS, the rulebook's mentions."""

from __future__ import annotations

from datetime import date

from desktop.documents.mandate_pdf import MandateSheet, render_mandate
from desktop.domain.addresses import PostalAddress
from tests.documents.pdf_helpers import flat, fonts, pages_text, sample_provider

SHEET = MandateSheet(
    rum="BOM-CL00042-C2026-00012",
    creditor_id="FR72ZZZ123456",
    debtor_name="Acme Industrie",
    debtor_address=PostalAddress("3 rue des Forges", None, "35000", "Rennes", "FR"),
    iban="FR7630006000011234567890189",
    bic="AGRIFRPP",
    client_code="CL00042",
    contract_number="C2026-00012",
    signed_on=None,
)


def test_the_form_names_both_parties_and_the_mandate() -> None:
    provider = sample_provider()
    pdf = render_mandate(SHEET, provider)
    assert pdf.pages == 1
    text = flat(pages_text(pdf.data)[0])
    for expected in (
        "Mandat de prélèvement SEPA",
        "Référence unique du mandat (RUM) : BOM-CL00042-C2026-00012",
        "Identifiant créancier SEPA (ICS) : FR72ZZZ123456",
        "Acme Industrie",
        "35000 Rennes",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
        "Paiement récurrent",
        "Code client : CL00042",
        f"vous autorisez {provider.name} à envoyer des instructions à votre banque",
        "dans les 8 semaines suivant la date de débit",
        "Signature du débiteur",
    ):
        assert expected in text, expected
    assert all(fonts(pdf.data).values())  # every font embedded


def test_a_signed_mandate_prints_its_date() -> None:
    pdf = render_mandate(
        SHEET.__class__(**{**SHEET.__dict__, "signed_on": date(2026, 11, 2)}), sample_provider()
    )
    assert "Signé le 02/11/2026" in flat(pages_text(pdf.data)[0])
