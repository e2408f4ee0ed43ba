"""The only package that knows Cashfree's URLs, headers and JSON."""
