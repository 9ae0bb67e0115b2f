"""RDS engine versions: refuse a version new clusters cannot use, from AWS's data (shared.aws)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.props import text
from policies.spec import Context, Rule
from shared.aws.engine_versions import current_default, deprecation

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def check_engine_version(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    engine, version = text(props, "engine"), text(props, "engineVersion")
    if not engine or not version:
        return []
    why = deprecation(engine, version)
    if why is None:
        return []
    major = version.split(".")[0]
    suggestion = current_default(engine, major) or current_default(engine)
    hint = f"; use {suggestion} or newer" if suggestion else ""
    return [f"engineVersion {version}: {why}{hint}"]


RULES = (
    Rule(
        name="aws-rds-engine-version-current",
        description=(
            "RDS clusters and their instances use an engine version AWS still offers for new "
            "clusters (cfn-lint's AWS-generated deprecation data, vendored in shared/aws)."
        ),
        severity="high",
        remediation="Set the engine version to a current minor (the message names one).",
        reads={
            CLUSTER: ("engine", "engineVersion"),
            CLUSTER_INSTANCE: ("engine", "engineVersion"),
        },
        check_resource=check_engine_version,
    ),
)
