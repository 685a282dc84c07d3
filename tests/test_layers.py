"""The layering contract of pyproject.toml ([tool.importlinter]), checked by import-linter:
command line > tools > streaming runtime > sinks | detectors > shared settings > schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layers_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    res = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def test_a_module_that_reaches_up_breaks_them(tmp_path):
    """The check can fail: a copy of the tree where a detector imports the pipeline is refused."""
    import shutil

    tree = tmp_path / "tree"
    for name in ("micromoments", "tools", "pipeline", "serving", "sinks", "detectors", "actions", "config", "schemas"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    (tree / "detectors" / "reaches_up.py").write_text("from pipeline import engine\n")
    lint = Path(sys.executable).with_name("lint-imports")
    res = subprocess.run([str(lint), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    assert res.returncode != 0 and "detectors.reaches_up -> pipeline.engine" in res.stdout, res.stdout[-3000:]
