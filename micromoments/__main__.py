"""``python -m micromoments`` is the ``micromoments`` command."""

import sys

from micromoments.cli import main

sys.exit(main())
