"""The bearer token of `pos-app mcp --http`: made on first use, kept in the OS password
store (through pos_app.secrets), one per environment. Never in settings, logs or argv."""

from __future__ import annotations

import secrets as random

from pos_app.secrets import MCP_TOKEN, Secret, SecretStore

__all__ = ["http_token"]

TOKEN_BYTES = 32


def http_token(store: SecretStore, environment: str) -> Secret:
    """The environment's token, made and saved when there is none yet."""
    token = store.get(environment, MCP_TOKEN)
    if token is None:
        token = Secret(random.token_urlsafe(TOKEN_BYTES))
        store.set(environment, MCP_TOKEN, token)
    return token
