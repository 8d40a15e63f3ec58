"""Results of bench/pipeline.py: raw samples, medians, ratios, targets, machine info; table and JSON."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.contracts import Article

# The targets.
TAGGER_OVER_CEILING = 0.5
TWO_OVER_ONE = 1.7
P99_MS_AT_LOAD = (1000, 50.0)
RSS_MB = 300.0


@dataclass
class Results:
    parameters: dict[str, Any]
    base: list[Article]
    samples: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_mb: dict[str, list[float]] = field(default_factory=dict)
    latencies: dict[int, dict[str, Any]] = field(default_factory=dict)
    corpus_mb: float = 0.0
    wall_seconds: float = 0.0

    def sample(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def tagger(self, workers: str, articles_per_s: float, cpu_percent: list[float]) -> None:
        self.sample(f"tagger_{workers}_articles_per_s", articles_per_s)
        self.sample(f"tagger_{workers}_cpu_percent_total", sum(cpu_percent))

    def engine(self, timings: list[float], megabytes: float) -> None:
        self.corpus_mb = megabytes
        for seconds in timings:
            self.sample("engine_articles_per_s", len(self.base) / seconds)
            self.sample("engine_mb_per_s", megabytes / seconds)

    def rss(self, kind: str, per_worker: list[float]) -> None:
        self.peak_rss_mb.setdefault(kind, []).extend(per_worker)

    def latency(self, load: int, figures: dict[str, Any]) -> None:
        self.latencies[load] = figures

    def finish(self, wall_seconds: float) -> None:
        self.wall_seconds = wall_seconds

    def median(self, name: str) -> float:
        values = self.samples.get(name)
        return statistics.median(values) if values else math.nan

    def ratios(self) -> dict[str, float]:
        one = self.median("tagger_1_articles_per_s")
        faust_alone = self.median("faust_passthrough_records_per_s")
        return {
            "tagger_over_ceiling": one / self.median("ceiling_records_per_s"),
            "faust_passthrough_over_ceiling": faust_alone / self.median("ceiling_records_per_s"),
            "tagger_over_faust_passthrough": one / faust_alone,
            "two_over_one": self.median("tagger_2_articles_per_s") / one,
        }

    def peak_rss(self) -> float:
        return max((mb for values in self.peak_rss_mb.values() for mb in values), default=math.nan)

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": machine_info(),
            "parameters": self.parameters,
            "corpus": {"articles": len(self.base), "megabytes": round(self.corpus_mb, 3)},
            "wall_seconds": round(self.wall_seconds, 1),
            "figures": {
                name: {"samples": values, "median": statistics.median(values)}
                for name, values in self.samples.items()
            },
            "ratios": self.ratios(),
            "latency": {str(load): figures for load, figures in self.latencies.items()},
            "peak_rss_mb": self.peak_rss_mb | {"max": self.peak_rss()},
            "targets": {
                "tagger_over_ceiling_min": TAGGER_OVER_CEILING,
                "two_over_one_min": TWO_OVER_ONE,
                "p99_ms_max": {"load_per_s": P99_MS_AT_LOAD[0], "ms": P99_MS_AT_LOAD[1]},
                "rss_mb_max": RSS_MB,
            },
        }


def machine_info() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _spread(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:,.0f}" for v in values) + "]"


def print_table(results: Results) -> None:
    ratios = results.ratios()
    rows: list[tuple[str, str, str, str]] = []

    def throughput(label: str, name: str, unit: str) -> None:
        rows.append(
            (label, f"{results.median(name):,.0f} {unit}", _spread(results.samples.get(name, [])), "")
        )

    throughput("engine alone (no Kafka)", "engine_articles_per_s", "articles/s")
    rows.append(("engine alone, MB/s", f"{results.median('engine_mb_per_s'):.2f} MB/s", "", ""))
    throughput("ceiling: aiokafka passthrough", "ceiling_records_per_s", "records/s")
    throughput("Faust alone: worker's app, passthrough", "faust_passthrough_records_per_s", "records/s")
    throughput("tagger, 1 worker", "tagger_1_articles_per_s", "articles/s")
    throughput("tagger, 2 workers", "tagger_2_articles_per_s", "articles/s")
    throughput("worker CPU, 1 worker", "tagger_1_cpu_percent_total", "%")
    throughput("worker CPU, 2 workers (sum)", "tagger_2_cpu_percent_total", "%")
    ratio = ratios["tagger_over_ceiling"]
    rows.append(
        ("ratio tagger / ceiling", f"{ratio:.3f}", "", f">= {TAGGER_OVER_CEILING}  {_verdict(ratio >= 0.5)}")
    )
    rows.append(("ratio Faust alone / ceiling", f"{ratios['faust_passthrough_over_ceiling']:.3f}", "", ""))
    rows.append(("ratio tagger / Faust alone", f"{ratios['tagger_over_faust_passthrough']:.3f}", "", ""))
    ratio = ratios["two_over_one"]
    rows.append(("ratio 2 workers / 1", f"{ratio:.2f}", "", f">= {TWO_OVER_ONE}  {_verdict(ratio >= 1.7)}"))
    target_load, target_ms = P99_MS_AT_LOAD
    for load, figures in results.latencies.items():
        value = (
            f"{figures['p50_ms']:.0f} / {figures['p95_ms']:.0f} / {figures['p99_ms']:.0f} ms"
            f"{'' if figures['drained'] else ' (backlog)'}"
        )
        detail = f"sent {figures['sent_per_s']:,.0f}/s, {figures['alerts_missing']} missing"
        target = ""
        if load == target_load:
            target = f"p99 <= {target_ms:.0f} ms  {_verdict(figures['p99_ms'] <= target_ms)}"
        rows.append((f"latency p50/p95/p99 @ {load}/s", value, detail, target))
    peak = results.peak_rss()
    rows.append(("worker peak RSS", f"{peak:.0f} MB", "", f"<= {RSS_MB:.0f} MB  {_verdict(peak <= RSS_MB)}"))

    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("figure", "median", "samples / detail", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print()
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(
        f"\ncorpus {len(results.base):,} articles ({results.corpus_mb:.1f} MB), "
        f"medians of {results.parameters['repeats']} runs; wall time {results.wall_seconds:.0f} s"
    )


def write_json(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_without_nan(results.to_json()), indent=2, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _without_nan(value: Any) -> Any:
    """NaN (a figure that could not be measured) as null: strict JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nan(item) for item in value]
    return value
