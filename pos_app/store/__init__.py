"""The local journal: SQLite, migrations."""
