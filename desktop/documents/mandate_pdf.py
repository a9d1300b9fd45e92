"""« Mandat de prélèvement SEPA »: the form the client signs before its renewals are
collected by direct debit (HE §9.3), with the mentions of the SEPA rulebook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.documents.french import french_date, group_digits
from desktop.documents.layout import CONTENT_WIDTH, PageFrame, RenderedPdf, build_pdf
from desktop.documents.signature import fill_in
from desktop.documents.styles import para, styles
from desktop.documents.tables import LabelledBox, key_value_table, two_columns
from desktop.services.contract_print import ProviderIdentity

TITLE = "Mandat de prélèvement SEPA"
RECURRENT = "Paiement récurrent"


@dataclass(frozen=True)
class MandateSheet:
    """What a mandate form prints: the creditor, the debtor and the mandate's reference."""

    rum: str  # référence unique du mandat
    creditor_id: str  # ICS
    debtor_name: str
    debtor_address: tuple[str, ...]  # as printed, line by line
    iban: str
    bic: str | None
    client_code: str
    contract_number: str | None
    signed_on: date | None  # None: blank, to fill in by hand


def authorisation(creditor: str) -> str:
    """The rulebook's authorisation and refund text, naming the creditor."""
    return (
        f"En signant ce formulaire de mandat, vous autorisez {creditor} à envoyer des "
        "instructions à votre banque pour débiter votre compte, et votre banque à débiter "
        f"votre compte conformément aux instructions de {creditor}. Vous bénéficiez du droit "
        "d'être remboursé par votre banque selon les conditions décrites dans la convention "
        "que vous avez passée avec elle. Une demande de remboursement doit être présentée "
        "dans les 8 semaines suivant la date de débit de votre compte pour un prélèvement "
        "autorisé. Vos droits concernant le présent mandat sont expliqués dans un document "
        "que vous pouvez obtenir auprès de votre banque."
    )


def render_mandate(sheet: MandateSheet, provider: ProviderIdentity) -> RenderedPdf:
    """The mandate form on the provider's letterhead, ready to sign."""
    s = styles()
    reference = f"{TITLE} — {sheet.rum}"
    frame = PageFrame(title=TITLE, subject=reference, reference=reference, provider=provider)
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(f"Référence unique du mandat (RUM) : {sheet.rum}", s.subtitle),
        Spacer(1, 4 * mm),
        para(authorisation(provider.name), s.text),
        Spacer(1, 4 * mm),
        two_columns(_creditor(sheet, provider), _debtor(sheet)),
        Spacer(1, 4 * mm),
        key_value_table(_payment(sheet)),
        _signature(sheet),
        Spacer(1, 4 * mm),
        para(
            "Merci de joindre un relevé d'identité bancaire (RIB) et de retourner ce mandat "
            f"signé à {provider.name}, et non à votre banque.",
            s.muted,
        ),
    ]
    return build_pdf(frame, story)


def _creditor(sheet: MandateSheet, provider: ProviderIdentity) -> list[Flowable]:
    s = styles()
    return [
        para("Créancier", s.heading),
        para(provider.name, s.text),
        *[para(line, s.text) for line in provider.address.lines],
        para(f"Identifiant créancier SEPA (ICS) : {sheet.creditor_id}", s.text),
    ]


def _debtor(sheet: MandateSheet) -> list[Flowable]:
    s = styles()
    return [
        para("Débiteur", s.heading),
        para(sheet.debtor_name, s.text),
        *[para(line, s.text) for line in sheet.debtor_address],
        para(f"Code client : {sheet.client_code}", s.text),
    ]


def _payment(sheet: MandateSheet) -> list[tuple[str, str]]:
    rows = [
        ("IBAN du compte à débiter", group_digits(sheet.iban, 4)),
        ("BIC", sheet.bic or "—"),
        ("Type de paiement", RECURRENT),
    ]
    if sheet.contract_number:
        rows.append(("Contrat", sheet.contract_number))
    return rows


def _signature(sheet: MandateSheet) -> Flowable:
    s = styles()
    width = (CONTENT_WIDTH - 8 * mm) / 2
    when = (
        para(f"Signé le {french_date(sheet.signed_on)}", s.text)
        if sheet.signed_on is not None
        else fill_in("Le :", width)
    )
    left = [para("Signature du débiteur", s.heading), fill_in("À :", width), when]
    right = [Spacer(1, 9 * mm), LabelledBox("Signature", width, 27 * mm)]
    return KeepTogether([Spacer(1, 5 * mm), two_columns(left, right)])
