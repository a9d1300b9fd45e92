"""The early-termination simulation sheet: the figures, the period, the rule, who and when."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from desktop.documents.termination_pdf import render_termination
from desktop.domain.contracts import termination_fee
from desktop.services.termination import TerminationSimulation
from tests.documents.pdf_helpers import flat, fonts, pages_text, sample_provider


def simulation(start: date, initial: int, effective: date, fees: str) -> TerminationSimulation:
    return TerminationSimulation(
        contract_id=7,
        contract_number="C2026-00012",
        client_name="Librairie Martin",
        client_code="CL00012",
        product_line_name="Office 365",
        service_start=start,
        initial_months=initial,
        renewal_months=12,
        effective=effective,
        fee=termination_fee(start, initial, 12, effective, Decimal(fees)),
        accounts=12,
        computed_at=datetime(2026, 11, 22, 13, 5, tzinfo=UTC),
        computed_by="jdupont",
    )


def test_initial_period_breakdown_of_the_business_rules_example() -> None:
    sim = simulation(date(2026, 1, 1), 36, date(2026, 10, 15), "200.00")
    data = render_termination(sim, provider=sample_provider())
    pages = pages_text(data)
    text = flat(pages[0])
    assert len(pages) == 1
    for phrase in (
        "Simulation de résiliation anticipée",
        "C2026-00012",
        "Librairie Martin (CL00012)",
        "période initiale, du 1er janvier 2026 au 31 décembre 2028 (36 mois)",
        "Résiliation effective le 15 octobre 2026",
        "Frais fixes mensuels (M) 200,00 € HT",
        "Au plein tarif 3 100 % 200,00 € 600,00 €",
        "À tarif réduit 24 50 % 200,00 € 2 400,00 €",
        "Indemnité de résiliation anticipée 27 3 000,00 €",
        "chaque mois restant de sa première année (12 mois) est dû à 100 %",
        "Simulation établie le 22/11/2026 à 14:05 par jdupont",
        "Nuage Armor",
        "Page 1/1",
    ):
        assert phrase in text, phrase
    assert all(fonts(data).values())


def test_renewal_period_rule_and_figures() -> None:
    # Third year of a 12-month contract: renewal 2, 10 months left from March 2028.
    sim = simulation(date(2026, 1, 1), 12, date(2028, 3, 15), "1234.50")
    text = flat(pages_text(render_termination(sim))[0])
    assert "renouvellement n° 2, du 1er janvier 2028 au 31 décembre 2028" in text
    assert "Au plein tarif 3 100 % 1 234,50 € 3 703,50 €" in text
    assert "À tarif réduit 7 50 % 1 234,50 € 4 320,75 €" in text
    assert "Indemnité de résiliation anticipée 10 8 024,25 €" in text
    assert "les 3 premiers mois restants" in text
