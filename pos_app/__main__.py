"""python -m pos_app"""

from pos_app.cli import main

raise SystemExit(main())
