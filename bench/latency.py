"""Latency at a fixed offered load, for bench/pipeline.py.

One worker (fresh topics and group) serves every load in turn. For each load, articles
are sent at that rate (`WARM_UP_S` seconds not counted, then the measured seconds),
the send time of each noted; the reader notes when each article's first alert arrives.
Latency = arrival - send, over the measured articles that alert (known from the engine
run). Before the next load the worker must have consumed everything sent; an article
whose alert has not arrived within `DRAIN_TIMEOUT_S` after the last send counts as
missing (the load is then beyond what one worker sustains).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from kafka_bench import Bench, Record, encode, producer, tagger_session, wait_consumed

WARM_UP_S = 2.0
DRAIN_TIMEOUT_S = 60.0
_TICK_S = 0.002


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def articles_at(bench: Bench, load: int, seconds: float, tag: str) -> tuple[list[Record], list[bool]]:
    """`load * seconds` articles cycled from the corpus under new ids, and whether each alerts."""
    count = round(load * seconds)
    base = bench.base
    articles = [base[n % len(base)].model_copy(update={"id": f"lat{load}{tag}-{n}"}) for n in range(count)]
    alerting = [bench.alerts_per_article[n % len(base)] > 0 for n in range(count)]
    return encode(articles), alerting


async def send_paced(
    client: AIOKafkaProducer, topic: str, records: Sequence[Record], rate: float
) -> tuple[dict[bytes, float], float]:
    """Send at `rate` records/s; the wall-clock send time per key, and the rate achieved."""
    sent: dict[bytes, float] = {}
    deliveries = []
    start = time.monotonic()
    index = 0
    while index < len(records):
        due = min(len(records), int((time.monotonic() - start) * rate) + 1)
        while index < due:
            key, value = records[index]
            sent[key] = time.time()
            deliveries.append(await client.send(topic, value=value, key=key))
            index += 1
        await asyncio.sleep(_TICK_S)
    achieved = len(records) / max(time.monotonic() - start, 1e-9)
    await asyncio.gather(*deliveries)
    return sent, achieved


async def measure_latency(
    bench: Bench, loads: Sequence[int], seconds: float
) -> list[tuple[int, dict[str, Any], list[float]]]:
    """(load, figures, worker peak RSS in MB) per offered load, in the order given."""
    results: list[tuple[int, dict[str, Any], list[float]]] = []
    async with tagger_session(bench, 1, lambda _: False) as session:
        client = producer(bench.connection, linger_ms=0)  # no added batching delay per record
        await client.start()
        try:
            sent_total = len(bench.warmups)
            for load in loads:
                warm_up, _ = articles_at(bench, load, WARM_UP_S, "w")
                measured, alerting = articles_at(bench, load, seconds, "")
                sent, achieved = await send_paced(client, session.articles_topic, warm_up + measured, load)
                sent_total += len(warm_up) + len(measured)
                drained = await wait_consumed(session.workers, sent_total, DRAIN_TIMEOUT_S)
                await asyncio.sleep(0.5)  # the last alerts reach the reader
                arrivals = session.reader.arrivals
                latencies = sorted(
                    min(arrivals[key]) - sent[key]
                    for (key, _), alerts in zip(measured, alerting, strict=True)
                    if alerts and key in arrivals
                )
                figures: dict[str, Any] = {
                    "offered_per_s": load,
                    "sent_per_s": round(achieved, 1),
                    "measured_articles": len(measured),
                    "alerting_articles": sum(alerting),
                    "alerts_missing": sum(alerting) - len(latencies),
                    "drained": drained,
                    **{f"p{p}_ms": percentile(latencies, p) * 1000 for p in (50, 95, 99)},
                    "max_ms": (latencies[-1] * 1000) if latencies else math.nan,
                }
                results.append((load, figures, [w.peak_rss_mb for w in session.workers]))
                if not drained:
                    break  # the worker is behind: later (higher) loads would measure its backlog
        finally:
            await client.stop()
    return results
