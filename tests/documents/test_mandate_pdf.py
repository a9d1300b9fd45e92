"""The SEPA mandate form: both parties, the RUM, the ICS, the rulebook's mentions."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Provider
from desktop.documents.mandate_pdf import MandateSheet, render_mandate
from desktop.errors import UserError
from desktop.services.mandate_print import mandate_sheet
from tests.documents.pdf_helpers import flat, fonts, pages_text, sample_provider
from tests.services.test_sepa_export import CREDITOR_ICS, office

SHEET = MandateSheet(
    rum="BOM-CL00042-C2026-00012",
    creditor_id="FR72ZZZ123456",
    debtor_name="Acme Industrie",
    debtor_address=("3 rue des Forges", "35000 Rennes"),
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


def test_the_form_of_a_recorded_mandate(db: Database) -> None:
    world = office(db)
    sheet, provider = mandate_sheet(db, world.acme_mandate)
    text = flat(pages_text(render_mandate(sheet, provider).data)[0])
    assert f"Référence unique du mandat (RUM) : {world.acme_rum}" in text
    assert "3 quai Saint-Antoine" in text and "69002 Lyon" in text
    assert "Signé le 15/12/2025" in text
    assert f"(ICS) : {CREDITOR_ICS}" in text


def test_no_form_without_the_creditor_identifier(db: Database) -> None:
    world = office(db)
    with db.session_scope() as session:
        session.execute(sa.update(Provider).values(sepa_creditor_id=None))
    with pytest.raises(UserError, match="ICS"):
        mandate_sheet(db, world.acme_mandate)
