"""`nox -s bench`: the offline planner's figures, printed (a benchmark, not a timed test).

- floor: a fresh interpreter importing pulumi and the pulumi_aws modules the layers use;
- plan: `python -m tooling.offline plan <env>` end to end, in a fresh interpreter (what a user waits);
- nox overhead: `nox -s plan -- <env>` over that same plan, as a ratio (nothing to install: <= 1.2);
- analyzer: 1,000 synthetic resources through the Analyzer protocol (pack start-up excluded);
- peak memory: the largest resident set of any process involved (plan, forked layers, pack).
- policy-check: a synthetic 50,000-resource `pulumi stack export` through `python -m tooling.offline
  policy-check` end to end in a fresh interpreter, with its peak memory.
Targets: plan <= 3 x floor and <= 3 s; policy-check >= 2,000 resources/s end to end; peak <= 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shared.layers import POLICY_PACK_DIR, REPO_ROOT
from tooling.offline.layer_runner import AWS_MODULES
from tooling.offline.model import Resource

# The offline planner's own throughput is measured with the fixture pack, whose policies cost next to nothing.
FIXTURE_PACK = REPO_ROOT / "tests" / "fixtures" / "policy_pack"
RUNS = 3


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, cwd=REPO_ROOT)
    return time.perf_counter() - start


def floor() -> float:
    touch = "; ".join(f"pulumi_aws.{name}._utilities" for name in AWS_MODULES)
    code = f"import pulumi, pulumi_aws.{', pulumi_aws.'.join(AWS_MODULES)}; {touch}"
    return statistics.median(_wall([sys.executable, "-c", code]) for _ in range(RUNS))


def full_plan(
    environment: str, pack_dir: Path, stacks: Path | None, cache: Path | None = None
) -> tuple[float, int]:
    """One plan in a fresh interpreter; `cache` is the pack's cfn-lint cache (a fresh one when
    None: the cold case, cfn-lint imported and every layer linted)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-m",
            "tooling.offline",
            "plan",
            environment,
            "--policy-pack",
            str(pack_dir),
            "--json",
            str(Path(folder) / "plan.json"),
        ]
        if stacks is not None:
            command += ["--stacks", str(stacks)]
        environ = {**os.environ, "AWS_PLATFORM_CACHE_DIR": str(cache or Path(folder) / "cache")}
        start = time.perf_counter()
        done = subprocess.run(command, check=False, capture_output=True, cwd=REPO_ROOT, env=environ)
        elapsed = time.perf_counter() - start
    if done.returncode == 2:
        raise SystemExit(f"the plan failed:\n{done.stderr.decode()}{done.stdout.decode()[-2000:]}")
    return elapsed, done.returncode


def nox_overhead(environment: str) -> tuple[float, float]:
    """Median wall time of `nox -s plan -- <env>` and of the plan it runs, both warm (the install
    stamp current, the cfn-lint cache filled), output files in a scratch folder."""
    with tempfile.TemporaryDirectory() as folder:
        # The same command `nox -s plan` runs, the access check included.
        arguments = ["plan", environment, "--outputs", folder]
        direct = [sys.executable, "-m", "tooling.offline", *arguments, "--access"]
        through_nox = [sys.executable, "-m", "nox", "-s", "plan", "--", *arguments[1:]]
        _wall(through_nox)  # brings .venv's install stamp up to date, fills the caches
        nox_time = statistics.median(_wall(through_nox) for _ in range(RUNS))
        plan_time = statistics.median(_wall(direct) for _ in range(RUNS))
    return nox_time, plan_time


def synthetic_resources(count: int) -> list[Resource]:
    types = (
        (
            "aws:rds/cluster:Cluster",
            {
                "engine": "aurora-postgresql",
                "deletionProtection": True,
                "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/bench",
            },
        ),
        ("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.1.0/24", "vpcId": "vpc-0123456789abcdef0"}),
        ("aws:s3/bucket:Bucket", {"bucket": "platform-dev-artifacts", "tags": {"Project": "x"}}),
        ("aws:ecs/service:Service", {"desiredCount": 2.0, "launchType": "FARGATE"}),
    )
    resources = []
    for index in range(count):
        type_, inputs = types[index % len(types)]
        urn = f"urn:pulumi:dev::bench::{type_}::r{index}"
        resources.append(Resource(type_, f"r{index}", urn, dict(inputs), dict(inputs)))
    return resources


def analyzer_throughput(pack_dir: Path, count: int, environment: str) -> tuple[float, float, bool]:
    """(resources/s through [Remediate+]Analyze+AnalyzeStack, pack start-up s, remediating).

    The environment's policy config decides whether the CLI's Remediate round-trip happens too.
    """
    from tooling.offline.analysis import analyze_stack
    from tooling.offline.analyzer import policy_pack

    resources = synthetic_resources(count)
    with policy_pack(pack_dir, environment=environment, project="bench") as server:
        start = time.perf_counter()
        server.configure(layer="bench")
        started = time.perf_counter() - start
        start = time.perf_counter()
        analyze_stack([server], resources, layer="bench")
        elapsed = time.perf_counter() - start
        remediating = server.remediating
    return count / elapsed, started, remediating


def export_document(count: int) -> dict[str, object]:
    """A stack export shaped like `pulumi stack export`: root stack, provider, `count` resources."""
    stack = "urn:pulumi:dev::bench::pulumi:pulumi:Stack::bench-dev"
    provider = "urn:pulumi:dev::bench::pulumi:providers:aws::default"
    resources: list[dict[str, object]] = [
        {"urn": stack, "type": "pulumi:pulumi:Stack", "outputs": {}},
        {"urn": provider, "type": "pulumi:providers:aws", "inputs": {"region": "us-east-1"}},
    ]
    for r in synthetic_resources(count):
        resources.append(
            {
                "urn": r.urn,
                "type": r.type,
                "inputs": r.inputs,
                "outputs": r.outputs,
                "parent": stack,
                "provider": f"{provider}::0",
            }
        )
    return {"version": 3, "deployment": {"resources": resources}}


def policy_check(pack_dir: Path, count: int) -> tuple[float, int]:
    """(resources/s end to end, exit code) of `policy-check` over a `count`-resource export."""
    import json

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.json"
        export.write_text(json.dumps(export_document(count)))
        command = [sys.executable, "-m", "tooling.offline", "policy-check", str(export)]
        command += ["--policy-pack", str(pack_dir), "--json", str(Path(folder) / "report.json")]
        # The fixture pack names no virtualenv: the CLI's rule then is PULUMI_PYTHON_CMD.
        env = {"PULUMI_PYTHON_CMD": sys.executable, **os.environ}
        start = time.perf_counter()
        done = subprocess.run(command, check=False, capture_output=True, cwd=REPO_ROOT, env=env)
        elapsed = time.perf_counter() - start
    if done.returncode == 2:
        raise SystemExit(f"policy-check failed:\n{done.stderr.decode()[-2000:]}")
    return count / elapsed, done.returncode


def cfn_lint_per_layer(environment: str) -> None:
    """cfn-lint's share of the pack, measured beside the pack (`policies.cfn.bench`) over this
    plan's JSON report: the engine never imports the pack."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "plan.json"
        command = [sys.executable, "-m", "tooling.offline", "plan", environment, "--no-policy"]
        subprocess.run(
            [*command, "--json", str(report)], check=False, capture_output=True, cwd=REPO_ROOT
        )
        if not report.is_file():
            raise SystemExit(f"the plan of {environment} wrote no report")
        sys.stdout.flush()
        bench = [sys.executable, "-m", "policies.cfn.bench", str(report)]
        subprocess.run(bench, check=True, cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.offline.bench")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--stacks", type=Path, help="layer programs (default: stacks/)")
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--export-resources", type=int, default=50_000)
    args = parser.parse_args(argv)
    pack = POLICY_PACK_DIR
    print(f"policy pack: {pack.relative_to(REPO_ROOT)}", flush=True)
    base = floor()
    print(
        f"floor (fresh interpreter, pulumi + {len(AWS_MODULES)} pulumi_aws modules): {base:.2f} s"
    )
    with tempfile.TemporaryDirectory() as cache:
        # Every measurement below shares one cfn-lint cache, as runs on one machine do.
        os.environ["AWS_PLATFORM_CACHE_DIR"] = cache
        for label, where in (("cold cfn-lint cache", None), ("warm cfn-lint cache", Path(cache))):
            if where is not None:
                full_plan(args.env, pack, args.stacks, where)  # fills the cache
            times = [full_plan(args.env, pack, args.stacks, where) for _ in range(RUNS)]
            plan_time = statistics.median(t for t, _ in times)
            print(
                f"full plan of {args.env}, {label} (fresh interpreter, all layers + policies): "
                f"{plan_time:.2f} s = {plan_time / base:.1f} x floor (target <= 2.5 x; exit code "
                f"{times[0][1]})",
                flush=True,
            )
        nox_time, plan_time = nox_overhead(args.env)
        print(
            f"nox overhead: `nox -s plan -- {args.env}` {nox_time:.2f} s / `python -m "
            f"tooling.offline plan {args.env} --access` {plan_time:.2f} s = {nox_time / plan_time:.2f} "
            "(target <= 1.2)",
            flush=True,
        )
        return _rest(args, pack, base)


def _rest(args: argparse.Namespace, pack: Path, base: float) -> int:
    del base
    cfn_lint_per_layer(args.env)
    # prod's config enforces tags (one Analyze call per resource); dev's remediates them, so the
    # CLI's protocol adds a Remediate call per resource: both are what a real run costs.
    for environment in ("prod", "dev"):
        # The first run lints the synthetic stack and caches it; the figure is the next run's.
        cold, _, _ = analyzer_throughput(pack, args.resources, environment)
        print(f"analyzer ({environment}), cfn-lint cache cold: {cold:,.0f} resources/s")
        rate, startup, remediating = analyzer_throughput(pack, args.resources, environment)
        calls = "Remediate + Analyze" if remediating else "Analyze"
        print(
            f"analyzer ({environment} policy config, {calls} per resource + AnalyzeStack): "
            f"{args.resources} synthetic resources at {rate:,.0f} resources/s "
            f"(target >= 1,000/s); pack start-up + configure {startup:.2f} s"
        )
    # The offline planner's own throughput: the fixture pack's policies cost next to nothing, so what is
    # measured is the export reading, the protocol and pulumi-policy's server.
    rate, code = policy_check(FIXTURE_PACK, args.export_resources)
    print(
        f"policy-check of a {args.export_resources:,}-resource export with the fixture pack "
        f"(fresh interpreter, end to end): {rate:,.0f} resources/s (target >= 2,000/s; exit "
        f"code {code})"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {max(children, own):.0f} MB (largest process; target <= 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
