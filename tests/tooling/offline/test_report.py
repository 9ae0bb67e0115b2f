"""The console report: tables for a few findings, a line each for many, and nothing lost."""

from io import StringIO
from typing import Any

import pytest
from rich.console import Console

from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY
from tooling.offline import report
from tooling.offline.analyzer import Violation
from tooling.offline.model import LayerResult, Resource
from tooling.offline.planner import PlanResult

URN = "urn:pulumi:dev::data::aws:s3/bucket:Bucket::b{}"


def result(count: int) -> PlanResult:
    bucket = Resource(
        "aws:s3/bucket:Bucket",
        "b0",
        URN.format(0),
        {"bucket": {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": "hidden-name"}},
        {},
    )
    violations = [
        Violation(
            "aws-s3-bucket-versioning-prod" if i % 2 else "aws-tags-standard",
            "mandatory" if i % 2 else "advisory",
            "data",
            URN.format(i),
            f"description\nbucket hidden-name [/bold] number {i}",
            "aws-platform@0.0.1",
        )
        for i in range(count)
    ]
    layer = LayerResult("data", "dev", (bucket,), {})
    return PlanResult("dev", {"data": layer}, violations, pack="aws-platform@0.0.1")


def rendered(count: int) -> str:
    buffer = StringIO()
    report.render(
        result(count), Console(file=buffer, width=300, force_terminal=True, color_system=None)
    )
    return buffer.getvalue()


def test_many_findings_are_counted_per_policy_then_listed_a_line_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(report, "TABLE_ROWS", 3)
    out = rendered(5)
    assert "│ mandatory │ aws-s3-bucket-versioning-prod │ aws-platform@0.0.1 │ 2     │" in out
    assert "│ advisory  │ aws-tags-standard             │ aws-platform@0.0.1 │ 3     │" in out
    for i in range(5):
        assert f"aws:s3/bucket:Bucket::b{i}: bucket [secret] [/bold] number {i}\n" in out
    assert "hidden-name" not in out


def test_a_few_findings_stay_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "TABLE_ROWS", 3)
    out = rendered(3)
    assert "│ count" not in out and out.count("aws:s3/bucket:Bucket::b") == 3
    assert "hidden-name" not in out


def test_a_log_gets_one_unwrapped_line_per_finding_even_at_80_columns() -> None:
    # A CI log: stdout is not a terminal, and rich would wrap a table cell at 80 columns.
    buffer = StringIO()
    report.render(result(4), Console(file=buffer, width=80))
    out = buffer.getvalue()
    lines = out.splitlines()
    for i in range(4):
        policy = "aws-s3-bucket-versioning-prod" if i % 2 else "aws-tags-standard"
        level = "mandatory" if i % 2 else "advisory"
        expected = (
            f"{level} {policy} aws-platform@0.0.1 {URN.format(i)} "
            f"bucket [secret] [/bold] number {i}"
        )
        assert expected in lines, out
    assert "│" not in out and "hidden-name" not in out
    assert lines[-1].startswith("FAIL — 1 layer(s)")


def test_json_findings_keep_their_fields() -> None:
    assert set(report.to_json(result(1))["violations"][0]) == {
        "policy",
        "pack",
        "level",
        "layer",
        "urn",
        "message",
    }


def test_a_remediation_shows_its_changed_properties_before_and_after_masked() -> None:
    secret = {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": "hidden-name"}
    fix = Violation(
        "aws-tags-standard",
        "remediate",
        "data",
        URN.format(0),
        "remediated: tags added",
        "aws-platform@0.0.1",
        before={"bucket": secret, "tags": {}},
        after={"bucket": secret, "tags": {"team": "platform"}},
    )
    plan = result(0)
    plan = PlanResult("dev", plan.layers, [fix], pack=plan.pack)
    for console in (
        Console(file=StringIO(), width=80),
        Console(file=StringIO(), width=300, force_terminal=True, color_system=None),
    ):
        report.render(plan, console)
        out = console.file.getvalue()  # type: ignore[attr-defined]
        assert 'before {"tags":{}} after {"tags":{"team":"platform"}}' in out
        assert "hidden-name" not in out


def test_only_secrets_are_masked_not_the_public_pieces_of_a_secret_document(
    offline_plan: Any,
) -> None:
    # The app's container definitions are secret as a whole (they hold the database secret's
    # ARN); the region and names inside them are public, and must stay readable everywhere.
    from tooling.offline.report import plan_secrets

    result = offline_plan("dev")
    secrets = plan_secrets(result)
    region = result.layers["network"].outputs["availability_zones"][0][:-1]
    assert region not in secrets
    assert result.layers["data"].outputs["db_endpoint"] not in secrets
    assert result.layers["data"].outputs["db_master_secret_arn"] in secrets
    out = StringIO()
    report.render(result, Console(file=out, width=200))
    shown = out.getvalue()
    assert f"region={region}" in shown and shown.count("[secret]") == 1
