"""The DNS records a client sets on its domain for each product line (business rules §2).

Each product line has default values (MX, autodiscover, SPF); the provider may
override any of them per line (``product_line.dns_*``, None = the default).
A value is a template in which ``{domain}`` stands for the client's domain
(IDNA A-label, ``example.fr``) and ``{domain_dashed}`` for the same with its
dots turned into dashes (``example-fr``, as Office 365's MX host wants).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from desktop.domain.enums import ProductLineCode
from desktop.domain.errors import InvalidValue

PLACEHOLDERS = ("domain", "domain_dashed")
"""The only names a DNS value template may use, between braces."""

MAX_MX_PRIORITY = 65535


@dataclass(frozen=True)
class DnsRecord:
    kind: str
    """ "MX", "CNAME" or "TXT"."""
    host: str
    """The full name the record is set on (``example.fr``, ``autodiscover.example.fr``)."""
    value: str
    priority: int | None
    """MX only: the lower, the preferred."""
    purpose: str
    """What it is for, in plain French."""


@dataclass(frozen=True)
class DnsDefaults:
    mx: str
    mx_priority: int
    autodiscover: str
    spf: str


DEFAULTS: dict[ProductLineCode, DnsDefaults] = {
    ProductLineCode.HOSTED_EXCHANGE: DnsDefaults(
        mx="mx1.messagerie-hebergee.fr",
        mx_priority=10,
        autodiscover="autodiscover.messagerie-hebergee.fr",
        spf="v=spf1 include:spf.messagerie-hebergee.fr -all",
    ),
    ProductLineCode.OFFICE_365: DnsDefaults(
        mx="{domain_dashed}.mail.protection.outlook.com",
        mx_priority=0,
        autodiscover="autodiscover.outlook.com",
        spf="v=spf1 include:spf.protection.outlook.com -all",
    ),
}

PURPOSE_MX = "Réception des e-mails : les messages adressés au domaine arrivent sur le service."
PURPOSE_AUTODISCOVER = "Configuration automatique d'Outlook, des smartphones et des tablettes."
PURPOSE_SPF = "SPF : autorise le service à envoyer des e-mails au nom du domaine (anti-usurpation)."


def check_template(template: str, *, spaces: bool = False) -> str:
    """The template, stripped, if it only uses ``{domain}`` and ``{domain_dashed}``.

    Host names (MX, autodiscover) have no space; a TXT value (``spaces=True``) may.
    """
    text = template.strip()
    if not text:
        raise InvalidValue("La valeur DNS est vide.")
    if not spaces and any(c.isspace() for c in text):
        raise InvalidValue(f"La valeur DNS « {text} » ne doit pas contenir d'espace.")
    for name in _fields(text):
        if name not in PLACEHOLDERS:
            raise InvalidValue(
                f"Champ inconnu « {{{name}}} » dans la valeur DNS « {text} » : "
                "seuls {domain} et {domain_dashed} sont permis."
            )
    return text


def _fields(text: str) -> list[str]:
    """The placeholder names of ``text``; a stray brace or a format spec is an error."""
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        raise InvalidValue(
            f"Accolade mal fermée dans la valeur DNS « {text} » "
            "(champs permis : {domain} et {domain_dashed})."
        ) from None
    names = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            raise InvalidValue(f"Champ mal écrit dans la valeur DNS « {text} ».")
        names.append(name)
    return names


def check_spf(template: str) -> str:
    """An SPF value template: a TXT record starting with ``v=spf1``."""
    text = check_template(template, spaces=True)
    if not text.startswith("v=spf1 "):
        raise InvalidValue(f"Un enregistrement SPF commence par « v=spf1 » (reçu : « {text} »).")
    return text


def check_mx_priority(priority: int) -> int:
    if not 0 <= priority <= MAX_MX_PRIORITY:
        raise InvalidValue(f"La priorité MX va de 0 à {MAX_MX_PRIORITY} (reçu : {priority}).")
    return priority


def fill(template: str, domain_a_label: str) -> str:
    """A checked template with the client's domain put in."""
    return template.format(domain=domain_a_label, domain_dashed=domain_a_label.replace(".", "-"))


def records_for(
    line: ProductLineCode,
    domain_a_label: str,
    *,
    mx: str | None = None,
    mx_priority: int | None = None,
    autodiscover: str | None = None,
    spf: str | None = None,
) -> tuple[DnsRecord, ...]:
    """MX, autodiscover CNAME and SPF TXT of ``line`` for the domain; None: the default."""
    defaults = DEFAULTS[line]
    domain = domain_a_label.strip().lower().rstrip(".")
    mx_host = check_template(defaults.mx if mx is None else mx)
    priority = check_mx_priority(defaults.mx_priority if mx_priority is None else mx_priority)
    cname = check_template(defaults.autodiscover if autodiscover is None else autodiscover)
    spf_value = check_spf(defaults.spf if spf is None else spf)
    return (
        DnsRecord("MX", domain, fill(mx_host, domain), priority, PURPOSE_MX),
        DnsRecord(
            "CNAME", f"autodiscover.{domain}", fill(cname, domain), None, PURPOSE_AUTODISCOVER
        ),
        DnsRecord("TXT", domain, fill(spf_value, domain), None, PURPOSE_SPF),
    )
