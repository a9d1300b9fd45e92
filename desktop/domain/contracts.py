"""Contract terms: periods, tacit renewal, the non-renewal floor, early-termination fees.

Business rules §4 (HE §9.2-9.3, O365 §5). Every period is counted in contract
months anchored on the service start date (see :mod:`desktop.domain.periods`):
the initial period runs ``initial_months`` from the start, then the contract
renews by periods of ``renewal_months``.

Early termination (O365 §5), M being the contract's monthly fixed fees and any
started month counting as a whole month:

- during the initial period: the months left in its first year at 100 % of M,
  plus the months left in the initial period beyond its first year at 50 %;
- during a renewal period: min(3, months left) at 100 % of M, plus the months
  left beyond those 3 at 50 %.

"Months left" start with the contract month the termination takes effect in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from desktop.domain.errors import InvalidValue
from desktop.domain.money import round_money
from desktop.domain.periods import add_months, month_index

FIRST_YEAR_MONTHS = 12
"""The part of the initial period charged at the full rate (O365 §5)."""
RENEWAL_FULL_RATE_MONTHS = 3
"""The months of a renewal period charged at the full rate (O365 §5)."""
FULL_RATE = Decimal("1.00")
REDUCED_RATE = Decimal("0.50")
ACCOUNT_COMMITMENT_MONTHS = 12
"""Every account is committed for 12 months from its activation (HE §9.2)."""
RENEWAL_FLOOR_PERCENT = Decimal("50")
"""**Interpretation** of HE §9.3: at each anniversary, at least ceil(50 %) of the
accounts active the day before must renew (a provider setting overrides it)."""


@dataclass(frozen=True)
class Period:
    """One period of a contract: the initial one (``number`` 0) or a renewal."""

    number: int
    start: date
    end: date
    """Its last day."""
    first_month: int
    """Index of its first contract month (0 for the initial period)."""
    months: int

    @property
    def is_initial(self) -> bool:
        return self.number == 0

    @property
    def next_start(self) -> date:
        """The anniversary that ends it: the first day of the next period."""
        return self.end + timedelta(days=1)


@dataclass(frozen=True)
class TerminationFee:
    """An early-termination fee and how it was reached."""

    period: Period
    effective: date
    monthly_fixed_fees: Decimal
    months_full: int
    """Months charged at 100 % of the monthly fixed fees."""
    months_reduced: int
    """Months charged at 50 %."""

    @property
    def amount_full(self) -> Decimal:
        return round_money(self.months_full * FULL_RATE * self.monthly_fixed_fees)

    @property
    def amount_reduced(self) -> Decimal:
        return round_money(self.months_reduced * REDUCED_RATE * self.monthly_fixed_fees)

    @property
    def total(self) -> Decimal:
        return self.amount_full + self.amount_reduced


def _check_terms(service_start: date, initial_months: int, renewal_months: int, at: date) -> None:
    if initial_months < 1 or renewal_months < 1:
        raise InvalidValue(
            "Les durées d'engagement et de renouvellement doivent être d'au moins un mois."
        )
    if at < service_start:
        raise InvalidValue(
            f"La date du {at:%d/%m/%Y} précède le début du service ({service_start:%d/%m/%Y})."
        )


def running_period(
    service_start: date, initial_months: int, renewal_months: int, at: date
) -> Period:
    """The period (initial or renewal) running on ``at``."""
    _check_terms(service_start, initial_months, renewal_months, at)
    month = month_index(service_start, at)
    if month < initial_months:
        number, first, length = 0, 0, initial_months
    else:
        number = 1 + (month - initial_months) // renewal_months
        first, length = initial_months + (number - 1) * renewal_months, renewal_months
    return Period(
        number=number,
        start=add_months(service_start, first),
        end=add_months(service_start, first + length) - timedelta(days=1),
        first_month=first,
        months=length,
    )


def period_end(service_start: date, initial_months: int, renewal_months: int, at: date) -> date:
    """Last day of the period (initial or renewal) running on ``at``.

    >>> period_end(date(2026, 1, 1), 36, 12, date(2026, 10, 15))
    datetime.date(2028, 12, 31)
    """
    return running_period(service_start, initial_months, renewal_months, at).end


def termination_fee(
    service_start: date,
    initial_months: int,
    renewal_months: int,
    effective: date,
    monthly_fixed_fees: Decimal,
) -> TerminationFee:
    """The fee for a termination effective on ``effective``, with its breakdown."""
    if monthly_fixed_fees < 0:
        raise InvalidValue("Les frais fixes mensuels ne peuvent pas être négatifs.")
    period = running_period(service_start, initial_months, renewal_months, effective)
    month = month_index(service_start, effective)
    left = period.first_month + period.months - month
    if period.is_initial:
        full = max(0, min(FIRST_YEAR_MONTHS, initial_months) - month)
    else:
        full = min(RENEWAL_FULL_RATE_MONTHS, left)
    return TerminationFee(
        period=period,
        effective=effective,
        monthly_fixed_fees=monthly_fixed_fees,
        months_full=full,
        months_reduced=left - full,
    )


def early_termination_fee(
    service_start: date,
    initial_months: int,
    renewal_months: int,
    effective: date,
    monthly_fixed_fees: Decimal,
) -> Decimal:
    """The early-termination fee for a termination effective on ``effective``.

    >>> early_termination_fee(date(2026, 1, 1), 36, 12, date(2026, 10, 15), Decimal("200.00"))
    Decimal('3000.00')
    """
    return termination_fee(
        service_start, initial_months, renewal_months, effective, monthly_fixed_fees
    ).total


def renewal_floor(active_accounts: int, percent: Decimal = RENEWAL_FLOOR_PERCENT) -> int:
    """The least number of accounts that must renew: ceil(``percent`` × active accounts).

    >>> renewal_floor(5)
    3
    """
    if active_accounts < 0:
        raise ValueError("active_accounts must not be negative")
    share = Decimal(active_accounts) * percent / 100
    return int(share.to_integral_value(rounding=ROUND_CEILING))


def non_renewal_end(
    service_start: date,
    initial_months: int,
    renewal_months: int,
    asked_on: date,
    activated_on: date | None = None,
) -> date:
    """The last day of an account whose client asked on ``asked_on`` not to renew it.

    It stops at the end of the period running when asked (HE §9.3), but never
    before its own commitment of :data:`ACCOUNT_COMMITMENT_MONTHS` from its
    activation (HE §9.2): then at the end of the period that commitment ends in.
    """
    at = max(asked_on, service_start)
    if activated_on is not None:
        committed = add_months(activated_on, ACCOUNT_COMMITMENT_MONTHS) - timedelta(days=1)
        at = max(at, committed)
    return period_end(service_start, initial_months, renewal_months, at)
