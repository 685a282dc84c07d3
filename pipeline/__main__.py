"""``python -m pipeline`` is the ``micromoments`` command."""

import sys

from pipeline.cli import main

sys.exit(main())
