"""`python -m policies.cfn.bench <plan.json>`: cfn-lint's share of the pack, per layer, printed.

Reads a plan report (`python -m tooling.offline plan <env> --json <file>`), so nothing outside the
pack is imported; `nox -s bench` (tooling/offline/bench.py) writes the report and runs this. The
figures: importing cfn-lint, loading its rule set (the pack's start-up warm-up), then each layer's
template linted (cfn-lint itself, no cache) and read back from a fresh disk cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from policies.cfn import lint
from shared.aws.cloudformation import Planned, template, translate

RUNS = 3


def _import_time() -> float:
    code = "from cfnlint.api import lint, ManualArgs"
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def per_layer(report: dict[str, object], region: str) -> str:
    parts = [f"import {_import_time():.2f} s"]
    start = time.perf_counter()
    lint._runner(region)  # what the pack's start-up warm-up does: import, load the rules
    parts.append(f"import + rule set {time.perf_counter() - start:.2f} s")
    layers = report.get("layers")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["AWS_PLATFORM_CACHE_DIR"] = cache  # this process only: it ends after printing
        for layer in layers if isinstance(layers, list) else []:
            planned = [
                Planned(r["type"], r["urn"], r["name"], r.get("inputs") or {})
                for r in layer["resources"]
            ]
            document = template(translate(planned))
            start = time.perf_counter()
            lint.lint_template(document, region)  # lints, writes the disk cache
            linted = time.perf_counter() - start
            lint._cached.cache_clear()  # as a new pack process: only the disk cache is left
            start = time.perf_counter()
            lint.lint_template(document, region)
            cached = (time.perf_counter() - start) * 1000
            parts.append(f"{layer['name']} {linted:.2f} s -> {cached:.1f} ms")
    return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.cfn.bench")
    parser.add_argument("report", type=Path, help="a plan's JSON report")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    environment = report.get("environment", "?")
    print(f"cfn-lint ({environment}; first lint -> cached): {per_layer(report, args.region)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
