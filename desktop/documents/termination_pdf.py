"""« Simulation de résiliation anticipée »: the fee, its breakdown and the rule (O365 §5)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desktop.documents.french import (
    french_datetime,
    french_int,
    french_long_date,
    french_money,
    french_percent,
    plural,
)
from desktop.documents.layout import PageFrame, build_pdf
from desktop.documents.styles import para, styles
from desktop.documents.tables import TableColumn, data_table, key_value_table
from desktop.domain.contracts import (
    FIRST_YEAR_MONTHS,
    FULL_RATE,
    REDUCED_RATE,
    RENEWAL_FULL_RATE_MONTHS,
    Period,
)
from desktop.services.contract_print import ProviderIdentity
from desktop.services.termination import TerminationSimulation

TITLE = "Simulation de résiliation anticipée"
COLUMNS = (
    TableColumn("Mois restants", 62),
    TableColumn("Nombre", 20, right=True),
    TableColumn("Taux", 18, right=True),
    TableColumn("Frais fixes mensuels (M)", 38, right=True),
    TableColumn("Montant HT", 36, right=True),
)


def render_termination(
    sim: TerminationSimulation, *, provider: ProviderIdentity | None = None
) -> bytes:
    """The simulation's PDF, on the provider's letterhead when given."""
    reference = f"Simulation — contrat {sim.contract_number} — {sim.client_name}"
    frame = PageFrame(title=TITLE, subject=reference, reference=reference, provider=provider)
    s = styles()
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(f"Contrat {sim.contract_number} · {sim.product_line_name}", s.subtitle),
        Spacer(1, 4 * mm),
        key_value_table(_facts(sim)),
        para("Calcul de l'indemnité", s.heading),
        _breakdown(sim),
        para("Règle appliquée", s.heading),
        *[para(text, s.body) for text in rule_in_words(sim.fee.period)],
        Spacer(1, 6 * mm),
        para(
            f"Simulation établie le {french_datetime(sim.computed_at)} par {sim.computed_by}. "
            "Document indicatif, qui n'est ni une facture ni une résiliation ; "
            "montants hors taxes.",
            s.muted,
        ),
    ]
    return build_pdf(frame, story).data


def period_label(period: Period) -> str:
    """« période initiale » or « renouvellement n° 2 », with its dates."""
    name = "période initiale" if period.is_initial else f"renouvellement n° {period.number}"
    dates = f"du {french_long_date(period.start)} au {french_long_date(period.end)}"
    return f"{name}, {dates} ({plural(period.months, 'mois', 'mois')})"


def _facts(sim: TerminationSimulation) -> list[tuple[str, str]]:
    return [
        ("Contrat", f"{sim.contract_number} — {sim.product_line_name}"),
        ("Client", f"{sim.client_name} ({sim.client_code})"),
        ("Mise en service", french_long_date(sim.service_start)),
        ("Engagement initial", plural(sim.initial_months, "mois", "mois")),
        ("Renouvellement", f"tacite, par périodes de {french_int(sim.renewal_months)} mois"),
        ("Période en cours", period_label(sim.fee.period)),
        ("Résiliation effective le", french_long_date(sim.effective)),
        ("Comptes en service", french_int(sim.accounts)),
        ("Frais fixes mensuels (M)", f"{french_money(sim.fee.monthly_fixed_fees)} HT"),
    ]


def _breakdown(sim: TerminationSimulation) -> Flowable:
    fee = sim.fee
    base = french_money(fee.monthly_fixed_fees)
    rows = [
        [
            "Au plein tarif",
            french_int(fee.months_full),
            french_percent(FULL_RATE * 100),
            base,
            french_money(fee.amount_full),
        ],
        [
            "À tarif réduit",
            french_int(fee.months_reduced),
            french_percent(REDUCED_RATE * 100),
            base,
            french_money(fee.amount_reduced),
        ],
    ]
    months = french_int(fee.months_full + fee.months_reduced)
    total = ["Indemnité de résiliation anticipée", months, "", "", french_money(fee.total)]
    return data_table(COLUMNS, rows, total=total)


def rule_in_words(period: Period) -> list[str]:
    """The rule of O365 §5 for the running period, in plain French."""
    full, reduced = french_percent(FULL_RATE * 100), french_percent(REDUCED_RATE * 100)
    if period.is_initial:
        rule = (
            f"Pendant la période initiale, chaque mois restant de sa première année "
            f"({FIRST_YEAR_MONTHS} mois) est dû à {full} des frais fixes mensuels M, et chaque "
            f"mois restant au-delà de la première année à {reduced} de M."
        )
    else:
        rule = (
            f"Pendant une période de renouvellement, les {RENEWAL_FULL_RATE_MONTHS} premiers "
            f"mois restants (ou moins s'il en reste moins) sont dus à {full} des frais fixes "
            f"mensuels M, et chaque mois restant au-delà à {reduced} de M."
        )
    counting = (
        "Les mois restants se comptent à partir du mois du contrat où la résiliation prend "
        "effet, jusqu'à la fin de la période en cours ; tout mois commencé est dû en entier."
    )
    return [rule, counting]
