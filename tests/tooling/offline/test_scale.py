"""Big stacks: calls stay bounded (all in flight at once ended in CANCELLED at ~8,000 resources)."""

import json
from pathlib import Path

from tooling.offline.__main__ import main

from .conftest import FIXTURE_PACK


def export(count: int) -> dict[str, object]:
    stack = "urn:pulumi:dev::data::pulumi:pulumi:Stack::data-dev"
    resources: list[dict[str, object]] = [
        {"urn": stack, "type": "pulumi:pulumi:Stack", "outputs": {}}
    ]
    for index in range(count):
        inputs = {"kmsKeyId": "k", "deletionProtection": index % 1000 != 0}
        resources.append(
            {
                "urn": f"urn:pulumi:dev::data::aws:rds/cluster:Cluster::db{index}",
                "type": "aws:rds/cluster:Cluster",
                "inputs": inputs,
                "outputs": inputs,
                "parent": stack,
            }
        )
    return {"version": 3, "deployment": {"resources": resources}}


def test_an_8000_resource_export_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(8_200)))
    report = tmp_path / "report.json"
    code = main(
        ["policy-check", str(path), "--policy-pack", str(FIXTURE_PACK), "--json", str(report)]
    )
    assert code == 0
    violations = json.loads(report.read_text())["violations"]
    assert len([v for v in violations if v["policy"] == "fixture-db-deletion-protection"]) == 9
