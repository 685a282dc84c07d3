"""The examples in docstrings run (River style): every module's doctests pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("micromoments", "tools", "pipeline", "serving", "sinks", "detectors", "actions", "config", "schemas")
#: runs the command line when imported (nothing else builds or starts anything at import time)
SKIP = {"micromoments.__main__"}


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        module = importlib.import_module(pkg)
        names.append(pkg)
        names += [m.name for m in pkgutil.walk_packages(module.__path__, pkg + ".") if m.name not in SKIP]
    return names


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
