"""The till as an MCP server (`pos-app mcp`): tools over the same services as the desk and
`pos-app charge`. It holds no business logic of its own: the checkout, the journal, the
reports and the refund services decide; this package translates, limits and records."""
