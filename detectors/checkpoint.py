"""Detector checkpoints: versioned JSON files written atomically, no pickle.

``<dir>/detector-<version>.json`` per checkpoint and ``<dir>/detector.json``
(the latest, replaced atomically). Only weights, counters and settings are
stored — plain JSON, so loading a checkpoint can never run code. Only paths the
operator configured (``MOMENTS_DATA_DIR``, ``--state``) or the package's own
``detectors/pretrained`` are ever read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from detectors.online import OVR_KINDS, MomentDetector

FORMAT = 1
LATEST = "detector.json"
KEEP = 3
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"


def to_dict(d: MomentDetector) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if d.kind in OVR_KINDS:
        m = d.model
        weights = {label: {"w": m.label_weights(label), "b": m.intercept(label)} for label in m.labels}
        if m.optimizer == "adagrad":
            for label in m.labels:
                weights[label]["g"] = m.label_sums(label)
        extra["optimizer"] = m.optimizer
    elif d.kind == "softmax":
        weights = {label: {"w": dict(w), "b": 0.0} for label, w in d.model.weights.items()}
    else:
        raise ValueError(f"checkpoints support {', '.join(OVR_KINDS)} and softmax, not {d.kind}")
    return {"format": FORMAT, "kind": d.kind, "version": d.version, "n_feedback": d.n_feedback,
            "n_taught": d.n_taught, "teach_threshold": d.teach_threshold, "teach_weight": d.teach_weight,
            "warmup": d.warmup, "teach_debt": d._teach_debt, "weights": weights,
            "metrics": d.metrics.snapshot(), "temperature": d.temperature, **extra}


def from_dict(data: dict[str, Any]) -> MomentDetector:
    if data.get("format") != FORMAT:
        raise ValueError(f"unsupported checkpoint format {data.get('format')!r}")
    d = MomentDetector(kind=data["kind"], teach_threshold=data["teach_threshold"],
                       teach_weight=data["teach_weight"], warmup=data["warmup"])
    d.n_feedback, d.n_taught, d._teach_debt = data["n_feedback"], data["n_taught"], data["teach_debt"]
    d.temperature = float(data.get("temperature", 1.0))  # checkpoints before calibration: none
    if d.kind in OVR_KINDS:
        # checkpoints written before AdaGrad (2026-12-05) say no optimizer: River's SGD
        d.model.optimizer = data.get("optimizer", "sgd")
    for label, wb in data["weights"].items():
        if d.kind in OVR_KINDS:
            d.model.set_label(label, wb["w"], wb["b"], wb.get("g"))
        else:
            d.model.weights[label].update(wb["w"])
    return d


def _write_atomically(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one


def savable(d: Any) -> bool:
    """Whether a detector has a checkpoint: the online models; not the rules (they learn nothing)
    nor naive Bayes (only compared in evaluation)."""
    return getattr(d, "kind", "naive-bayes") != "naive-bayes"


def save_file(d: MomentDetector, path: Path) -> Path:
    """One checkpoint file (the shipped model), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, orjson.dumps(to_dict(d), option=orjson.OPT_SORT_KEYS))
    return path


def save(d: MomentDetector, directory: Path) -> Path:
    """Write a versioned checkpoint and point ``detector.json`` at it, atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    payload = orjson.dumps(to_dict(d))
    versioned = directory / f"detector-{d.version}.json"
    for target in (versioned, directory / LATEST):
        _write_atomically(target, payload)
    old = sorted(directory.glob("detector-*.json"), key=lambda p: p.stat().st_mtime)[:-KEEP]
    for p in old:
        p.unlink(missing_ok=True)
    return versioned


def load(directory: Path) -> MomentDetector | None:
    """The latest checkpoint in ``directory``, or None if there is none."""
    path = directory / LATEST
    if not path.is_file():
        return None
    return from_dict(orjson.loads(path.read_bytes()))


def pretrained(name: str = "default") -> MomentDetector | None:
    """The model shipped with the package (trained on simulated data and the sample), if any."""
    path = PRETRAINED_DIR / f"{name}.json"
    return from_dict(orjson.loads(path.read_bytes())) if path.is_file() else None
