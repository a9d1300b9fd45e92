"""'Simuler une résiliation': the early-termination fee of a contract (O365 §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desktop.db.engine import Database
from desktop.db.models import Contract
from desktop.domain.clock import utc_now
from desktop.domain.contracts import TerminationFee, termination_fee
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.errors import UserError
from desktop.services.conflicts import CONTRACT, not_found
from desktop.services.prices import monthly_fixed_fees


@dataclass(frozen=True)
class TerminationSimulation:
    contract_id: int
    contract_number: str
    client_name: str
    client_code: str
    product_line_name: str
    service_start: date
    initial_months: int
    renewal_months: int
    effective: date
    fee: TerminationFee
    accounts: int
    """Running accounts whose plans make up the monthly fixed fees."""
    computed_at: datetime
    computed_by: str


def simulate_termination(
    db: Database,
    contract_id: int,
    effective: date,
    *,
    actor: str,
    monthly_fees: Decimal | None = None,
) -> TerminationSimulation:
    """The fee if the contract ended on ``effective``; nothing is written.

    ``monthly_fees`` None: the contract's monthly fixed fees at the catalogue
    prices valid on ``effective`` (its running accounts' plans and monthly options).
    """
    with db.read_session() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise not_found(CONTRACT)
        if contract.service_start is None:
            raise UserError(
                f"Le service du contrat {contract.number} n'a pas commencé : "
                "rien à résilier par anticipation."
            )
        computed, accounts = monthly_fixed_fees(session, contract.id, effective)
        if monthly_fees is not None and monthly_fees < 0:
            raise ValidationError({"monthly_fixed_fees": "Un montant positif ou nul est attendu."})
        try:
            fee = termination_fee(
                contract.service_start,
                contract.initial_months,
                contract.renewal_months,
                effective,
                computed if monthly_fees is None else monthly_fees,
            )
        except InvalidValue as exc:
            raise ValidationError({"effective": exc.message}) from None
        return TerminationSimulation(
            contract_id=contract.id,
            contract_number=contract.number,
            client_name=contract.client.name,
            client_code=contract.client.code,
            product_line_name=contract.product_line.name,
            service_start=contract.service_start,
            initial_months=contract.initial_months,
            renewal_months=contract.renewal_months,
            effective=effective,
            fee=fee,
            accounts=accounts,
            computed_at=utc_now(),
            computed_by=actor,
        )
