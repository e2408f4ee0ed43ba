"""Pure values and rules: no I/O, no asyncio, no Qt."""
