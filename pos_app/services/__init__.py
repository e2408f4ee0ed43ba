"""Use cases: async, Qt-free."""
