"""pos_app: a desktop till for Indian merchants taking payments through Cashfree."""

__version__ = "0.1.0"
