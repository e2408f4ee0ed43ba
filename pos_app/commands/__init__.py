"""What the terminal commands do (cli.py only parses); each builds its runtime via app.py."""
