"""The ``micromoments`` command line: one entry point, one sub-command per job (``cli.py``)."""
