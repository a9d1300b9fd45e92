"""Demonstration data: a believable small provider with its catalogue and clients.

``generate_demo`` fills an EMPTY database, deterministically from a seed (and
the reference day ``today``): the provider's identity, the catalogue with its
price history, then clients with contacts, domains, contracts, mailboxes,
subscribed options and their logs.

Speed matters (5 000 clients ≈ 100 000 mailboxes): every row is built in
memory as a plain dict with its id chosen here, so children reference their
parents without a round trip, then inserted in bulk by the driver in chunks,
all in one transaction (a failure leaves the database empty).

The modules, in the order the demo is built: ``builder`` (shared state),
``provider``, ``catalogue``, ``clients``, ``planning`` (contracts ordered),
``domains``, ``contacts``, ``contracts``, ``options``, ``mailboxes``,
``mailbox_history``, ``events``; then ``bulk`` writes the rows. Helpers:
``words`` (French word lists), ``text``, ``identifiers``, ``dates``, ``tables``.
"""

from desktop.services.demo.bulk import NOT_EMPTY_MESSAGE
from desktop.services.demo.generate import MAX_CLIENTS, generate_demo
from desktop.services.demo.tables import DemoSummary

__all__ = ["MAX_CLIENTS", "NOT_EMPTY_MESSAGE", "DemoSummary", "generate_demo"]
