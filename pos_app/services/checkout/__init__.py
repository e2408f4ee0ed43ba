"""The checkout: start a sale, follow it to PAID or a close, cancel, check now, resume after a restart."""
