"""Catalogue prices at a date (the price history): what a plan or an option cost then."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.models import CatalogueOption, Mailbox, Price, SubscribedOption
from desktop.domain.enums import OptionBilling
from desktop.domain.lifecycle import RUNNING


def price_valid_on(day: date) -> sa.ColumnElement[bool]:
    return sa.and_(Price.valid_from <= day, sa.or_(Price.valid_to.is_(None), Price.valid_to > day))


def monthly_fixed_fees(session: Session, contract_id: int, day: date) -> tuple[Decimal, int]:
    """The contract's monthly fixed fees on ``day`` and the number of accounts counted.

    Fixed fees = the plans of its running accounts plus its monthly options, at
    the catalogue prices valid that day.
    """
    plans = session.execute(
        sa.select(
            sa.func.count(Mailbox.id), sa.func.coalesce(sa.func.sum(Price.amount_excl_vat), 0)
        )
        .select_from(Mailbox)
        .outerjoin(Price, sa.and_(Price.plan_id == Mailbox.plan_id, price_valid_on(day)))
        .where(Mailbox.contract_id == contract_id, Mailbox.status.in_(RUNNING))
    ).one()
    options = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(Price.amount_excl_vat * SubscribedOption.quantity), 0)
        )
        .select_from(SubscribedOption)
        .join(CatalogueOption, CatalogueOption.id == SubscribedOption.option_id)
        .join(Price, sa.and_(Price.option_id == CatalogueOption.id, price_valid_on(day)))
        .outerjoin(Mailbox, Mailbox.id == SubscribedOption.mailbox_id)
        .where(
            CatalogueOption.billing == OptionBilling.MONTHLY,
            SubscribedOption.starts_on <= day,
            sa.or_(SubscribedOption.ends_on.is_(None), SubscribedOption.ends_on >= day),
            sa.or_(
                SubscribedOption.contract_id == contract_id,
                sa.and_(Mailbox.contract_id == contract_id, Mailbox.status.in_(RUNNING)),
            ),
        )
    ).scalar_one()
    total = Decimal(plans[1]) + Decimal(options)
    return total.quantize(Decimal("0.01")), int(plans[0])
