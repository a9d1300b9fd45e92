"""The catalogue staff maintain: plans and options, their VAT rate and price history.

Business rules §5: prices are excl. VAT, each valid over ``[valid_from, valid_to)``;
the history of a plan or an option stays contiguous (a new price closes the one
running on its first day). An invoice copies the price valid on the day it bills,
so a price row that an issued invoice used is never changed: a new price may
start in the past only where no issued invoice line used the plan or option.
A plan or option without its own VAT rate uses the provider's default rate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Invoice,
    InvoiceLine,
    Plan,
    Price,
    ProductLine,
)
from desktop.documents.french import french_money
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.enums import (
    InvoiceStatus,
    MailboxKind,
    OptionBilling,
    OptionCategory,
    ProductLineCode,
)
from desktop.domain.roles import Permission
from desktop.services.access import requires
from desktop.services.billing_run import default_vat_rate
from desktop.services.conflicts import (
    Noun,
    Target,
    UniqueRule,
    check_version,
    not_found,
    write_scope,
)
from desktop.services.fields import raise_if_any, text_field

PLAN = Noun("Cette formule", feminine=True)
OPTION = Noun("Cette option", feminine=True)
PRODUCT_LINE = Noun("Cette gamme", feminine=True)

MAX_AMOUNT = Decimal("999999999999.99")
"""The largest amount the ``price.amount_excl_vat`` column holds (14 digits, 2 decimals)."""
MAX_VAT_RATE = Decimal("100")
MAX_QUOTA_GB = 100_000
INVOICES_NAMED = 3
"""How many of the issued invoices in the way a refusal names."""

_CENT = Decimal("0.01")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*")

CODE_TAKEN = "Ce code est déjà utilisé par une autre {what} : choisissez-en un autre."
PLAN_CODE_RULE = UniqueRule("uq_plan_code", "code", CODE_TAKEN.format(what="formule"))
OPTION_CODE_RULE = UniqueRule("uq_catalogue_option_code", "code", CODE_TAKEN.format(what="option"))
SAME_DAY_RULES = (
    UniqueRule("uq_price_plan_id_valid_from", "valid_from", "Un tarif commence déjà à cette date."),
    UniqueRule(
        "uq_price_option_id_valid_from", "valid_from", "Un tarif commence déjà à cette date."
    ),
)


# --- what is read -----------------------------------------------------------------------


@dataclass(frozen=True)
class PriceRow:
    """One price of the history, excl. VAT, valid from ``valid_from`` to ``valid_to`` excluded."""

    id: int
    amount: Decimal
    valid_from: date
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True, kw_only=True)
class CatalogueItem:
    """What plans and options share: identity, VAT, activity and prices."""

    id: int
    version: int
    code: str
    name: str
    active: bool
    vat_rate: Decimal | None
    """As stored: None is the provider's default rate."""
    effective_vat_rate: Decimal
    """The rate invoices apply: :attr:`vat_rate`, else the provider's default."""
    current_price: Decimal | None
    """The price valid on the catalogue's day, None when none is."""
    prices: tuple[PriceRow, ...]
    """The whole history, oldest first."""

    @property
    def uses_default_vat(self) -> bool:
        return self.vat_rate is None


@dataclass(frozen=True, kw_only=True)
class PlanRow(CatalogueItem):
    product_line_id: int
    product_line_name: str
    quota_gb: int
    mailbox_kind: MailboxKind


@dataclass(frozen=True, kw_only=True)
class OptionRow(CatalogueItem):
    category: OptionCategory
    billing: OptionBilling
    product_line_id: int | None
    product_line_name: str | None
    """None: the option is offered on every product line."""


@dataclass(frozen=True)
class ProductLineRow:
    id: int
    code: ProductLineCode
    name: str
    plans: tuple[PlanRow, ...]


@dataclass(frozen=True)
class Catalogue:
    day: date
    """The day the current prices are those of."""
    default_vat_rate: Decimal
    product_lines: tuple[ProductLineRow, ...]
    options: tuple[OptionRow, ...]

    @property
    def plans(self) -> tuple[PlanRow, ...]:
        return tuple(plan for line in self.product_lines for plan in line.plans)


# --- reading ----------------------------------------------------------------------------


def catalogue(db: Database, day: date | None = None) -> Catalogue:
    """Every product line with its plans, and every option, priced on ``day`` (today).

    Five queries whatever the size of the catalogue.
    """
    on = paris_today() if day is None else day
    with db.read_session() as session:
        default = default_vat_rate(session)
        prices = _price_history(session)
        lines = session.execute(sa.select(ProductLine.id, ProductLine.code, ProductLine.name))
        line_rows = sorted(lines, key=lambda row: list(ProductLineCode).index(row.code))
        names = {row.id: row.name for row in line_rows}
        plans: dict[int, list[PlanRow]] = defaultdict(list)
        for plan in session.scalars(sa.select(Plan).order_by(Plan.name, Plan.id)):
            row = _plan_row(
                plan, names[plan.product_line_id], prices[("plan", plan.id)], on, default
            )
            plans[plan.product_line_id].append(row)
        options = [
            _option_row(option, names, prices[("option", option.id)], on, default)
            for option in session.scalars(
                sa.select(CatalogueOption).order_by(CatalogueOption.name, CatalogueOption.id)
            )
        ]
        return Catalogue(
            day=on,
            default_vat_rate=default,
            product_lines=tuple(
                ProductLineRow(row.id, row.code, row.name, tuple(plans[row.id]))
                for row in line_rows
            ),
            options=tuple(options),
        )


def _price_history(session: Session) -> dict[tuple[str, int], list[PriceRow]]:
    history: dict[tuple[str, int], list[PriceRow]] = defaultdict(list)
    query = sa.select(
        Price.id, Price.plan_id, Price.option_id, Price.amount_excl_vat, Price.valid_from,
        Price.valid_to,
    ).order_by(Price.valid_from)  # fmt: skip
    for row in session.execute(query):
        key = ("plan", row.plan_id) if row.plan_id is not None else ("option", row.option_id)
        history[key].append(PriceRow(row.id, row.amount_excl_vat, row.valid_from, row.valid_to))
    return history


def _item_fields(
    item: Plan | CatalogueOption, prices: list[PriceRow], day: date, default: Decimal
) -> dict[str, Any]:
    current = next((price.amount for price in prices if price.valid_on(day)), None)
    return {
        "id": item.id,
        "version": item.version,
        "code": item.code,
        "name": item.name,
        "active": item.active,
        "vat_rate": item.vat_rate,
        "effective_vat_rate": default if item.vat_rate is None else item.vat_rate,
        "current_price": current,
        "prices": tuple(prices),
    }


def _plan_row(
    plan: Plan, line_name: str, prices: list[PriceRow], day: date, default: Decimal
) -> PlanRow:
    return PlanRow(
        **_item_fields(plan, prices, day, default),
        product_line_id=plan.product_line_id,
        product_line_name=line_name,
        quota_gb=plan.quota_gb,
        mailbox_kind=plan.mailbox_kind,
    )


def _option_row(
    option: CatalogueOption,
    line_names: dict[int, str],
    prices: list[PriceRow],
    day: date,
    default: Decimal,
) -> OptionRow:
    line_id = option.product_line_id
    return OptionRow(
        **_item_fields(option, prices, day, default),
        category=option.category,
        billing=option.billing,
        product_line_id=line_id,
        product_line_name=None if line_id is None else line_names.get(line_id),
    )


def _item_row(session: Session, item: Plan | CatalogueOption) -> PlanRow | OptionRow:
    """One plan or option as read back after a change, priced today."""
    session.flush()
    key = Price.plan_id if isinstance(item, Plan) else Price.option_id
    rows = session.execute(
        sa.select(Price.id, Price.amount_excl_vat, Price.valid_from, Price.valid_to)
        .where(key == item.id)
        .order_by(Price.valid_from)
    )
    prices = [PriceRow(*row) for row in rows]
    default, today = default_vat_rate(session), paris_today()
    names = {
        row.id: row.name for row in session.execute(sa.select(ProductLine.id, ProductLine.name))
    }
    if isinstance(item, Plan):
        return _plan_row(item, names[item.product_line_id], prices, today, default)
    return _option_row(item, names, prices, today, default)


# --- validation -------------------------------------------------------------------------


def _decimal(
    errors: dict[str, str], field: str, value: object, *, maximum: Decimal, too_big: str
) -> Decimal | None:
    """A Decimal from 0 to ``maximum`` with at most two decimals (never a float)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        errors.setdefault(field, "Nombre décimal attendu.")
        return None
    if value < 0:
        errors.setdefault(field, "La valeur ne peut pas être négative.")
        return None
    if value > maximum:
        errors.setdefault(field, too_big)
        return None
    if value.quantize(_CENT) != value:
        errors.setdefault(field, "Deux décimales au maximum.")
        return None
    return value.quantize(_CENT)


def check_amount(value: object) -> tuple[Decimal | None, dict[str, str]]:
    """A price excl. VAT: a Decimal ≥ 0 with at most two decimals; errors keyed ``amount``."""
    errors: dict[str, str] = {}
    too_big = f"Le montant ne peut pas dépasser {french_money(MAX_AMOUNT)}."
    amount = _decimal(errors, "amount", value, maximum=MAX_AMOUNT, too_big=too_big)
    return amount, errors


def check_vat_rate(value: object) -> tuple[Decimal | None, dict[str, str]]:
    """A VAT rate in percent, from 0 to 100, two decimals; errors keyed ``vat_rate``."""
    errors: dict[str, str] = {}
    too_big = "Un taux de TVA ne dépasse pas 100 %."
    rate = _decimal(errors, "vat_rate", value, maximum=MAX_VAT_RATE, too_big=too_big)
    return rate, errors


def _valid_from(errors: dict[str, str], value: object) -> date | None:
    if not isinstance(value, date) or hasattr(value, "hour"):
        errors.setdefault("valid_from", "Date de début attendue.")
        return None
    return value


def _code(errors: dict[str, str], value: str | None, column: Any) -> str | None:
    text = text_field(errors, "code", value, column, required="Indiquez le code.")
    if text is None or "code" in errors:
        return None
    code = text.upper()
    if _CODE.fullmatch(code) is None:
        errors["code"] = (
            "Le code ne contient que des lettres sans accent, des chiffres, "
            "des tirets, des points ou des soulignés (par exemple HEX-50)."
        )
        return None
    return code


def _owner(plan_id: int | None, option_id: int | None) -> tuple[type[Plan | CatalogueOption], int]:
    if (plan_id is None) == (option_id is None):
        raise ValueError("give exactly one of plan_id and option_id")
    if plan_id is not None:
        return Plan, plan_id
    assert option_id is not None
    return CatalogueOption, option_id


def _noun(model: type[Plan | CatalogueOption]) -> Noun:
    return PLAN if model is Plan else OPTION


def _load(
    session: Session, model: type[Plan | CatalogueOption], item_id: int
) -> Plan | CatalogueOption:
    """The plan or option, locked (PostgreSQL) so that two price changes queue up."""
    item = cast(Plan | CatalogueOption | None, session.get(model, item_id, with_for_update=True))
    if item is None:
        raise not_found(_noun(model))
    return item


def _stamp(item: Plan | CatalogueOption, actor: str) -> None:
    item.updated_by = actor
    item.updated_at = utc_now()


# --- prices -----------------------------------------------------------------------------


@requires(Permission.SETTINGS)
def add_price(
    db: Database,
    *,
    plan_id: int | None = None,
    option_id: int | None = None,
    amount: Decimal,
    valid_from: date,
    actor: str,
    today: date | None = None,
) -> PriceRow:
    """A new price of a plan or an option from ``valid_from``; the history stays contiguous.

    The price running on ``valid_from`` ends that day; the new one runs until the
    next price starts (or for good). Refused (ValidationError, nothing written):
    an amount that is negative or has more than two decimals; a price already
    starting that day; a start before today where an issued invoice already billed
    the plan or option on or after it (an invoice keeps the prices it used).
    """
    model, item_id = _owner(plan_id, option_id)
    errors: dict[str, str] = {}
    checked, amount_errors = check_amount(amount)
    errors.update(amount_errors)
    start = _valid_from(errors, valid_from)
    raise_if_any(errors)
    assert checked is not None and start is not None
    with write_scope(db, unique=SAME_DAY_RULES) as session:
        item = _load(session, model, item_id)
        key = Price.plan_id if model is Plan else Price.option_id
        history = list(session.scalars(sa.select(Price).where(key == item_id)))
        history.sort(key=lambda price: price.valid_from)
        same_day = next((price for price in history if price.valid_from == start), None)
        if same_day is not None:
            raise_if_any({"valid_from": _same_day_message(same_day)})
        if start < (paris_today() if today is None else today):
            _refuse_if_invoiced(session, key.key, item_id, start)
        running = next((p for p in history if p.valid_from < start and _runs_on(p, start)), None)
        following = next((price for price in history if price.valid_from > start), None)
        if running is not None:
            running.valid_to = start
        price = Price(
            amount_excl_vat=checked,
            valid_from=start,
            valid_to=None if following is None else following.valid_from,
            updated_by=actor,
        )
        setattr(price, key.key, item_id)
        session.add(price)
        _stamp(item, actor)  # bumps its version: an open form sees the change
        session.flush()
        return PriceRow(price.id, price.amount_excl_vat, price.valid_from, price.valid_to)


def _runs_on(price: Price, day: date) -> bool:
    return price.valid_from <= day and (price.valid_to is None or price.valid_to > day)


def _same_day_message(price: Price) -> str:
    end = "" if price.valid_to is None else f", jusqu'au {price.valid_to:%d/%m/%Y}"
    return (
        f"Un tarif commence déjà le {price.valid_from:%d/%m/%Y} : "
        f"{french_money(price.amount_excl_vat)} HT{end}. "
        "Choisissez une autre date de début."
    )


def _refuse_if_invoiced(session: Session, column: str, item_id: int, start: date) -> None:
    """Refuse a start date on or before which issued invoices already billed the item."""
    billed_until = sa.func.coalesce(
        InvoiceLine.period_end, InvoiceLine.period_start, Invoice.issued_on
    )
    rows = session.execute(
        sa.select(Invoice.number, billed_until.label("until"))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            getattr(InvoiceLine, column) == item_id,
            Invoice.status != InvoiceStatus.DRAFT,
            billed_until >= start,
        )
        .order_by(Invoice.number)
        .distinct()
    ).all()
    if not rows:
        return
    numbers = sorted({row.number for row in rows if row.number})
    shown = ", ".join(numbers[:INVOICES_NAMED])
    more = len(numbers) - INVOICES_NAMED
    if more > 0:
        shown += f" et {more} autre{'s' if more > 1 else ''}"
    last = max(row.until for row in rows)
    raise_if_any(
        {
            "valid_from": (
                f"Des factures émises utilisent déjà le tarif en vigueur à cette date : "
                f"{shown}. Une facture garde les prix qu'elle a appliqués : choisissez une "
                f"date après le {last:%d/%m/%Y}."
            )
        }
    )


# --- VAT and activity -------------------------------------------------------------------


@requires(Permission.SETTINGS)
def set_vat_rate(
    db: Database,
    *,
    plan_id: int | None = None,
    option_id: int | None = None,
    rate: Decimal | None,
    expected_version: int,
    actor: str,
) -> PlanRow | OptionRow:
    """The VAT rate of a plan or option; None: the provider's default rate.

    Invoices already made keep the rate they applied; the next billing run uses this one.
    """
    checked: Decimal | None = None
    if rate is not None:
        checked, errors = check_vat_rate(rate)
        raise_if_any(errors)
    return _update(db, plan_id, option_id, {"vat_rate": checked}, expected_version, actor)


@requires(Permission.SETTINGS)
def set_active(
    db: Database,
    *,
    plan_id: int | None = None,
    option_id: int | None = None,
    active: bool,
    expected_version: int,
    actor: str,
) -> PlanRow | OptionRow:
    """Offer a plan or option again, or no longer (existing subscriptions stay billed)."""
    return _update(db, plan_id, option_id, {"active": active}, expected_version, actor)


def _update(
    db: Database,
    plan_id: int | None,
    option_id: int | None,
    values: dict[str, Any],
    expected_version: int,
    actor: str,
) -> PlanRow | OptionRow:
    """Set ``values`` on a plan or option read at ``expected_version`` (optimistic lock)."""
    model, item_id = _owner(plan_id, option_id)
    target = Target(_noun(model), model, item_id)
    with write_scope(db, target=target) as session:
        item = _load(session, model, item_id)
        check_version(target.noun, item, expected_version)
        if any(getattr(item, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(item, name, value)
            _stamp(item, actor)
        return _item_row(session, item)


# --- new plans and options --------------------------------------------------------------


@requires(Permission.SETTINGS)
def create_plan(
    db: Database,
    *,
    product_line_id: int,
    code: str,
    name: str,
    quota_gb: int,
    mailbox_kind: MailboxKind = MailboxKind.USER,
    vat_rate: Decimal | None = None,
    amount: Decimal,
    valid_from: date,
    actor: str,
) -> PlanRow:
    """A new plan of a product line, with its first price."""
    errors: dict[str, str] = {}
    fields = _new_item_fields(errors, code, Plan.code, name, Plan.name, vat_rate)
    checked_amount = _first_price(errors, amount, valid_from)
    quota = _quota(errors, quota_gb)
    if not isinstance(mailbox_kind, MailboxKind):
        errors["mailbox_kind"] = "Choisissez le type de boîte."
    with write_scope(db, unique=(PLAN_CODE_RULE,)) as session:
        if session.get(ProductLine, product_line_id) is None:
            errors["product_line_id"] = "Choisissez la gamme de la formule."
        _check_code_free(session, errors, Plan, fields.get("code"))
        raise_if_any(errors)
        plan = Plan(
            product_line_id=product_line_id,
            quota_gb=quota,
            mailbox_kind=mailbox_kind,
            updated_by=actor,
            **fields,
        )
        session.add(plan)
        session.flush()
        session.add(_price(plan_id=plan.id, amount=checked_amount, start=valid_from, actor=actor))
        row = _item_row(session, plan)
        assert isinstance(row, PlanRow)
        return row


@requires(Permission.SETTINGS)
def create_option(
    db: Database,
    *,
    code: str,
    name: str,
    category: OptionCategory,
    billing: OptionBilling,
    product_line_id: int | None = None,
    vat_rate: Decimal | None = None,
    amount: Decimal,
    valid_from: date,
    actor: str,
) -> OptionRow:
    """A new option, initial fee or service, for one product line or all (None)."""
    errors: dict[str, str] = {}
    fields = _new_item_fields(
        errors, code, CatalogueOption.code, name, CatalogueOption.name, vat_rate
    )
    checked_amount = _first_price(errors, amount, valid_from)
    if not isinstance(category, OptionCategory):
        errors["category"] = "Choisissez la catégorie."
    if not isinstance(billing, OptionBilling):
        errors["billing"] = "Choisissez la facturation."
    with write_scope(db, unique=(OPTION_CODE_RULE,)) as session:
        if product_line_id is not None and session.get(ProductLine, product_line_id) is None:
            errors["product_line_id"] = "Cette gamme est introuvable."
        _check_code_free(session, errors, CatalogueOption, fields.get("code"))
        raise_if_any(errors)
        option = CatalogueOption(
            category=category,
            billing=billing,
            product_line_id=product_line_id,
            updated_by=actor,
            **fields,
        )
        session.add(option)
        session.flush()
        session.add(
            _price(option_id=option.id, amount=checked_amount, start=valid_from, actor=actor)
        )
        row = _item_row(session, option)
        assert isinstance(row, OptionRow)
        return row


def _new_item_fields(
    errors: dict[str, str],
    code: str | None,
    code_column: Any,
    name: str | None,
    name_column: Any,
    vat_rate: Decimal | None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": _code(errors, code, code_column),
        "name": text_field(errors, "name", name, name_column, required="Indiquez le nom."),
        "vat_rate": None,
    }
    if vat_rate is not None:
        fields["vat_rate"], rate_errors = check_vat_rate(vat_rate)
        errors.update(rate_errors)
    return fields


def _first_price(errors: dict[str, str], amount: Decimal, valid_from: date) -> Decimal:
    checked, amount_errors = check_amount(amount)
    errors.update(amount_errors)
    _valid_from(errors, valid_from)
    return checked if checked is not None else Decimal(0)


def _quota(errors: dict[str, str], value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_QUOTA_GB:
        errors["quota_gb"] = f"Quota en Go attendu : un nombre entier de 1 à {MAX_QUOTA_GB}."
        return 1
    return value


def _check_code_free(
    session: Session,
    errors: dict[str, str],
    model: type[Plan | CatalogueOption],
    code: str | None,
) -> None:
    if code is None:
        return
    taken = session.scalar(sa.select(model.id).where(model.code == code))
    if taken is not None:
        what = "formule" if model is Plan else "option"
        errors["code"] = CODE_TAKEN.format(what=what)


def _price(
    *,
    plan_id: int | None = None,
    option_id: int | None = None,
    amount: Decimal,
    start: date,
    actor: str,
) -> Price:
    return Price(
        plan_id=plan_id,
        option_id=option_id,
        amount_excl_vat=amount,
        valid_from=start,
        valid_to=None,
        updated_by=actor,
    )
