"""A client's domain names (one to three, unique across clients) and their first events."""

from __future__ import annotations

from datetime import datetime, timedelta

from desktop.domain.domain_names import normalize_domain_name
from desktop.domain.enums import ClientKind, ClientStatus, DnsStatus, LifecycleKind
from desktop.domain.errors import InvalidValue
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.events import event
from desktop.services.demo.tables import Row
from desktop.services.demo.text import person_slug, slug
from desktop.services.demo.words import BRITTANY, PARIS_AREA

FALLBACK_TLDS = ["fr", "com", "net"]


def build_domains(b: DemoBuilder, client: Row) -> list[Row]:
    """The client's domains, the primary one first (at least that one)."""
    rng = b.rng
    wanted = 1 if rng.random() < 0.7 else 2 if rng.random() < 0.75 else 3
    candidates = _candidates(b, client)
    domains: list[Row] = []
    for position in range(wanted):
        name = _unique_domain(b, candidates, client, position)
        if name is None:
            break
        row = _domain_row(b, client, name, position)
        domains.append(row)
        _first_events(b, client, row)
    return domains


def _domain_row(b: DemoBuilder, client: Row, name: str, position: int) -> Row:
    rng = b.rng
    created: datetime = client["created_at"]
    prospect = client["status"] is ClientStatus.PROSPECT
    certified = None if prospect and rng.random() < 0.5 else created
    antispam = rng.random() < 0.9
    dns = (
        DnsStatus.UNKNOWN
        if prospect
        else DnsStatus.OK
        if rng.random() < 0.93
        else rng.choice((DnsStatus.PENDING, DnsStatus.ERROR))
    )
    return b.add(
        "domain",
        {
            "id": b.next_id("domain"),
            "client_id": client["id"],
            "name": name,
            "is_primary": position == 0,
            "admin_certified_at": certified,
            "admin_certified_by": b.staff() if certified else None,
            "antispam_enabled": antispam,
            "dns_status": dns,
            **b.stamps(created),
        },
    )


def _first_events(b: DemoBuilder, client: Row, domain: Row) -> None:
    """The administration certificate received; the antispam turned off, for a few."""
    about = {"client_id": client["id"], "domain_id": domain["id"]}
    certified: datetime | None = domain["admin_certified_at"]
    if certified:
        reason = "Attestation d'administration du domaine reçue du client"
        by = domain["admin_certified_by"]
        event(b, LifecycleKind.ADMIN_CERTIFICATION, certified, about, reason, by=by)
    if domain["antispam_enabled"]:
        return
    when = domain["created_at"] + timedelta(days=b.rng.randint(1, 300))
    if when.date() <= b.today:
        reason = "Désactivation demandée par l'administrateur du client"
        event(b, LifecycleKind.ANTISPAM, when, about, reason, change=("on", "off"))


def _candidates(b: DemoBuilder, client: Row) -> list[str]:
    """Domain names to try, in order of preference (Unicode allowed: IDN)."""
    kind = client["kind"]
    if kind is ClientKind.CONSUMER:
        bases = _consumer_bases(client)
    elif kind is ClientKind.PUBLIC_BODY:
        city = slug(client["city"])
        bases = [p + city for p in client.pop("_domain_prefixes")]
    else:
        bases = _business_bases(b, client)
    tlds = _tlds(b, client)
    result: list[str] = []
    for base in bases:
        base = base[:40].strip("-")
        result.extend(f"{base}.{tld}" for tld in dict.fromkeys([*tlds, *FALLBACK_TLDS]))
    return result


def _consumer_bases(client: Row) -> list[str]:
    first, last = (person_slug(part) for part in client["_person"])
    return [f"{first}-{last}", f"famille-{last}", f"{last}-{first}"]


def _business_bases(b: DemoBuilder, client: Row) -> list[str]:
    rng = b.rng
    words: str = client["name"]
    for prefix in ("SCI ", "Cabinet "):
        if words.startswith(prefix) and rng.random() < 0.5:
            words = words[len(prefix) :]
    hyphenated = slug(words)
    bases = [hyphenated, hyphenated.replace("-", ""), f"{hyphenated}-{slug(client['city'])}"]
    if rng.random() < 0.3:
        bases[0], bases[1] = bases[1], bases[0]
    accented = slug(words, keep_accents=True)
    if accented != hyphenated and rng.random() < 0.06:
        bases.insert(0, accented)  # an IDN, stored as its A-label
    return bases


def _tlds(b: DemoBuilder, client: Row) -> list[str]:
    """Three extensions to try first: regional ones only where they make sense."""
    department = client["postcode"][:2]
    tlds = [b.tld() for _ in range(3)]
    for position, tld in enumerate(tlds):
        if (tld == "bzh" and department not in BRITTANY) or (
            tld == "paris" and department not in PARIS_AREA
        ):
            tlds[position] = "fr"
    if client["kind"] is ClientKind.PUBLIC_BODY:
        return ["fr", "fr", "bzh" if department in BRITTANY else "eu"]
    if client.get("legal_form", "") and str(client["legal_form"]).startswith("Association"):
        tlds[0] = b.rng.choice(("fr", "org", "asso.fr"))
    return tlds


def _unique_domain(b: DemoBuilder, candidates: list[str], client: Row, position: int) -> str | None:
    """The first free candidate (then taken off the list), else ``<base>2.fr``, ``…3.fr``…

    Only the primary domain (``position`` 0) falls back to a numbered name.
    """
    for candidate in candidates:
        try:
            name = normalize_domain_name(candidate)
        except InvalidValue:
            continue
        if name not in b.domain_names:
            b.domain_names.add(name)
            candidates.remove(candidate)
            return name
    if position > 0:
        return None  # extra domains are optional
    base = candidates[0].rsplit(".", 1)[0] if candidates else f"client{client['id']}"
    suffix = 2
    while True:
        name = normalize_domain_name(f"{slug(base)}{suffix}.fr")
        if name not in b.domain_names:
            b.domain_names.add(name)
            return name
        suffix += 1


def drop_scratch(b: DemoBuilder) -> None:
    """Forget the local parts remembered on each domain (not a column)."""
    for domain in b.rows["domain"]:
        domain.pop("_locals", None)
