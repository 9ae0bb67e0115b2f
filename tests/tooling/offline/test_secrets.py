"""No secret in plaintext: console, JSON report, policy messages, output files."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY
from tooling.offline import LayerResult, Resource, Violation
from tooling.offline.planner import PlanResult
from tooling.offline.report import to_json
from tooling.outputs import OutputFileWriter
from tooling.redaction import wrap

from .conftest import FIXTURE_PACK, FIXTURES
from .test_main import plan_args, run

REPO = FIXTURES.parents[1]
SHOW_SECRETS_EXPORT = FIXTURES / "stack-export-show-secrets.json"


def export_secrets(value: Any, inside: bool = False) -> set[str]:
    """Every plaintext string in a `--show-secrets` export, and every string within one."""
    if isinstance(value, dict):
        if SECRET_SIG_KEY in value:
            return export_secrets(json.loads(value["plaintext"]), inside=True)
        return set().union(*(export_secrets(v, inside) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(export_secrets(v, inside) for v in value))
    if inside and isinstance(value, str):
        strings = {value}
        if value.startswith(("[", "{")):  # a JSON document held as a secret string
            strings |= export_secrets(json.loads(value), inside=True)
        return {s for s in strings if len(s) >= 6}
    return set()


def test_a_show_secrets_export_through_policy_check_prints_no_secret(tmp_path: Path) -> None:
    secrets = export_secrets(json.loads(SHOW_SECRETS_EXPORT.read_text()))
    assert {
        "Secret_Bucket_NAME_Q9",
        "hunter2-MASTER-PASSWORD",
        "CONTAINER-ENV-TOKEN-5150",
    } <= secrets
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tooling.offline",
            "policy-check",
            str(SHOW_SECRETS_EXPORT),
            "--json",
            str(report),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr  # the real pack found mandatory violations
    written = report.read_text()
    everything = result.stdout + result.stderr + written
    assert [s for s in secrets if s in everything] == []
    assert SECRET_SIG_KEY not in written
    # Policies still saw the plaintext: the secret bucket name breaks AWS's naming rules.
    violations = json.loads(written)["violations"]
    assert any(
        v["policy"] == "aws-names-compliant" and v["urn"].endswith("::artifacts")
        for v in violations
    )


def test_the_plans_json_report_masks_secret_inputs(tmp_path: Path, stacks_copy: Path) -> None:
    program = stacks_copy / "app" / "__main__.py"
    program.write_text(
        program.read_text()
        + "aws.iam.Role('reader', assume_role_policy=data.require('db_master_secret_arn')"
        ".apply(lambda arn: '{\"Statement\": [\"' + arn + '\"]}'))\n"
    )
    report = tmp_path / "plan.json"
    code, out = run(*plan_args("dev", "--layer", "app", "--json", str(report), stacks=stacks_copy))
    assert code == 0, out
    document = json.loads(report.read_text())
    (app,) = [layer for layer in document["layers"] if layer["name"] == "app"]
    (role,) = [r for r in app["resources"] if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["assumeRolePolicy"] == "[secret]"
    assert SECRET_SIG_KEY not in report.read_text()
    assert "rds!cluster" not in json.dumps(document) + out  # the secret ARN, anywhere


def test_a_policy_message_echoing_a_secret_is_scrubbed() -> None:
    resource = Resource(
        type="aws:s3/bucket:Bucket",
        name="b",
        urn="urn:pulumi:dev::data::aws:s3/bucket:Bucket::b",
        inputs={"bucket": wrap("my-Secret-Name")},
        outputs={},
    )
    result = PlanResult(
        "dev",
        {"data": LayerResult("data", "dev", (resource,), {})},
        [Violation("p", "mandatory", "data", resource.urn, "bucket 'my-Secret-Name' is bad")],
    )
    document = to_json(result)
    assert document["violations"][0]["message"] == "bucket '[secret]' is bad"
    assert document["layers"][0]["resources"][0]["inputs"] == {"bucket": "[secret]"}


def test_output_files_mask_secrets_nested_in_any_output(tmp_path: Path) -> None:
    OutputFileWriter(tmp_path).write(
        "dev", "data", {"connection": {"host": "h", "password": wrap("pw-NESTED-1")}}
    )
    text = (tmp_path / "dev" / "data.json").read_text() + (
        tmp_path / "dev" / "flat-outputs.json"
    ).read_text()
    assert "pw-NESTED-1" not in text and SECRET_SIG_KEY not in text
    assert json.loads((tmp_path / "dev" / "data.json").read_text())["outputs"]["connection"] == {
        "host": "h",
        "password": "[secret]",
    }


def test_the_fixture_pack_still_runs_on_the_export() -> None:
    code, out = run("policy-check", str(SHOW_SECRETS_EXPORT), "--pack", str(FIXTURE_PACK))
    assert code in (0, 1) and "hunter2" not in out
