"""``micromoments bench`` and the other benchmarks (docs/PERFORMANCE.md)."""
