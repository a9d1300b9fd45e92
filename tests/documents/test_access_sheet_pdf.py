"""The administrator's access-code sheet: the code itself, who, when, and the rules."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.documents.access_sheet import render_access_sheet
from desktop.domain.access_codes import generate_access_code
from desktop.domain.enums import AccessCodeAction
from desktop.services.access_codes import IssuedCode
from tests.documents.pdf_helpers import flat, fonts, pages_text, sample_provider


def issued(action: AccessCodeAction = AccessCodeAction.ISSUED, code: str = "") -> IssuedCode:
    return IssuedCode(
        client_id=3,
        client_code="CL00003",
        client_name="Atelier du Centre",
        administrator="Jeanne Martin",
        administrator_email="jeanne.martin@atelier-centre.fr",
        login="admin@atelier-centre.fr",
        code=code or generate_access_code(),
        action=action,
        at=datetime(2026, 11, 22, 8, 30, tzinfo=UTC),
        by="jdupont",
    )


def test_sheet_prints_the_code_the_login_and_the_rules() -> None:
    sheet = issued()
    data = render_access_sheet(sheet, provider=sample_provider())
    pages = pages_text(data)
    text = flat(pages[0])
    assert len(pages) == 1
    for phrase in (
        "Codes d'accès administrateur",
        sheet.code,
        "Identifiant de connexion admin@atelier-centre.fr",
        "Administrateur Jeanne Martin",
        "jeanne.martin@atelier-centre.fr",
        "Atelier du Centre (CL00003)",
        "Remis le 22/11/2026 à 09:30, par jdupont",
        "Gardez ce code secret",
        "Changez-le dès votre première connexion",
        "En cas de perte ou de vol, prévenez immédiatement Nuage Armor",
        "02 97 40 12 34",
        "Nuage Armor ne conserve pas ce code",
    ):
        assert phrase in text, phrase
    used = fonts(data)
    assert any("DejaVuSansMono" in name for name in used)
    assert all(used.values())


def test_replacement_says_the_previous_code_is_deactivated() -> None:
    text = flat(pages_text(render_access_sheet(issued(AccessCodeAction.REPLACED)))[0])
    assert "en remplacement du précédent, désactivé" in text
    assert "prévenez immédiatement le prestataire" in text
