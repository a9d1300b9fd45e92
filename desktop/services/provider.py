"""The provider's identity and invoicing settings: one row (id = 1), read and saved.

Validation is pure (:func:`check_draft` needs no database), so that a form can
show the very messages the save would give while the user types; the save
itself re-validates and writes under optimistic locking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Provider
from desktop.domain.banking import normalize_bic, normalize_creditor_identifier, normalize_iban
from desktop.domain.clock import utc_now
from desktop.domain.domain_names import (
    DEFAULT_REFUSED_TLDS,
    display_domain_name,
    normalize_domain_name,
)
from desktop.domain.emails import normalize_email
from desktop.domain.errors import InvalidValue, collect
from desktop.domain.identifiers import (
    french_vat_number,
    normalize_postcode,
    normalize_siren,
    normalize_vat_number,
)
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import (
    PROVIDER,
    Target,
    check_version,
    conflict_error,
    load_for_update,
    write_scope,
)
from desktop.services.fields import clean, raise_if_any, text_field

PROVIDER_ID = 1

FRENCH_VAT_RATES: tuple[Decimal, ...] = (
    Decimal("20.00"),
    Decimal("10.00"),
    Decimal("5.50"),
    Decimal("2.10"),
    Decimal("0.00"),
)
"""The VAT rates of metropolitan France (CGI art. 278 to 281 nonies), highest first."""

MAX_PAYMENT_DAYS = 60
"""Code de commerce L441-10: at most 60 days after the invoice date."""

MAX_SHARE_CAPITAL = Decimal("999999999999.99")
MAX_PENALTY_RATE = Decimal("100.00")
MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
"""Magic bytes of the accepted logo formats, and their MIME type."""

REFUSED_TLDS_MAX_LENGTH = 500
"""Length of the ``provider.refused_tlds`` column (comma-separated extensions)."""

_CENT = Decimal("0.01")


# --- public data ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProviderDraft:
    """The provider's identity and invoicing settings as typed.

    ``vat_number=None``: computed from the SIREN. ``logo_mime`` is informative:
    the type stored is the one read from the logo's own bytes.
    """

    name: str
    legal_form: str
    share_capital: Decimal
    address_line1: str
    address_line2: str | None = None
    postcode: str
    city: str
    country: str = "FR"
    siren: str
    rcs_city: str
    vat_number: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    iban: str | None = None
    bic: str | None = None
    sepa_creditor_id: str | None = None
    logo: bytes | None = None
    logo_mime: str | None = None
    default_vat_rate: Decimal = Decimal("20.00")
    payment_days: int = 30
    penalty_rate: Decimal = Decimal("12.00")
    refused_tlds: tuple[str, ...] = DEFAULT_REFUSED_TLDS


@dataclass(frozen=True, kw_only=True)
class ProviderDetails(ProviderDraft):
    """The provider as stored (normalised), with its optimistic-lock version."""

    version: int
    updated_at: datetime
    updated_by: str | None


def as_draft(provider: ProviderDraft) -> ProviderDraft:
    """The plain draft of a provider: a ProviderDetails without its version and stamps."""
    return ProviderDraft(**{f.name: getattr(provider, f.name) for f in fields(ProviderDraft)})


# Draft fields that are columns of the same name (every one but refused_tlds).
_COLUMNS = (
    "name",
    "legal_form",
    "share_capital",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "siren",
    "rcs_city",
    "vat_number",
    "phone",
    "email",
    "website",
    "iban",
    "bic",
    "sepa_creditor_id",
    "logo",
    "logo_mime",
    "default_vat_rate",
    "payment_days",
    "penalty_rate",
)


# --- use cases --------------------------------------------------------------------------


def get_provider(db: Database) -> ProviderDetails | None:
    """The provider, or None before its identity was first saved."""
    with db.read_session() as session:
        row = session.get(Provider, PROVIDER_ID)
        return None if row is None else _details(row)


def provider_exists(db: Database) -> bool:
    with db.read_session() as session:
        return bool(
            session.execute(sa.select(sa.exists().where(Provider.id == PROVIDER_ID))).scalar()
        )


@requires(Permission.SETTINGS)
def save_provider(
    db: Database, draft: ProviderDraft, *, expected_version: int | None, actor: str
) -> ProviderDetails:
    """Create (``expected_version=None``) or update the provider.

    Raises ValidationError with every field error at once, or ConflictError
    when another desktop created or changed the provider since it was read.
    """
    values = _validate(draft)
    if expected_version is None:
        return _create(db, values, actor)
    target = Target(PROVIDER, Provider, PROVIDER_ID)
    with write_scope(db, target=target) as session:
        row = load_for_update(session, target, expected_version)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.updated_at = utc_now()
        session.flush()
        return _details(row)


def provider_for_update(session: Session, expected_version: int) -> Provider:
    """The provider row, locked, at the version the user read (settings saved on it)."""
    provider = session.get(Provider, PROVIDER_ID, with_for_update=True)
    if provider is None:
        raise UserError("Renseignez d'abord l'identité du prestataire (Fichier > Paramètres).")
    check_version(PROVIDER, provider, expected_version)
    return provider


def _create(db: Database, values: dict[str, Any], actor: str) -> ProviderDetails:
    try:
        with write_scope(db) as session:
            existing = session.get(Provider, PROVIDER_ID, with_for_update=True)
            if existing is not None:
                raise conflict_error(PROVIDER, existing)
            row = Provider(id=PROVIDER_ID, **values, updated_by=actor)
            session.add(row)
            session.flush()
            return _details(row)
    except IntegrityError:
        # PostgreSQL: another desktop inserted the row between our read and our insert.
        with db.read_session() as session:
            current = session.get(Provider, PROVIDER_ID)
            if current is None:
                raise
            raise conflict_error(PROVIDER, current) from None


def _details(row: Provider) -> ProviderDetails:
    return ProviderDetails(
        **{name: getattr(row, name) for name in _COLUMNS},
        refused_tlds=split_tlds(row.refused_tlds),
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def split_tlds(setting: str | None) -> tuple[str, ...]:
    """The refused extensions stored comma-separated, as a tuple."""
    return tuple(tld.strip() for tld in (setting or "").split(",") if tld.strip())


# --- validation -------------------------------------------------------------------------


def check_draft(draft: ProviderDraft) -> dict[str, str]:
    """Every error of the draft (field → French message); empty when it can be saved."""
    errors: dict[str, str] = {}
    _values(errors, draft)
    return errors


def _validate(draft: ProviderDraft) -> dict[str, Any]:
    """The column values to store, or ValidationError with every error at once."""
    errors: dict[str, str] = {}
    values = _values(errors, draft)
    raise_if_any(errors)
    return values


def _values(errors: dict[str, str], draft: ProviderDraft) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": text_field(
            errors, "name", draft.name, Provider.name, required="Le nom est obligatoire."
        ),
        "legal_form": text_field(
            errors,
            "legal_form",
            draft.legal_form,
            Provider.legal_form,
            required="La forme juridique est obligatoire (SAS, SARL, EURL, EI…).",
        ),
        "address_line1": text_field(
            errors,
            "address_line1",
            draft.address_line1,
            Provider.address_line1,
            required="L'adresse est obligatoire.",
        ),
        "address_line2": text_field(
            errors, "address_line2", draft.address_line2, Provider.address_line2
        ),
        "city": text_field(
            errors, "city", draft.city, Provider.city, required="La ville est obligatoire."
        ),
        "rcs_city": text_field(
            errors,
            "rcs_city",
            draft.rcs_city,
            Provider.rcs_city,
            required="La ville du greffe (RCS) est obligatoire.",
        ),
        "phone": text_field(errors, "phone", draft.phone, Provider.phone),
        "email": _optional(errors, "email", draft.email, normalize_email),
        "website": _optional(errors, "website", draft.website, normalize_website),
        "share_capital": _amount(
            errors,
            "share_capital",
            draft.share_capital,
            MAX_SHARE_CAPITAL,
            "Le capital social ne peut pas dépasser 999 999 999 999,99 €.",
        ),
        "default_vat_rate": _vat_rate(errors, draft.default_vat_rate),
        "payment_days": _payment_days(errors, draft.payment_days),
        "penalty_rate": _amount(
            errors,
            "penalty_rate",
            draft.penalty_rate,
            MAX_PENALTY_RATE,
            "Le taux des pénalités de retard ne peut pas dépasser 100 %.",
        ),
        "refused_tlds": _refused_tlds(errors, draft.refused_tlds),
    }
    values.update(_address(errors, draft))
    values.update(_identity(errors, draft))
    values.update(_bank(errors, draft))
    values.update(_logo(errors, draft.logo))
    if values["website"] is not None:
        values["website"] = text_field(errors, "website", values["website"], Provider.website)
    return values


def _optional(
    errors: dict[str, str], field: str, value: str | None, normalize: Callable[[str], str]
) -> str | None:
    text = clean(value)
    if text is None:
        return None
    return collect(errors, field, partial(normalize, text))


def _address(errors: dict[str, str], draft: ProviderDraft) -> dict[str, Any]:
    country = (clean(draft.country) or "FR").upper()
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        errors.setdefault("country", "Le pays s'indique par son code à deux lettres (FR, BE, CH…).")
    raw = clean(draft.postcode) or ""
    postcode = collect(errors, "postcode", lambda: normalize_postcode(raw, country))
    return {"country": country, "postcode": postcode}


def _identity(errors: dict[str, str], draft: ProviderDraft) -> dict[str, Any]:
    """SIREN (required) and the VAT number, which must be the SIREN's own."""
    raw_siren = clean(draft.siren) or ""
    siren = collect(errors, "siren", lambda: normalize_siren(raw_siren))
    expected = None if siren is None else french_vat_number(siren)
    raw_vat = clean(draft.vat_number)
    if raw_vat is None:
        return {"siren": siren, "vat_number": expected}
    vat = collect(errors, "vat_number", lambda: normalize_vat_number(raw_vat, siren))
    if vat is not None and expected is not None and vat != expected:
        errors.setdefault(
            "vat_number",
            f"Le n° de TVA ne correspond pas au SIREN {siren} (attendu : {expected}).",
        )
    return {"siren": siren, "vat_number": vat}


def _bank(errors: dict[str, str], draft: ProviderDraft) -> dict[str, Any]:
    """IBAN and BIC go together; collecting by SEPA direct debit needs the account."""
    raw_iban, raw_bic = clean(draft.iban), clean(draft.bic)
    raw_ics = clean(draft.sepa_creditor_id)
    iban = raw_iban and collect(errors, "iban", lambda: normalize_iban(raw_iban))
    bic = raw_bic and collect(errors, "bic", lambda: normalize_bic(raw_bic))
    ics = raw_ics and collect(
        errors, "sepa_creditor_id", lambda: normalize_creditor_identifier(raw_ics)
    )
    if raw_iban is not None and raw_bic is None:
        errors.setdefault("bic", "Le BIC est obligatoire avec l'IBAN.")
    if raw_iban is None and raw_bic is not None:
        errors.setdefault("iban", "L'IBAN est obligatoire avec le BIC.")
    if raw_iban is None and raw_ics is not None:
        errors.setdefault(
            "iban", "L'IBAN est obligatoire pour prélever avec un identifiant créancier SEPA."
        )
    return {"iban": iban, "bic": bic, "sepa_creditor_id": ics}


def sniff_image_type(data: bytes) -> str | None:
    """``image/png`` or ``image/jpeg`` from the file's first bytes; None otherwise."""
    return next((mime for magic, mime in LOGO_TYPES.items() if data.startswith(magic)), None)


def check_logo(data: bytes) -> str:
    """The MIME type of an acceptable logo (PNG or JPEG, 1 Mo at most)."""
    if not data:
        raise InvalidValue("Le fichier du logo est vide.")
    if len(data) > MAX_LOGO_BYTES:
        size = f"{len(data) / (1024 * 1024):.1f}".replace(".", ",")
        raise InvalidValue(f"Le logo pèse {size} Mo : 1 Mo au maximum.")
    mime = sniff_image_type(data)
    if mime is None:
        raise InvalidValue("Le logo doit être une image PNG ou JPEG.")
    return mime


def _logo(errors: dict[str, str], data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {"logo": None, "logo_mime": None}
    mime = collect(errors, "logo", lambda: check_logo(data))
    return {"logo": bytes(data), "logo_mime": mime}


def normalize_website(value: str) -> str:
    """A web address as typed (``www.exemple.fr`` or ``https://…``) if its host is valid."""
    text = value.strip()
    if any(c.isspace() for c in text):
        raise InvalidValue("L'adresse du site web ne doit pas contenir d'espace.")
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = parts.hostname or ""
    except ValueError:
        raise InvalidValue("Adresse du site web invalide (par exemple www.exemple.fr).") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidValue("L'adresse du site web commence par http:// ou https://.")
    if not host:
        raise InvalidValue("Adresse du site web incomplète (par exemple www.exemple.fr).")
    normalize_domain_name(host, refused_tlds=())
    return text


def _amount(
    errors: dict[str, str], field: str, value: Decimal, maximum: Decimal, too_big: str
) -> Decimal | None:
    """A non-negative Decimal with at most 2 decimals, up to ``maximum``."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        errors.setdefault(field, "Nombre attendu.")
        return None
    number = Decimal(value)
    if not number.is_finite():
        errors.setdefault(field, "Nombre attendu.")
        return None
    if number < 0:
        errors.setdefault(field, "La valeur ne peut pas être négative.")
        return None
    if number > maximum:
        errors.setdefault(field, too_big)
        return None
    try:
        rounded = number.quantize(_CENT)
    except InvalidOperation:  # pragma: no cover - excluded by the maximum
        rounded = None
    if rounded != number:
        errors.setdefault(field, "Deux décimales au maximum.")
        return None
    return rounded


def french_rate(rate: Decimal) -> str:
    """``5.50`` → "5,5 %", ``20.00`` → "20 %"."""
    return f"{format(rate.normalize(), 'f').replace('.', ',')} %"


def _vat_rate(errors: dict[str, str], value: Decimal) -> Decimal | None:
    rate = _amount(errors, "default_vat_rate", value, Decimal("100"), "Taux de TVA invalide.")
    if rate is not None and rate not in FRENCH_VAT_RATES:
        rates = ", ".join(french_rate(r) for r in FRENCH_VAT_RATES)
        errors.setdefault("default_vat_rate", f"Taux de TVA français attendu : {rates}.")
        return None
    return rate


def _payment_days(errors: dict[str, str], value: int) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors.setdefault("payment_days", "Nombre de jours attendu.")
        return None
    if not 0 <= value <= MAX_PAYMENT_DAYS:
        errors.setdefault(
            "payment_days",
            f"Le délai de paiement va de 0 à {MAX_PAYMENT_DAYS} jours "
            "(Code de commerce, art. L441-10).",
        )
        return None
    return value


def normalize_refused_tld(value: str) -> str:
    """One extension, lower-case A-label without dot: ``.TEL`` → ``tel``, ``.Рф`` → ``xn--p1ai``."""
    text = value.strip().lstrip(".").removesuffix(".")
    if not text:
        raise InvalidValue("Extension vide.")
    if "." in text:
        raise InvalidValue(
            f"« {text} » n'est pas une extension : un seul mot, sans point (par exemple tel)."
        )
    try:
        name = normalize_domain_name(f"exemple.{text}", refused_tlds=())
    except InvalidValue as exc:
        if "extension" in exc.message.lower():
            raise
        detail = exc.message[:1].lower() + exc.message[1:]
        raise InvalidValue(f"Extension « .{text} » invalide : {detail}") from None
    return name.rsplit(".", 1)[1]


def _refused_tlds(errors: dict[str, str], entries: tuple[str, ...]) -> str | None:
    tlds: list[str] = []
    for entry in entries:
        tld = collect(errors, "refused_tlds", partial(normalize_refused_tld, entry))
        if tld is not None and tld not in tlds:
            tlds.append(tld)
    stored = ",".join(tlds)
    limit = REFUSED_TLDS_MAX_LENGTH
    if len(stored) > limit:
        errors.setdefault(
            "refused_tlds", f"Liste trop longue : {limit} caractères au maximum une fois réunie."
        )
    return stored


def display_tld(tld: str) -> str:
    """An extension as shown to users: ``xn--p1ai`` → ``рф``."""
    return display_domain_name(tld)
