"""Use cases: one module per area, each owning its transaction."""
