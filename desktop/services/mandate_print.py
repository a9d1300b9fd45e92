"""The printable form of a SEPA mandate, from what the database holds."""

from __future__ import annotations

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Provider, SepaMandate
from desktop.documents.mandate_pdf import MandateSheet
from desktop.errors import UserError
from desktop.services.contract_print import ProviderIdentity, load_provider_identity
from desktop.services.issuing import printable_address


def mandate_sheet(db: Database, mandate_id: int) -> tuple[MandateSheet, ProviderIdentity]:
    """The mandate's form and the provider's letterhead (creditor)."""
    with db.read_session() as session:
        mandate = session.get(SepaMandate, mandate_id)
        if mandate is None:
            raise UserError(f"Mandat introuvable (n° interne {mandate_id}).")
        creditor_id = session.execute(sa.select(Provider.sepa_creditor_id)).scalar_one_or_none()
        if not creditor_id:
            raise UserError(
                "Renseignez l'identifiant créancier SEPA (ICS) du prestataire "
                "(Fichier → Paramètres…) : il figure sur le mandat."
            )
        client = session.get(Client, mandate.client_id)
        assert client is not None
        contract = session.get(Contract, mandate.contract_id) if mandate.contract_id else None
        address = mandate.debtor_address or printable_address(client)
        sheet = MandateSheet(
            rum=mandate.rum,
            creditor_id=creditor_id,
            debtor_name=mandate.debtor_name,
            debtor_address=tuple(line for line in address.splitlines() if line.strip()),
            iban=mandate.iban,
            bic=mandate.bic,
            client_code=client.code,
            contract_number=contract.number if contract else None,
            signed_on=mandate.signed_on,
        )
        return sheet, load_provider_identity(session)
