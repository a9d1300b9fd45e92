"""A sent quote with every kind of line, for the document, command-line and screen tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop.db.engine import Database
from desktop.domain.enums import ClientStatus, OptionBilling, OptionCategory, PaymentMethod
from desktop.services.quotes import (
    QuoteDetails,
    QuoteDraft,
    QuoteLineDraft,
    create_quote,
    send_quote,
)
from tests.services import billing_helpers as bh
from tests.services.factories import ACTOR, client, domain

D = Decimal


def sent_quote(db: Database, *, extra_lines: int = 0) -> QuoteDetails:
    """D2026-00001 for a prospect: 10 accounts less 10 %, fees, migration, archiving, training."""
    bh.provider(db)
    line = bh.product_line(db)
    plan = bh.plan(db, line, "Exchange 50 Go", ((bh.LONG_AGO, "12.00"),))
    fee = bh.option(
        db,
        "Frais de mise en service",
        OptionBilling.PER_ACT,
        ((bh.LONG_AGO, "150.00"),),
        category=OptionCategory.INITIAL_FEE,
    )
    archive = bh.option(db, "Archivage", OptionBilling.MONTHLY, ((bh.LONG_AGO, "2.00"),))
    owner = client(db, name="Librairie Martin", status=ClientStatus.PROSPECT)
    domain(db, owner.id, "martin.fr")
    lines = [
        QuoteLineDraft(plan_id=plan, quantity=D("10"), discount_percent=D("10.00")),
        QuoteLineDraft(option_id=fee),
        QuoteLineDraft(option_id=archive, quantity=D("10")),
        QuoteLineDraft(description="Formation administrateur", unit_price=D("250.00")),
    ]
    lines += [
        QuoteLineDraft(description=f"Migration de la boîte n° {n}", unit_price=D("40.00"))
        for n in range(1, extra_lines + 1)
    ]
    draft = QuoteDraft(
        client_id=owner.id,
        product_line_id=line,
        payment_method=PaymentMethod.TRANSFER,
        lines=tuple(lines),
    )
    quote = create_quote(db, draft, actor=ACTOR)
    return send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2)).quote
