"""PySide6 widgets; only this package and app.py import Qt."""
