"""Reading back the PDFs the documents make: text per page, fonts, images."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from io import BytesIO
from typing import Any

from pypdf import PdfReader

from desktop.db.engine import Database
from desktop.services.contract_print import PostalAddress, ProviderIdentity
from desktop.services.provider import ProviderDraft, save_provider

_SPACES = re.compile(r"[ \u00a0\u202f]+")


def pages_text(data: bytes) -> list[str]:
    """The text of each page, every kind of space read as one plain space."""
    return [_SPACES.sub(" ", page.extract_text()) for page in PdfReader(BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text with line breaks joined, for phrases a paragraph may wrap."""
    return _SPACES.sub(" ", text.replace("\n", " "))


def plain(text: str) -> str:
    """A value as the extracted text reads it (no-break spaces as plain spaces)."""
    return _SPACES.sub(" ", text)


def fonts(data: bytes) -> dict[str, bool]:
    """Every font the PDF uses, by name, with whether its file is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(BytesIO(data)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = _embedded(font)
    return found


def _embedded(font: Any) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    if descriptor is None:
        return False
    keys = descriptor.get_object().keys()
    return any(k in keys for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def image_count(data: bytes) -> int:
    count = 0
    for page in PdfReader(BytesIO(data)).pages:
        objects = page["/Resources"].get("/XObject", {})
        count += sum(1 for x in objects.values() if x.get_object()["/Subtype"] == "/Image")
    return count


def metadata(data: bytes) -> dict[str, str]:
    info = PdfReader(BytesIO(data)).metadata or {}
    return {str(k): str(v) for k, v in info.items()}


def sample_provider(**changes: Any) -> ProviderIdentity:
    """A provider identity without a database."""
    values: dict[str, Any] = {
        "name": "Nuage Armor",
        "legal_form": "SAS",
        "share_capital": Decimal("50000.00"),
        "address": PostalAddress("14 rue du Commerce", None, "56000", "Vannes", "FR"),
        "siren": "552081317",
        "rcs_city": "Vannes",
        "vat_number": "FR03552081317",
        "phone": "02 97 40 12 34",
        "email": "contact@nuage-armor.fr",
        "website": "https://www.nuage-armor.fr",
        "logo": None,
        "logo_mime": None,
        "dunning_reminder_days": 8,
        "dunning_deletion_hours": 48,
        "renewal_floor_percent": Decimal("50.00"),
        "dispute_days": 5,
        "support_opens_at": time(9, 0),
        "support_closes_at": time(18, 0),
        "restoration_target_hours": 8,
        "equipment_replacement_hours": 96,
        "availability_target_percent": Decimal("99.00"),
    }
    return ProviderIdentity(**(values | changes))


def store_provider(db: Database) -> None:
    """Save the provider's identity (documents need its letterhead)."""
    draft = ProviderDraft(
        name="Nuage Armor",
        legal_form="SAS",
        share_capital=Decimal("50000.00"),
        address_line1="14 rue du Commerce",
        postcode="56000",
        city="Vannes",
        siren="552081317",
        rcs_city="Vannes",
        phone="02 97 40 12 34",
        email="contact@nuage-armor.fr",
    )
    save_provider(db, draft, expected_version=None, actor="tester")
