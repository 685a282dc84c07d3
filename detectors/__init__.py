"""Detectors: per-session features, a rule teacher and River online models.

Every detector follows River's API: ``predict_proba_one(x)`` and ``learn_one(x, y)``
on a feature dict ``x``; ``explain_one(x)`` names the features behind a decision.
"""
