"""SLA: availability per client and line, credit base from issued invoices, credits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import ACTOR, World, world

from desktop.db.engine import Database
from desktop.db.models import Incident, Invoice, InvoiceLine, SlaCredit
from desktop.domain.clock import PARIS
from desktop.domain.enums import (
    ExcusableCategory,
    IncidentChannel,
    IncidentStatus,
    InvoiceKind,
    InvoiceLineKind,
)
from desktop.domain.errors import ValidationError
from desktop.domain.sla import monthly_availability
from desktop.errors import ConflictError, UserError
from desktop.services.issuing import issue_drafts
from desktop.services.sla import (
    DEFAULT_SETTINGS,
    availability_series,
    grant_credit,
    largest_remainder,
    save_sla_settings,
    sla_report,
    sla_settings,
)
from tests.documents.pdf_helpers import store_provider

D = Decimal
APRIL = date(2026, 4, 1)
NOW = datetime(2026, 5, 10, 12, 0, tzinfo=PARIS)
_numbers = iter(range(1, 10_000))


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def incident(
    db: Database,
    client_id: int,
    line_id: int | None,
    received: datetime,
    restored: datetime | None,
    excusable: ExcusableCategory | None = None,
) -> None:
    with db.session_scope() as session:
        session.add(
            Incident(
                number=f"ND-T-{next(_numbers):05d}",
                client_id=client_id,
                product_line_id=line_id,
                channel=IncidentChannel.EMAIL,
                received_at=received,
                restored_at=restored,
                status=IncidentStatus.OPEN if restored is None else IncidentStatus.RESTORED,
                description="Panne",
                excusable_category=excusable,
                updated_by=ACTOR,
            )
        )


# (kind, contract id or None, amount)
Line = tuple[InvoiceLineKind, int | None, str]


def invoice(db: Database, client_id: int, month: date, lines: list[Line]) -> int:
    """An invoice of ``month`` with these lines, issued on its first day."""
    with db.session_scope() as session:
        row = Invoice(
            client_id=client_id,
            kind=InvoiceKind.INVOICE,
            billing_month=month,
            period_start=month,
            updated_by=ACTOR,
        )
        for position, (kind, contract_id, amount) in enumerate(lines, start=1):
            row.lines.append(
                InvoiceLine(
                    position=position,
                    kind=kind,
                    description=f"Ligne {position}",
                    quantity=D(1),
                    unit_price_excl_vat=D(amount),
                    vat_rate=D("20.00"),
                    amount_excl_vat=D(amount),
                    contract_id=contract_id,
                )
            )
        session.add(row)
        session.flush()
        invoice_id = row.id
    issue_drafts(db, [invoice_id], actor=ACTOR, today=month)
    return invoice_id


def history(db: Database, w: World) -> int:
    """Invoices of January to April; April's id. HE: fixed 100, usage 40 + option 10."""
    he, o365 = w.he_contract_id, w.o365_contract_id
    for month, usage in ((date(2026, 1, 1), "30.00"), (date(2026, 2, 1), "60.00")):
        invoice(db, w.client_id, month, [(InvoiceLineKind.USAGE, he, usage)])
    invoice(
        db,
        w.client_id,
        date(2026, 3, 1),
        [(InvoiceLineKind.SUBSCRIPTION, he, "100.00"), (InvoiceLineKind.USAGE, he, "90.00")],
    )
    return invoice(
        db,
        w.client_id,
        APRIL,
        [
            (InvoiceLineKind.SUBSCRIPTION, he, "100.00"),
            (InvoiceLineKind.USAGE, he, "40.00"),
            (InvoiceLineKind.OPTION, he, "10.00"),
            (InvoiceLineKind.SUBSCRIPTION, o365, "999.00"),  # another line
            (InvoiceLineKind.SERVICE, None, "55.00"),  # no product line
        ],
    )


def outages(db: Database, w: World) -> None:
    """Ten counted hours in April (overlap, month-spanning), eight excusable ones."""
    he = w.he_line_id
    incident(db, w.client_id, he, paris(2026, 4, 10, 10, 0), paris(2026, 4, 10, 14, 0))
    incident(db, w.client_id, he, paris(2026, 4, 10, 12, 0), paris(2026, 4, 10, 17, 0))
    incident(db, w.client_id, he, paris(2026, 3, 31, 22, 0), paris(2026, 4, 1, 3, 0))
    incident(
        db,
        w.client_id,
        he,
        paris(2026, 4, 15, 9, 0),
        paris(2026, 4, 15, 17, 0),
        ExcusableCategory.PLANNED_MAINTENANCE,
    )


@pytest.fixture
def w(db: Database) -> World:
    store_provider(db)
    return world(db)


# --- the report -------------------------------------------------------------------------


def test_report_counts_the_union_and_leaves_excusable_out(db: Database, w: World) -> None:
    history(db, w)
    outages(db, w)

    (row,) = sla_report(db, APRIL, now=NOW)

    ten_hours = [(paris(2026, 4, 10, 8, 0), paris(2026, 4, 10, 18, 0))]
    assert row.availability == monthly_availability(2026, 4, ten_hours)
    assert D("98.61") < row.availability < D("98.62")
    assert row.downtime == timedelta(hours=10)
    assert (row.notifications, row.excusable) == (4, 1)
    assert row.credit_percent == D(5)
    assert (row.client_code, row.client_name, row.product_line_name) == (
        "CL00001",
        "Acme Industrie",
        "Hosted Exchange",
    )
    # Fixed: the subscription; usage: every other billed kind of the line.
    assert (row.fixed_fees, row.usage_fees) == (D("100.00"), D("50.00"))
    assert row.previous_usage == (D("90.00"), D("60.00"), D("30.00"))
    assert row.base == D("160.00")
    assert row.already_credited == D(0)
    assert row.credit_due == D("8.00")  # 5 % of 100 + (90 + 60 + 30) / 3
    assert (row.credit_granted, row.credit_note_number) == (D(0), None)


def test_march_row_of_the_month_spanning_outage(db: Database, w: World) -> None:
    outages(db, w)
    (row,) = sla_report(db, date(2026, 3, 1), now=NOW)
    assert row.downtime == timedelta(hours=2)  # 22:00 → midnight
    assert row.notifications == 1
    assert (row.fixed_fees, row.previous_usage, row.credit_due) == (D(0), (), D(0))


def test_an_open_notification_runs_until_now(db: Database, w: World) -> None:
    incident(db, w.client_id, w.he_line_id, paris(2026, 4, 30, 20, 0), None)
    (row,) = sla_report(db, APRIL, now=paris(2026, 4, 30, 23, 0))
    assert row.downtime == timedelta(hours=3)
    (row,) = sla_report(db, APRIL, now=NOW)
    assert row.downtime == timedelta(hours=4)  # to the end of the month


def test_a_notification_without_line_goes_to_the_only_line(db: Database, w: World) -> None:
    other = world(db, client_name="Zoé Bio", suffix="z")  # two contracted lines
    incident(db, w.client_id, None, paris(2026, 4, 2, 9, 0), paris(2026, 4, 2, 10, 0))
    assert sla_report(db, APRIL, now=NOW) == []  # Acme has two lines: left out
    with db.session_scope() as session:
        session.execute(sa.text(f"DELETE FROM contract WHERE id = {w.o365_contract_id}"))
    (row,) = sla_report(db, APRIL, now=NOW)
    assert row.product_line_id == w.he_line_id
    assert other.client_id != row.client_id


@pytest.mark.parametrize(
    ("down", "percent"),
    [
        (timedelta(hours=7, minutes=12), D(0)),  # exactly 99 %
        (timedelta(hours=7, minutes=12, seconds=1), D(5)),
        (timedelta(hours=14, minutes=24), D(5)),  # exactly 98 %
        (timedelta(hours=14, minutes=24, seconds=1), D(10)),
        (timedelta(hours=21, minutes=36), D(10)),  # exactly 97 %
        (timedelta(hours=21, minutes=36, seconds=1), D(20)),
    ],
)
def test_tier_boundaries(db: Database, w: World, down: timedelta, percent: Decimal) -> None:
    start = paris(2026, 4, 6, 0, 0)
    incident(db, w.client_id, w.he_line_id, start, start + down)
    (row,) = sla_report(db, APRIL, now=NOW)
    assert row.credit_percent == percent


def test_the_cap_counts_credits_of_the_last_30_days(db: Database, w: World) -> None:
    history(db, w)
    outages(db, w)
    with db.session_scope() as session:
        session.add(
            SlaCredit(
                client_id=w.client_id,
                product_line_id=w.he_line_id,
                month=date(2026, 3, 1),
                availability=D("0.970000"),
                rate=D("10.00"),
                base=D("250.00"),
                amount=D("25.00"),
                requested_at=paris(2026, 4, 3, 10, 0),
                updated_by=ACTOR,
            )
        )
    (row,) = sla_report(db, APRIL, now=NOW)
    assert row.already_credited == D("25.00")
    assert row.credit_due == D("5.00")  # 20 % × (100 + 50) − 25


def test_sorted_by_availability_then_name(db: Database, w: World) -> None:
    zoe = world(db, client_name="Zoé Bio", suffix="z")
    incident(db, w.client_id, w.he_line_id, paris(2026, 4, 2, 9, 0), paris(2026, 4, 2, 10, 0))
    incident(db, zoe.client_id, w.he_line_id, paris(2026, 4, 2, 9, 0), paris(2026, 4, 2, 19, 0))
    incident(db, zoe.client_id, w.o365_line_id, paris(2026, 4, 2, 9, 0), paris(2026, 4, 2, 10))
    rows = sla_report(db, APRIL, now=NOW)
    assert [(r.client_name, r.product_line_name) for r in rows] == [
        ("Zoé Bio", "Hosted Exchange"),
        ("Acme Industrie", "Hosted Exchange"),
        ("Zoé Bio", "Office 365"),
    ]


def test_availability_series(db: Database, w: World) -> None:
    zoe = world(db, client_name="Zoé Bio", suffix="z")
    outages(db, w)
    series = availability_series(db, months=3, until=date(2026, 4, 20), now=NOW)
    assert [m.month for m in series] == [date(2026, 2, 1), date(2026, 3, 1), APRIL]
    assert (series[0].average, series[0].lowest, series[0].rows) == (D(100), D(100), 0)
    assert series[2].rows == 1 and series[2].below_target == 1
    assert series[2].lowest == series[2].average < D(99)
    assert series[1].below_target == 0
    assert availability_series(db, months=1, until=APRIL, client_id=zoe.client_id)[0].rows == 0


# --- granting ---------------------------------------------------------------------------


def test_grant_credit_makes_an_exact_credit_note(db: Database, w: World) -> None:
    april_id = history(db, w)
    outages(db, w)

    number = grant_credit(
        db,
        w.client_id,
        w.he_line_id,
        APRIL,
        actor=ACTOR,
        requested_at=paris(2026, 5, 4, 9, 0),
        today=date(2026, 5, 5),
    )

    with db.read_session() as session:
        note = session.execute(sa.select(Invoice).where(Invoice.number == number)).scalar_one()
        assert note.kind is InvoiceKind.CREDIT_NOTE and note.corrects_id == april_id
        assert note.reason == "Avoir de disponibilité avril 2026 : 98,611 % (objectif 99 %)"
        amounts = [(line.kind, line.amount_excl_vat) for line in note.lines]
        credit = session.execute(sa.select(SlaCredit)).scalar_one()
        assert (credit.availability, credit.rate, credit.base, credit.amount) == (
            D("0.986111"),
            D("5.00"),
            D("160.00"),
            D("8.00"),
        )
        assert credit.credit_note_id == note.id
        assert credit.requested_at == paris(2026, 5, 4, 9, 0)
    # 8.00 over 100 / 40 / 10: 5.333 / 2.133 / 0.533, the spare cent to the first.
    assert amounts == [
        (InvoiceLineKind.CREDIT, D("5.34")),
        (InvoiceLineKind.CREDIT, D("2.13")),
        (InvoiceLineKind.CREDIT, D("0.53")),
    ]
    (row,) = sla_report(db, APRIL, now=NOW)
    assert (row.credit_granted, row.credit_note_number) == (D("8.00"), number)

    with pytest.raises(UserError, match="déjà été accordé pour avril 2026"):
        grant_credit(db, w.client_id, w.he_line_id, APRIL, actor=ACTOR)


def test_grant_refused_without_invoice_or_when_nothing_is_due(db: Database, w: World) -> None:
    outages(db, w)
    with pytest.raises(UserError, match="La facture de avril 2026 de ce client est introuvable"):
        grant_credit(db, w.client_id, w.he_line_id, APRIL, actor=ACTOR)
    history(db, w)
    with pytest.raises(UserError, match="Aucun avoir de disponibilité n'est dû pour mars 2026"):
        grant_credit(db, w.client_id, w.he_line_id, date(2026, 3, 1), actor=ACTOR)


def test_largest_remainder_sums_exactly() -> None:
    shares = largest_remainder(D("0.10"), {1: D(1), 2: D(1), 3: D(1)})
    assert shares == {1: D("0.04"), 2: D("0.03"), 3: D("0.03")}
    assert sum(shares.values()) == D("0.10")


# --- settings ---------------------------------------------------------------------------


def test_settings_need_the_provider(db: Database) -> None:
    assert sla_settings(db) == DEFAULT_SETTINGS
    with pytest.raises(UserError, match="Renseignez d'abord l'identité du prestataire."):
        save_sla_settings(db, DEFAULT_SETTINGS, expected_version=0, actor=ACTOR)


def test_settings_save_validate_and_conflict(db: Database, w: World) -> None:
    current = sla_settings(db)
    assert current.fixed_line_kinds == (InvoiceLineKind.SUBSCRIPTION,)
    wanted = replace(
        current,
        opens_at=time(8, 30),
        alsace_moselle=True,
        restoration_hours=4,
        fixed_line_kinds=(InvoiceLineKind.SUBSCRIPTION, InvoiceLineKind.OPTION),
    )
    saved = save_sla_settings(db, wanted, expected_version=current.version, actor=ACTOR)
    assert saved == replace(wanted, version=current.version + 1)
    assert sla_settings(db) == saved

    bad = replace(
        saved,
        closes_at=time(8, 0),
        restoration_hours=0,
        replacement_hours=201,
        availability_target=D("100.5"),
        fixed_line_kinds=(InvoiceLineKind.CREDIT,),
    )
    with pytest.raises(ValidationError) as raised:
        save_sla_settings(db, bad, expected_version=saved.version, actor=ACTOR)
    assert raised.value.errors == {
        "closes_at": "La fermeture du support doit suivre son ouverture.",
        "restoration_hours": "Un nombre d'heures de 1 à 200 est attendu.",
        "replacement_hours": "Un nombre d'heures de 1 à 200 est attendu.",
        "availability_target": "Un pourcentage de 0,01 à 100 est attendu.",
        "fixed_line_kinds": (
            "Choisissez au moins un type de ligne facturée (les avoirs n'en sont pas)."
        ),
    }
    with pytest.raises(ConflictError):
        save_sla_settings(db, saved, expected_version=current.version, actor=ACTOR)
