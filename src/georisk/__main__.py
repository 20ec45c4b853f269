"""``python -m georisk``: the same as the ``georisk`` command."""

from georisk.cli import main

raise SystemExit(main())
