"""The three environments a till can run in, and which of them need Cashfree credentials.

The values are what is written in the settings file, typed after `--env` and used in the
names of journals and keyring entries; they never change. `Environment` is a `StrEnum`, so
a member compares equal to its text (`Environment.DEMO == "demo"`).
"""

from __future__ import annotations

import enum

__all__ = ["CREDENTIALED", "NAMES", "Environment"]


class Environment(enum.StrEnum):
    DEMO = "demo"  # the simulated Cashfree inside the app: no account, no money
    SANDBOX = "sandbox"  # Cashfree's test environment: real API, test money
    PRODUCTION = "production"  # real money from real customers

    @classmethod
    def parse(cls, value: object) -> Environment | None:
        """The environment named by `value`, or None when it names none."""
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                return None
        return None


NAMES: tuple[str, ...] = tuple(e.value for e in Environment)  # in order: demo, sandbox, production
# The environments that talk to the real Cashfree and so keep an App ID and secret.
CREDENTIALED: tuple[Environment, ...] = (Environment.SANDBOX, Environment.PRODUCTION)
