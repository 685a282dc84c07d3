"""Prequential (test-then-train) quality of the online model, and drift on its error.

Each feedback label is first predicted, then learned: accuracy and macro-F1 over
a sliding window, and ADWIN on the 0/1 error flag an abrupt change.

>>> m = PrequentialMetrics(window=4)
>>> for y, p in [("buy", "buy"), ("go", "buy"), ("go", "go"), ("do", "do")]:
...     _ = m.update(y, p)
>>> m.snapshot()["accuracy"]
0.75
"""

from __future__ import annotations

from river import drift, metrics, utils


class PrequentialMetrics:
    def __init__(self, window: int = 500) -> None:
        self.window = window
        self.accuracy = utils.Rolling(metrics.Accuracy, window_size=window)
        self.macro_f1 = utils.Rolling(metrics.MacroF1, window_size=window)
        self.adwin = drift.ADWIN(delta=0.002)
        self.n = 0
        self.drifts = 0

    def update(self, y_true: str, y_pred: str) -> bool:
        """Add one scored label; True if drift was detected on the error."""
        self.accuracy.update(y_true, y_pred)
        self.macro_f1.update(y_true, y_pred)
        self.n += 1
        self.adwin.update(0.0 if y_true == y_pred else 1.0)
        if self.adwin.drift_detected:
            self.drifts += 1
            return True
        return False

    def snapshot(self) -> dict[str, float | int]:
        return {"labels": self.n, "accuracy": round(self.accuracy.get(), 6),
                "macro_f1": round(self.macro_f1.get(), 6), "error_mean": round(self.adwin.estimation, 6),
                "drifts": self.drifts, "window": self.window}


def quality_of(detector) -> dict | None:
    """A detector's prequential quality: for a follower of the shared model its learner's
    (``quality()``), else its own ``metrics``; None for one that keeps none (the rules)."""
    quality = getattr(detector, "quality", None)
    if quality is not None:
        return quality()
    metrics = getattr(detector, "metrics", None)
    return metrics.snapshot() if metrics is not None else None
