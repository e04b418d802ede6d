"""``python -m ferry.engine.cli``: the ``ferry`` command."""

import sys

from .main import main

sys.exit(main())
