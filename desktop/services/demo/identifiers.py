"""Valid-looking French identifiers: SIREN/SIRET (Luhn), IBAN and RIB key, SEPA ICS, phones."""

from __future__ import annotations

import random

from stdnum import luhn


def siren(rng: random.Random, prefix: str, used: set[str]) -> str:
    """A SIREN starting with ``prefix``, not in ``used`` (then added to it)."""
    while True:
        body = prefix + "".join(rng.choice("0123456789") for _ in range(8 - len(prefix)))
        number = body + luhn.calc_check_digit(body)
        if number not in used and number != "356000000":  # La Poste has its own rule
            used.add(number)
            return number


def siret(rng: random.Random, company: str) -> str:
    """A SIRET of one of the first establishments of the SIREN ``company``."""
    body = company + f"{rng.randint(1, 9):04d}"
    return body + luhn.calc_check_digit(body)


def _mod97_check(text: str) -> str:
    """ISO 7064 MOD 97-10 check digits of ``text`` (letters count as 10..35)."""
    digits = "".join(str(int(c, 36)) for c in text)
    return f"{98 - int(digits) % 97:02d}"


def french_iban(bank: str, branch: str, account: str) -> str:
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return f"FR{_mod97_check(bban + 'FR00')}{bban}"


def creditor_id(national: str) -> str:
    """SEPA creditor identifier FRkkZZZnnnnnn (the business code is not checked)."""
    return f"FR{_mod97_check(national + 'FR00')}ZZZ{national}"


def phone(rng: random.Random, prefix: str) -> str:
    """A landline number after its area ``prefix`` (``02 97``)."""
    return prefix + "".join(f" {rng.randint(0, 99):02d}" for _ in range(3))


def mobile(rng: random.Random) -> str:
    return phone(rng, f"0{rng.choice('67')} {rng.randint(10, 99)}")
