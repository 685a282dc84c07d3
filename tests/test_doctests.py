"""The examples in docstrings run (River style): every module's doctests pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("detectors", "pipeline", "schemas", "sinks")
#: modules that start a Faust app or a worker when imported
SKIP = {"pipeline.app", "pipeline.worker", "pipeline.__main__"}


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
