"""The console report: tables for a few findings, a line each for many, and nothing lost."""

from io import StringIO

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
    report.render(result(count), Console(file=buffer, width=300))
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
