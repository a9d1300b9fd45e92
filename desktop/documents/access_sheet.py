"""« Codes d'accès administrateur »: the sheet handed to the client's administrator.

The code is printed here and nowhere else: the provider keeps only when and
by whom it was issued (O365 §7, HE §4).
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desktop.documents.fonts import MONO
from desktop.documents.french import french_datetime
from desktop.documents.layout import CONTENT_WIDTH, PageFrame, build_pdf
from desktop.documents.styles import ACCENT, SHADE, para, rich, styles, with_bold, xml
from desktop.documents.tables import grid, key_value_table
from desktop.domain.enums import AccessCodeAction
from desktop.services.access_codes import IssuedCode
from desktop.services.contract_print import ProviderIdentity

TITLE = "Codes d'accès administrateur"
CASE_NOTE = "Respectez les majuscules et les minuscules ; les tirets font partie du code."
CODE_STYLE = ParagraphStyle(
    "access_code", fontName=MONO, fontSize=21, leading=26, alignment=TA_CENTER, textColor=ACCENT
)


def render_access_sheet(issued: IssuedCode, *, provider: ProviderIdentity | None = None) -> bytes:
    """The sheet's PDF, on the provider's letterhead when given."""
    s = styles()
    reference = f"Codes d'accès — {issued.client_name} ({issued.client_code}) — confidentiel"
    frame = PageFrame(title=TITLE, subject=reference, reference=reference, provider=provider)
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(_occasion(issued), s.subtitle),
        Spacer(1, 5 * mm),
        key_value_table(_facts(issued)),
        Spacer(1, 6 * mm),
        para("Code d'accès", s.label),
        Spacer(1, 1.5 * mm),
        _code_box(issued.code),
        Spacer(1, 2 * mm),
        para(CASE_NOTE, s.muted),
        para("À lire et à respecter", s.heading),
        *[rich(with_bold(rule), s.bullet, bullet="•") for rule in access_rules(provider)],
    ]
    return build_pdf(frame, story).data


def _occasion(issued: IssuedCode) -> str:
    if issued.action is AccessCodeAction.REPLACED:
        return "Nouveau code, en remplacement du précédent, désactivé."
    return "Code remis à l'activation du service."


def _facts(issued: IssuedCode) -> list[tuple[str, str]]:
    return [
        ("Client", f"{issued.client_name} ({issued.client_code})"),
        ("Administrateur", issued.administrator or "—"),
        ("E-mail de l'administrateur", issued.administrator_email or "—"),
        ("Identifiant de connexion", issued.login),
        ("Remis le", f"{french_datetime(issued.at)}, par {issued.by}"),
    ]


def _code_box(code: str) -> Flowable:
    width = min(CONTENT_WIDTH, 120 * mm)
    return grid(
        [[rich(xml(code), CODE_STYLE)]],
        [width],
        [
            ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("TOPPADDING", (0, 0), (-1, -1), 9),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 11),
        ],
    )


def access_rules(provider: ProviderIdentity | None) -> list[str]:
    """What the administrator must do with the code, in plain French."""
    who = provider.name if provider is not None else "le prestataire"
    contact = _contact(provider)
    return [
        "**Gardez ce code secret.** Ne le communiquez à personne et ne le conservez pas "
        "avec l'identifiant ; le client répond de toute utilisation qui en est faite.",
        "**Changez-le dès votre première connexion**, puis détruisez cette feuille ou "
        "rangez-la sous clé.",
        f"**En cas de perte ou de vol, prévenez immédiatement {who}**{contact} : le code est "
        "aussitôt désactivé et un nouveau code vous est remis.",
        f"**{who[:1].upper()}{who[1:]} ne conserve pas ce code** : seuls la date de sa remise "
        "et le nom de la personne qui l'a remis sont enregistrés. Personne ne vous le "
        "demandera par téléphone ni par e-mail.",
    ]


def _contact(provider: ProviderIdentity | None) -> str:
    if provider is None:
        return ""
    ways = [v for v in (provider.phone, provider.email) if v]
    return f" ({' ou '.join(ways)})" if ways else ""
