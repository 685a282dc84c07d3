"""PNG plots of ``bench/results.json``: throughput bars and latency percentiles per offered rate."""

from __future__ import annotations

from pathlib import Path

THROUGHPUT_LOOPS = (("passthrough_eps", "(a) aiokafka\npassthrough"), ("same_work_eps", "(b) aiokafka\nsame work"),
                    ("pipeline_eps", "(c) Faust\npipeline"))


def plot(doc: dict, out_dir: Path) -> list[Path]:
    """Write the plots whose data ``doc`` has; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    bars = [(label, doc[key]) for key, label in THROUGHPUT_LOOPS if isinstance(doc.get(key), dict)]
    scale = doc.get("scale_2_workers")
    if scale:
        bars += [("1 worker\n4 partitions", scale.get("one") or {"median": scale["one_eps"]}),
                 ("2 workers\n4 partitions", scale.get("two") or {"median": scale["two_eps"]})]
    if bars:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        labels = [b[0] for b in bars]
        med = [b[1]["median"] for b in bars]
        ax.bar(labels, med, color="#4C72B0", label="median")
        mins = [b[1].get("min") for b in bars]
        if any(m is not None for m in mins):
            ax.scatter([lb for lb, m in zip(labels, mins) if m is not None], [m for m in mins if m is not None],
                       color="black", marker="_", s=400, label="min", zorder=3)
        for i, v in enumerate(med):
            ax.annotate(f"{v:,}", (i, v), ha="center", va="bottom", fontsize=8)
        ax.axhline(5000, color="#C44E52", linestyle="--", linewidth=1, label="target floor 5,000 ev/s")
        ax.set_yscale("log")
        ax.set_ylabel("events/s (log)")
        events = doc.get("events")  # absent when only the scale part has run into a new file
        ax.set_title("Throughput per worker process" + (f" ({events:,} events)" if isinstance(events, int) else ""))
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out_dir / "throughput.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    lat = doc.get("latency_ms")
    if lat:
        rates = [r for r in lat if isinstance(lat[r], dict) and lat[r].get("p50") is not None]
        if rates:
            fig, ax = plt.subplots(figsize=(8, 4.5))
            width = 0.25
            for j, q in enumerate(("p50", "p95", "p99")):
                ax.bar([i + (j - 1) * width for i in range(len(rates))], [lat[r][q] for r in rates], width, label=q)
            ax.set_xticks(range(len(rates)))
            ax.set_xticklabels([f"{int(r):,} ev/s" if r.isdigit() else r for r in rates])
            ax.axhline(50, color="#C44E52", linestyle="--", linewidth=1, label="p99 target at 1k: 50 ms")
            ax.set_yscale("log")
            ax.set_ylabel("produce -> moment received, ms (log)")
            ax.set_title("Event -> moment latency per offered rate (median of runs)")
            ax.legend(fontsize=8)
            fig.tight_layout()
            path = out_dir / "latency.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written.append(path)
    return written
