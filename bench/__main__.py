"""Run every benchmark: ``python -m bench [--quick] [--only NAME,...]``.

The pipeline benchmarks (e2e, plaintext, latency, memory) run in this process,
one after another, and give structured results. The stage benchmarks that are
scripts of their own (extraction, classifier, fetch, transport, incidents) run as
subprocesses with ``--quick`` passed on; their printed report is kept. All of it
goes to ``bench/results.json``, with the machine's load, and a summary table is
printed at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench import e2e, latency, memory, plaintext

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
PIPELINE: dict[str, Callable[[list[str]], dict[str, Any]]] = {
    "e2e": e2e.main,
    "plaintext": plaintext.main,
    "latency": latency.main,
    "memory": memory.main,
}
SCRIPTS = ("extraction", "classifier", "fetch", "transport", "incidents")


def run_script(name: str, quick: bool) -> dict[str, Any]:
    path = BENCH / f"{name}.py"
    if not path.exists():
        return {"status": "missing"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])],
        capture_output=True,
        text=True,
        check=False,
        cwd=BENCH.parent,
    )
    print(done.stdout, end="", flush=True)
    return {
        "status": "ok" if done.returncode == 0 else f"exit {done.returncode}",
        "seconds": time.perf_counter() - started,
        "output": done.stdout,
        "errors": done.stderr[-2000:] if done.returncode else "",
    }


def summary(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(benchmark, figure, measured, goal) rows for the pipeline benchmarks that ran."""
    rows: list[tuple[str, str, str, str]] = []
    if (r := results.get("e2e")) and "cost_ratio" in r:
        best = [run for run in r["runs"] if run.get("replicas", 1) == 1][-1]
        rows += [
            ("e2e", "CPU per article vs bare trafilatura", f"{r['cost_ratio']:.2f}x", "<= 1.2x"),
            ("e2e", "articles/s per core", f"{1000 / r['pipeline_ms_per_article']:.1f}", ""),
            ("e2e", "pipeline / build_article / bare ms per article",
             f"{r['pipeline_ms_per_article']:.1f} / {r['build_article_ms_per_page']:.1f} / "
             f"{r['bare_trafilatura_ms_per_page']:.1f}", ""),
            ("e2e", "peak RSS fetch / enrich MB",
             f"{best['fetch_rss_mb']:.0f} / {best['enrich_rss_mb']:.0f}", "<= 300"),
            ("e2e", "pool worker peak RSS MB", f"{best['worker_rss_mb']:.0f}", ""),
            ("scaling", f"wall-clock speed-up 1 -> {best['workers']} workers",
             f"{r['scaling_speedup']:.2f}x", ""),
        ]  # fmt: skip
        if r.get("replica_speedup"):
            rows.append((
                "scaling", f"wall-clock speed-up 1 -> {r['replicas']} enrich processes (1 worker each)",
                f"{r['replica_speedup']:.2f}x", "",
            ))  # fmt: skip
    if (r := results.get("plaintext")) and "records_per_cpu_s" in r:
        rows += [
            ("plaintext", "records/s per core", f"{r['records_per_cpu_s']:.0f}", ">= 1500"),
            ("plaintext", "stage cost vs build_article loop", f"{r['cost_ratio']:.2f}x", ""),
            ("plaintext", "ms CPU per record: stage / build_article / runner+publisher",
             f"{r['stage_ms_per_record']:.2f} / {r['floor_ms_per_record']:.2f} / "
             f"{r['transport_ms_per_record']:.2f}", ""),
        ]  # fmt: skip
    if (r := results.get("latency")) and "p99_s" in r:
        rows.append(
            ("latency", f"p50 / p99 ms at {r['rate']:.0f}/s",
             f"{r['p50_s'] * 1000:.0f} / {r['p99_s'] * 1000:.0f}", "p99 <= 1000")
        )  # fmt: skip
    if (r := results.get("memory")) and "fetch_peak_rss_mb" in r:
        rows.append(
            ("memory", f"fetch peak RSS MB, {r['peak_concurrent_at_origin']} in flight",
             f"{r['fetch_peak_rss_mb']:.0f}", "<= 300")
        )  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (< 2 minutes)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    quick = ["--quick"] if args.quick else []
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg_at_start": os.getloadavg()[0],
        },
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    started = time.perf_counter()
    for name, bench_main in PIPELINE.items():
        if not only or name in only:
            print(f"\n== {name}", flush=True)
            try:
                results[name] = bench_main(quick)
            except Exception as exc:  # one failing benchmark must not lose the others
                results[name] = {"status": f"failed: {exc!r}"}
                print(f"{name} failed: {exc!r}", flush=True)
    for name in SCRIPTS:
        if not only or name in only:
            print(f"\n== {name}", flush=True)
            results[name] = run_script(name, args.quick)
    results["seconds"] = time.perf_counter() - started
    results["machine"]["load_avg_at_end"] = os.getloadavg()[0]
    RESULTS.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2) + b"\n")

    print(f"\n== summary ({results['seconds']:.0f} s; results in {RESULTS})")
    rows = summary(results)
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else [0] * 4
    for row in rows:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for name in SCRIPTS:
        if name in results:
            print(f"{name}: {results[name]['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
