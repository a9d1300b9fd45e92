"""The contract's annexes: its running accounts, its options, and the monthly totals."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from desktop.documents.french import french_decimal, french_int, french_long_date, french_money
from desktop.documents.styles import MUTED_HEX, para, rich, styles, xml
from desktop.documents.tables import Cell, TableColumn, data_table, summary_table
from desktop.domain.enums import OptionBilling
from desktop.services.contract_print import AccountLine, ContractPrint, OptionLine

ACCOUNT_COLUMNS = (
    TableColumn("N°", 9, right=True),
    TableColumn("Compte (adresse et nom affiché)", 70),
    TableColumn("Formule", 59),
    TableColumn("Quota", 14, right=True),
    TableColumn("Prix HT par mois", 22, right=True),
)
OPTION_COLUMNS = (
    TableColumn("Option ou prestation", 50),
    TableColumn("Compte", 56),
    TableColumn("Facturation", 23),
    TableColumn("Qté", 9, right=True),
    TableColumn("Prix unitaire HT", 18, right=True),
    TableColumn("Montant HT", 18, right=True),
)
WHOLE_CONTRACT = "Tout le contrat"


def annexes(doc: ContractPrint) -> list[Flowable]:
    s = styles()
    day = french_long_date(doc.at)
    story: list[Flowable] = [para(f"Annexe 1 — Comptes en service au {day}", s.heading)]
    if doc.accounts:
        story.append(_accounts_table(doc))
    else:
        story.append(para("Aucun compte n'est encore ouvert sur ce contrat.", s.text))
    story.append(para("Annexe 2 — Options et prestations", s.heading))
    if doc.options:
        story.append(_options_table(doc.options))
    else:
        story.append(para("Aucune option n'est souscrite sur ce contrat.", s.text))
    story += [Spacer(1, 4 * mm), _totals(doc)]
    return story


def _account_row(number: int, account: AccountLine) -> list[Cell]:
    return [
        french_int(number),
        _account_cell(account),
        account.plan_name,
        f"{french_int(account.quota_gb)} Go",
        french_money(account.monthly_price),
    ]


def _account_cell(account: AccountLine) -> Flowable:
    """The address, and the display name under it in grey."""
    s = styles()
    markup = xml(account.address)
    if account.display_name:
        markup += f"<br/><font color='{MUTED_HEX}'>{xml(account.display_name)}</font>"
    return rich(markup, s.cell)


def _accounts_table(doc: ContractPrint) -> Table:
    rows = [_account_row(n, a) for n, a in enumerate(doc.accounts, start=1)]
    count = len(doc.accounts)
    label = f"Total : {french_int(count)} compte{'s' if count > 1 else ''}"
    total = ["", label, "", "", french_money(doc.accounts_total)]
    return data_table(ACCOUNT_COLUMNS, rows, total=total)


def _option_row(option: OptionLine) -> list[str]:
    return [
        option.name,
        option.account or WHOLE_CONTRACT,
        option.billing_label,
        french_decimal(option.quantity),
        french_money(option.unit_price),
        french_money(option.amount),
    ]


def _options_table(options: tuple[OptionLine, ...]) -> Table:
    return data_table(OPTION_COLUMNS, [_option_row(o) for o in options])


def _sum(options: tuple[OptionLine, ...], billing: OptionBilling) -> str:
    return french_money(sum((o.amount for o in options if o.billing is billing), Decimal(0)))


def _totals(doc: ContractPrint) -> KeepTogether:
    """Monthly total excl. VAT (accounts + monthly options), then yearly and one-off sums,
    never split over two pages."""
    table = summary_table(
        [
            ("Comptes (par mois)", french_money(doc.accounts_total)),
            ("Options mensuelles (par mois)", _sum(doc.options, OptionBilling.MONTHLY)),
            ("Total mensuel HT", french_money(doc.monthly_total)),
            ("Options annuelles (par an)", _sum(doc.options, OptionBilling.YEARLY)),
            ("Frais et prestations à l'acte", _sum(doc.options, OptionBilling.PER_ACT)),
        ],
        emphasis=2,
    )
    return KeepTogether([table])
