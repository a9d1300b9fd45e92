"""Back-Office Messagerie: the back office of a hosted-email reseller."""

__version__ = "0.1.0"
