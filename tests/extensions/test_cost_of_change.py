"""What an extension costs, proven on a copy of the tree planned offline in a fresh interpreter:

- a fifth layer: its folder plus one entry in shared/layers.py;
- a new policy: its module (its test is the second file);
- a new environment class: its profile in shared/environment.py plus its policy deviations.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from shared.layers import REPO_ROOT

PROGRAM = '''"""The audit layer: one encrypted log group for audit events.

Reads: the network layer (the logs KMS key). Exports: the audit contract in shared.layers.
"""

import pulumi_aws as aws

from shared.config.schema import LayerConfig
from shared.context import stack_context

ctx = stack_context("audit", LayerConfig)
network = ctx.upstream("network")

label = ctx.label("log-group", "audit")
group = aws.cloudwatch.LogGroup(
    "audit",
    name=label.name,
    retention_in_days=ctx.environment.profile.log_retention_days,
    kms_key_id=network.require("log_group_kms_key_arn"),
    tags=label.tags,
)

ctx.export({"audit_log_group_name": group.name})
'''
PROJECT = """name: audit
description: The audit layer of the platform.
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: ../../.venv
"""
ENTRY = """    Layer(name="audit", upstream=("network",), outputs=("audit_log_group_name",)),
)
"""
PLAN = """
import json
from tooling.offline.planner import plan
result = plan("dev")
print(json.dumps({
    "layers": list(result.layers),
    "outputs": result.layers["audit"].outputs,
    "mandatory": [v.policy for v in result.mandatory],
    "policies": len(result.policies),
}))
"""


def _copy_tree(destination: Path) -> None:
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", ".venv", ".nox", "outputs", "*.egg-info"
    )
    for name in ("shared", "stacks", "policies", "tooling"):
        shutil.copytree(REPO_ROOT / name, destination / name, ignore=ignore)
    # Pulumi.yaml and PulumiPolicy.yaml name `.venv` at the root: the interpreter running the tests
    # has every dependency, and PYTHONPATH makes it import the copy.
    (destination / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)


def _plan(tree: Path, script: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tree,
        # The pack runs in its own process: it must import the copy too.
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


POLICY = '''"""Example: VPCs resolve DNS (a new policy is this module and its test)."""

from collections.abc import Mapping
from typing import Any

from policies.spec import Context, Rule


def check(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    return [] if props.get("enableDnsSupport") else ["enableDnsSupport is off"]


RULES = (
    Rule(
        name="aws-example-vpc-dns",
        description="VPCs resolve DNS.",
        severity="low",
        remediation="Set enableDnsSupport=true.",
        reads={"aws:ec2/vpc:Vpc": ("enableDnsSupport",)},
        check_resource=check,
    ),
)
'''
PROFILE = """
PROFILES["qa"] = dataclasses.replace(PROFILES["staging"], vpc_cidr="10.40.0.0/16")
"""
PLAN_QA = """
import json
from tooling.offline.planner import plan
# The class copies staging's profile, whose alarms must reach someone.
result = plan("qa", config_overrides={"observability": {"alarmEmail": "qa@acme-platform.io"}})
print(json.dumps({
    "layers": list(result.layers),
    "cidr": result.layers["network"].outputs["vpc_cidr"],
    "audit": result.layers["audit"].outputs,
    "policies": list(result.policies),
    "mandatory": [v.policy for v in result.mandatory],
}))
"""


def _add_layer(tree: Path) -> None:
    """The fifth layer: its folder, and one entry in shared/layers.py."""
    layer = tree / "stacks" / "audit"
    layer.mkdir()
    (layer / "__main__.py").write_text(PROGRAM)
    (layer / "Pulumi.yaml").write_text(PROJECT)
    layers = tree / "shared" / "layers.py"
    source = layers.read_text()
    end = source.index(")\n\nLAYER_NAMES")
    layers.write_text(source[:end] + ENTRY + source[end + 2 :])


def _add_policy(tree: Path) -> None:
    """The new policy: its module (the pack finds it by scanning the package)."""
    (tree / "policies" / "example_dns.py").write_text(POLICY)


def _add_environment_class(tree: Path) -> None:
    """The new class: its profile and registry entry, and its policy deviations."""
    environment = tree / "shared" / "environment.py"
    source = environment.read_text()
    anchor = "\n\n@dataclass(frozen=True)\nclass EnvironmentClassInfo"
    source = source.replace(anchor, PROFILE + anchor)
    # Inserted at its place, longest-lived first: between staging and dev.
    source = source.replace(
        '    "dev": EnvironmentClassInfo(',
        '    "qa": EnvironmentClassInfo(PROFILES["qa"]),\n    "dev": EnvironmentClassInfo(',
    )
    source = source.replace("import contextlib\n", "import contextlib\nimport dataclasses\n")
    environment.write_text(source)
    (tree / "policies" / "config" / "qa.json").write_text(
        json.dumps({"aws-cloudwatch-log-group-kms": "mandatory"})
    )


def test_a_layer_a_policy_and_an_environment_class_added_at_their_cost_plan_together(
    tmp_path: Path,
) -> None:
    _copy_tree(tmp_path)
    before = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    _add_layer(tmp_path)
    _add_policy(tmp_path)
    _add_environment_class(tmp_path)
    after = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert sorted(map(str, after - before)) == [
        "policies/config/qa.json",
        "policies/example_dns.py",
        "stacks/audit/Pulumi.yaml",
        "stacks/audit/__main__.py",
    ]

    result = _plan(tmp_path, PLAN_QA)
    assert result["layers"] == ["network", "data", "app", "observability", "audit"]
    assert result["cidr"] == "10.40.0.0/16"  # the new class's profile
    assert result["audit"] == {"audit_log_group_name": "/platform/qa/audit"}
    assert "aws-example-vpc-dns" in result["policies"]  # type: ignore[operator]
    assert result["mandatory"] == []
