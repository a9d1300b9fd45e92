"""Client rows: consumers, public bodies and businesses with a French identity."""

from __future__ import annotations

from datetime import date

from desktop.domain.enums import ClientKind, ClientStatus, PaymentMethod
from desktop.domain.identifiers import french_vat_number
from desktop.services.clients import CLIENT_CODE_FORMAT
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.identifiers import mobile, phone, siren, siret
from desktop.services.demo.tables import Row
from desktop.services.demo.text import of_city
from desktop.services.demo.words import (
    ADDRESS_LINE2,
    ASSOCIATIONS,
    BRANDS,
    BUSINESS_PARKS,
    CLIENT_NOTES,
    PLACES,
    PUBLIC_BODIES,
    SCI_NAMES,
    SECTORS,
    STREETS,
    TRADES,
)

City = tuple[str, str, str]
"""(postcode, city, phone prefix)"""

TOWN_HALL_STREETS = ("place de la Mairie", "rue de l'Hôtel de Ville", "place du Général de Gaulle")
BUSINESS_PAYMENTS = (
    PaymentMethod.TRANSFER,
    PaymentMethod.TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.SEPA_DEBIT,
)


def build_client(b: DemoBuilder, index: int, created_on: date) -> Row:
    """The ``index``-th client (from 0), created on ``created_on``.

    Private keys (``_person``, ``_domain_prefixes``) are left for its domains
    and contacts, which remove them.
    """
    rng = b.rng
    kind = _kind(rng.random())
    city = b.city()
    client = _blank_client(b, index, kind, city)
    street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    if kind is ClientKind.CONSUMER:
        _consumer(b, client)
    elif kind is ClientKind.PUBLIC_BODY:
        street = _public_body(b, client, city)
    else:
        street = _business(b, client, city, street)
    client["address_line1"] = street
    client["address_line2"] = rng.choice(ADDRESS_LINE2) if rng.random() < 0.15 else None
    client["status"] = _status(rng.random(), (b.today - created_on).days)
    if rng.random() < 0.1:
        client["notes"] = rng.choice(CLIENT_NOTES)
    client |= b.stamps(b.office_time(created_on))
    return b.add("client", client)


def _kind(draw: float) -> ClientKind:
    if draw < 0.08:
        return ClientKind.CONSUMER
    if draw < 0.11:
        return ClientKind.PUBLIC_BODY
    return ClientKind.BUSINESS


def _status(draw: float, age: int) -> ClientStatus:
    """Prospects never ordered; terminated clients left after their initial period."""
    if draw < 0.04:
        return ClientStatus.PROSPECT
    if draw < 0.08 and age > 430:
        return ClientStatus.TERMINATED
    if draw < 0.10 and age > 60:
        return ClientStatus.SUSPENDED
    return ClientStatus.ACTIVE


def _blank_client(b: DemoBuilder, index: int, kind: ClientKind, city: City) -> Row:
    postcode, name, _ = city
    return {
        "id": b.next_id("client"),
        "code": CLIENT_CODE_FORMAT.format(seq=index + 1),
        "kind": kind,
        "legal_form": None,
        "siren": None,
        "siret": None,
        "vat_number": None,
        "postcode": postcode,
        "city": name,
        "country": "FR",
        "chorus_pro_id": None,
        "chorus_pro_service_code": None,
        "consumer_waiver_at": None,
        "notes": None,
        "anonymised_at": None,
    }


def _consumer(b: DemoBuilder, client: Row) -> None:
    rng = b.rng
    first, last = b.first_name(), b.last_name()
    client |= {
        "name": f"{first} {last}",
        "phone": mobile(rng),
        "payment_method": rng.choice((PaymentMethod.CHEQUE, PaymentMethod.TRANSFER)),
        "_person": (first, last),
    }


def _public_body(b: DemoBuilder, client: Row, city: City) -> str:
    """A town hall, a community of communes…; returns its street address."""
    rng = b.rng
    postcode, town, phone_prefix = city
    for _attempt in range(20):  # a second "Mairie de Vannes" only if all are taken
        pattern, prefix, domain_prefixes = rng.choice(PUBLIC_BODIES)
        name = pattern.format(of_city=of_city(town))
        if name not in b.public_names:
            break
        postcode, town, phone_prefix = b.city()
    b.public_names.add(name)
    if prefix == "21":
        prefix += postcode[:2]
    number = siren(rng, prefix, b.sirens)
    establishment = siret(rng, number)
    client |= {
        "name": name,
        "postcode": postcode,
        "city": town,
        "siren": number,
        "siret": establishment,
        "legal_form": "Collectivité territoriale"
        if prefix.startswith("21")
        else "Établissement public",
        "phone": phone(rng, phone_prefix),
        "payment_method": PaymentMethod.ADMINISTRATIVE_MANDATE,
        "chorus_pro_id": establishment,
        "chorus_pro_service_code": rng.choice((None, "FINANCES", "SERVICES-GENERAUX")),
        "_domain_prefixes": domain_prefixes,
    }
    street = rng.choice(TOWN_HALL_STREETS)
    return f"{rng.randint(1, 12)} {street}"


def _business(b: DemoBuilder, client: Row, city: City, street: str) -> str:
    """A company or an association; returns its street address (``street`` or a park)."""
    rng = b.rng
    _, town, phone_prefix = city
    form = b.legal_form()
    name = _business_name(b, form, town)
    for _attempt in range(8):  # homonyms exist, but not by the hundred
        if name not in b.business_names:
            break
        name = _business_name(b, form, town)
    b.business_names.add(name)
    number = siren(rng, str(rng.choice((3, 4, 5, 7, 8, 8, 9))), b.sirens)
    client |= {
        "name": name,
        "legal_form": form,
        "siren": number,
        "siret": siret(rng, number),
        "vat_number": None if form.startswith("Association") else french_vat_number(number),
        "phone": phone(rng, phone_prefix),
        "payment_method": rng.choice(BUSINESS_PAYMENTS),
    }
    if rng.random() < 0.25:
        street = rng.choice(BUSINESS_PARKS)
        street = f"{rng.randint(1, 40)} {street}" if rng.random() < 0.5 else street
    return street


def _business_name(b: DemoBuilder, form: str, town: str) -> str:
    rng = b.rng
    if form == "SCI":
        return f"SCI {rng.choice(SCI_NAMES) if rng.random() < 0.5 else b.last_name()}"
    if form.startswith("Association"):
        return rng.choice(ASSOCIATIONS).format(of_city=of_city(town))
    draw = rng.random()
    if draw < 0.30:
        return f"{rng.choice(TRADES)} {b.last_name()}"
    if draw < 0.45:
        return f"{rng.choice(TRADES)} {rng.choice(PLACES)}"
    if draw < 0.80:
        return f"{rng.choice(BRANDS)} {rng.choice(SECTORS)}"
    if draw < 0.90:
        return f"{b.last_name()} {rng.choice(('& Fils', 'et Associés', 'Frères'))}"
    if form == "SELARL":
        return f"Cabinet {b.last_name()}-{b.last_name()}"
    return f"{b.last_name()} {rng.choice(SECTORS)}"
