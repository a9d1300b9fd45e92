"""Access codes for the client's administrator (O365 §7, HE §4): strong, shown once.

The code is never stored; only its issue, deactivation and replacement are logged.
"""

from __future__ import annotations

import secrets
import string

ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
"""Letters and digits a reader cannot mistake for one another on paper."""
GROUPS = 4
GROUP_LENGTH = 5
"""20 characters of a 57-letter alphabet: about 116 bits of entropy."""


def generate_access_code() -> str:
    """A fresh random code, in groups for reading aloud: ``Kp7mX-q2RtZ-…``.

    It holds at least one lower-case letter, one capital and one digit, as
    administrator consoles demand.
    """
    while True:
        chars = [secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH)]
        if (
            any(c.islower() for c in chars)
            and any(c.isupper() for c in chars)
            and any(c.isdigit() for c in chars)
        ):
            groups = (chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))
            return "-".join("".join(group) for group in groups)
