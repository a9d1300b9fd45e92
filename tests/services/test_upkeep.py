"""The day's upkeep: quotes past their validity expire, mandates unused for 36 months
lapse, each only as far as the user's role may; twice the same day changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from desktop.db.engine import Database
from desktop.domain.enums import MandateStatus, QuoteStatus, StaffRole
from desktop.services.mandates import create_mandate, list_mandates
from desktop.services.quotes import find_quote
from desktop.services.staff import add_staff
from desktop.services.upkeep import Upkeep, run_upkeep
from tests.services.factories import ACTOR
from tests.services.quote_helpers import sent_quote


def world(db: Database) -> tuple[date, int]:
    """D2026-00001 sent on 02/03/2026, and a mandate of its client signed on 15/06/2023,
    never used; the quote's last valid day."""
    quote = sent_quote(db)
    create_mandate(
        db,
        quote.client_id,
        debtor_name="Librairie Martin",
        debtor_address="3 quai Saint-Antoine\n69002 Lyon",
        iban="FR14 2004 1010 0505 0001 3M02 606",
        bic="PSSTFRPP",
        signed_on=date(2023, 6, 15),
        actor=ACTOR,
    )
    assert quote.valid_until is not None
    return quote.valid_until, quote.client_id


def statuses(db: Database, client_id: int) -> tuple[QuoteStatus, list[MandateStatus]]:
    return (
        find_quote(db, "D2026-00001").status,
        [m.status for m in list_mandates(db, client_id)],
    )


def test_what_is_due_changes_once(db: Database) -> None:
    last_valid_day, client_id = world(db)
    assert last_valid_day == date(2026, 4, 1)
    on_time = run_upkeep(db, last_valid_day, actor=ACTOR)
    assert on_time == Upkeep(date(2026, 4, 1))
    assert on_time.summary() == "Mise à jour du 01/04/2026 : rien n'était échu"
    assert statuses(db, client_id) == (QuoteStatus.SENT, [MandateStatus.ACTIVE])

    due = run_upkeep(db, date(2026, 4, 2), actor=ACTOR)
    assert due == Upkeep(date(2026, 4, 2), ["D2026-00001"], 0, [])
    assert due.summary() == ("Mise à jour du 02/04/2026 : 1 devis passé à « Expiré » (D2026-00001)")
    assert statuses(db, client_id) == (QuoteStatus.EXPIRED, [MandateStatus.ACTIVE])

    three_years = date(2026, 6, 15)
    assert run_upkeep(db, three_years - timedelta(days=1), actor=ACTOR).lapsed_mandates == 0
    lapsed = run_upkeep(db, three_years, actor=ACTOR)
    assert (lapsed.expired_quotes, lapsed.lapsed_mandates) == ([], 1)
    assert lapsed.summary() == (
        "Mise à jour du 15/06/2026 : 1 mandat SEPA devenu caduc (36 mois sans prélèvement)"
    )
    assert statuses(db, client_id) == (QuoteStatus.EXPIRED, [MandateStatus.LAPSED])
    assert run_upkeep(db, date(2026, 4, 2), actor=ACTOR).changed is False


def test_each_change_only_if_the_role_may(db: Database) -> None:
    _last_valid_day, client_id = world(db)
    add_staff(db, "alice", "Alice Martin", StaffRole.ADMIN, "secret-alice-42", actor="alice")
    add_staff(db, "carole", "Carole Petit", StaffRole.SUPPORT, "secret-carole-42", actor="alice")
    add_staff(db, "bob", "Bob Durand", StaffRole.BILLING, "secret-bob-42", actor="alice")

    support = run_upkeep(db, date(2026, 7, 1), actor="carole")
    assert (support.expired_quotes, support.lapsed_mandates, support.changed) == ([], 0, False)
    assert support.summary() == "Mise à jour du 01/07/2026 : rien n'a été modifié"
    assert support.skipped == [
        "Devis : Votre rôle « Support » ne permet pas de gérer les contrats et les devis. "
        "Rien n'a été enregistré.",
        "Mandats SEPA : Votre rôle « Support » ne permet pas de gérer les mandats et les "
        "prélèvements SEPA. Rien n'a été enregistré.",
    ]
    assert statuses(db, client_id) == (QuoteStatus.SENT, [MandateStatus.ACTIVE])

    billing = run_upkeep(db, date(2026, 7, 1), actor="bob")
    assert billing == Upkeep(date(2026, 7, 1), ["D2026-00001"], 1, [])
    assert billing.summary() == (
        "Mise à jour du 01/07/2026 : 1 devis passé à « Expiré » (D2026-00001) ; "
        "1 mandat SEPA devenu caduc (36 mois sans prélèvement)"
    )
    assert statuses(db, client_id) == (QuoteStatus.EXPIRED, [MandateStatus.LAPSED])
