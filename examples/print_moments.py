"""A marketing system's view: subscribe to the action topics and print each moment (and below it
its explanation, the reasons as a sentence in the customer's language).

    python examples/print_moments.py [--bootstrap 127.0.0.1:9092] [--group my-crm] [--from-beginning]

Each consumer group gets every moment once (commit after handling); scale a subscriber
by running more processes with the same --group.
"""

import argparse
import asyncio
import json
from collections import Counter

from aiokafka import AIOKafkaConsumer

TOPICS = ["moments.know", "moments.go", "moments.do", "moments.buy"]


async def main(bootstrap: str, group: str, prefix: str, from_beginning: bool) -> None:
    consumer = AIOKafkaConsumer(*(prefix + t for t in TOPICS), bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    counts: Counter = Counter()
    try:
        async for record in consumer:
            m = json.loads(record.value)
            counts[m["moment"]] += 1
            tally = " ".join(f"{k} {counts[k]}" for k in ("know", "go", "do", "buy"))
            venue = m["context"].get("venue") or {}
            where = f" -> {venue['name']} {venue['distance_m']:.0f} m" if venue else ""
            print(f"{m['event_ts']}  {m['moment']:<4} {m['confidence']:.2f}  user={m['user_id']}  "
                  f"action={m['next_best_action']['action']}{where}  "
                  f"because {', '.join(r['feature'] for r in m['reasons'])}  [{tally}]", flush=True)
            if m.get("explanation"):  # the reasons in words, in the customer's language
                print(f"      -> {m['explanation']}", flush=True)
    finally:
        await consumer.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--group", default="example-subscriber")
    ap.add_argument("--prefix", default="", help="topic prefix (MOMENTS_TOPIC_PREFIX of the pipeline)")
    ap.add_argument("--from-beginning", action="store_true")
    args = ap.parse_args()
    try:
        asyncio.run(main(args.bootstrap, args.group, args.prefix, args.from_beginning))
    except KeyboardInterrupt:
        pass
