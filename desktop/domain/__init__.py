"""Pure validation layer: normalisers for identifiers, domain names and e-mail addresses."""
