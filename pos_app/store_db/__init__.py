"""The shared PostgreSQL store database: several tills of one shop (or chain) in one place.

Each till's SQLite journal stays its offline source of truth; services/store_sync/sync.py pushes the
journal's outbox here. Plain SQL, psycopg 3 (async), numbered migrations (schema.py).
"""
