"""A postal address as printed on documents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PostalAddress:
    line1: str | None
    line2: str | None
    postcode: str | None
    city: str | None
    country: str

    @property
    def lines(self) -> tuple[str, ...]:
        """As printed: street lines, then « postcode city », then the country if not France."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        foreign = None if self.country == "FR" else self.country
        return tuple(line for line in (self.line1, self.line2, town, foreign) if line)
