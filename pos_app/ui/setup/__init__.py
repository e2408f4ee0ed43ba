"""Setting the till up: the first-run wizard, the settings dialog (the same pages, behind
the manager PIN), the PIN dialog, and About with diagnostics."""
