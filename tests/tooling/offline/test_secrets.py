"""No secret in plaintext: console, JSON report, policy messages, pack errors and output, files."""

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from shared.layers import LAYERS
from shared.wire import SECRET_SIGNATURE
from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY
from tooling.offline import LayerResult, PolicyPackError, Resource, Violation
from tooling.offline.analyzer import policy_pack
from tooling.offline.planner import PlanResult
from tooling.offline.report import to_json
from tooling.outputs import OutputFileWriter
from tooling.redaction import SHOWN, wrap

from .conftest import FIXTURE_PACK, FIXTURES
from .hostile_packs import TYPE, node_ready, thing, write_pack
from .test_main import plan_args, run
from .test_pack_process import runtimes

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
    # A layer reading another's secret output puts it into a role's input.
    source = next(layer for layer in LAYERS if layer.secret_outputs)
    reader = next(layer for layer in LAYERS if source.name in layer.upstream)
    secret = source.secret_outputs[0]
    program = stacks_copy / reader.name / "__main__.py"
    program.write_text(
        program.read_text()
        + f"aws.iam.Role('reader', assume_role_policy=ctx.upstream({source.name!r})"
        f".require({secret!r})"
        ".apply(lambda arn: '{\"Statement\": [\"' + arn + '\"]}'))\n"
    )
    report = tmp_path / "plan.json"
    args = plan_args("dev", "--layer", reader.name, "--json", str(report), stacks=stacks_copy)
    code, out = run(*args)
    assert code == 0, out
    document = json.loads(report.read_text())
    (shown,) = [layer for layer in document["layers"] if layer["name"] == reader.name]
    (role,) = [r for r in shown["resources"] if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["assumeRolePolicy"] == "[secret]"
    assert SECRET_SIG_KEY not in report.read_text()
    # The contract program's secret value, anywhere.
    assert f"{source.name}.{secret}@dev" not in json.dumps(document) + out


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


# --- hostile packs: what they echo, print or raise never shows a secret ---------------------------


def hostile_export(folder: Path, things: dict[str, str], secret: str) -> Path:
    """A `--show-secrets` export of resources asking the hostile pack for a behaviour each."""
    resources = [
        {
            "urn": f"urn:pulumi:dev::app::{TYPE}::{name}",
            "type": TYPE,
            "custom": True,
            "inputs": {
                "behaviour": behaviour,
                "secret": {
                    SECRET_SIG_KEY: SECRET_SIGNATURE,
                    "plaintext": json.dumps(secret),
                },
            },
        }
        for name, behaviour in things.items()
    ]
    path = folder / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return path


def serialised(secret: str) -> list[str]:
    """How a secret shows when printed: raw, JSON-escaped, as Python's repr, and as base64."""
    return [
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        base64.b64encode(secret.encode()).decode(),
    ]


def shown(secret: str, text: str) -> list[str]:
    return [form for form in serialised(secret) if form in text]


@runtimes
@pytest.mark.parametrize("behaviour", ["echo", "raise"])
def test_a_hostile_pack_through_the_cli_shows_no_secret(
    tmp_path: Path, runtime: str, behaviour: str
) -> None:
    secret = "hunter2-MASTER-PASSWORD"
    export = hostile_export(tmp_path, {"db": behaviour}, secret)
    report = tmp_path / "report.json"
    pack = write_pack(tmp_path / "pack", runtime)
    code, out = run("policy-check", str(export), "--pack", str(pack), "--json", str(report))
    if behaviour == "echo":
        assert code == 1 and "found [secret]" in out, out
        assert shown(secret, report.read_text()) == []
    else:  # the pack's exception quoted the properties: `invalid literal for int()`, a Node Error
        assert code == 2 and "failed in Analyze" in out and "[secret]" in out, out
        assert not report.exists()
    assert shown(secret, out) == []


def test_a_pack_that_fails_to_load_shows_no_decrypted_secret(
    stacks_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_passphrase import PASSPHRASE, encrypt, stack_file

    email = "pager-7f3a@ops.acme-platform.net"
    stack_file(stacks_copy, value=encrypt(email))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("HOSTILE_START", "crash")  # its config, decrypted secret included, to stderr
    pack = write_pack(stacks_copy.parent / "pack", "python")
    code, out = run("plan", "staging", "--stacks", str(stacks_copy), "--pack", str(pack))
    assert code == 2 and "failed to load" in out and "cannot start with config" in out, out
    assert '"observability:alarmEmail": "[secret]"' in out
    assert shown(email, out) == []


def test_a_value_inside_a_secret_json_document_is_masked_when_quoted_alone() -> None:
    token = "CONTAINER-ENV-TOKEN-5150"
    definitions = json.dumps([{"environment": [{"name": "API_TOKEN", "value": token}]}])
    resource = Resource(
        "aws:ecs/taskDefinition:TaskDefinition",
        "app",
        "urn:pulumi:dev::app::aws:ecs/taskDefinition:TaskDefinition::app",
        {"containerDefinitions": wrap(definitions)},
        {},
    )
    result = PlanResult(
        "dev",
        {"app": LayerResult("app", "dev", (resource,), {})},
        [Violation("p", "mandatory", "app", resource.urn, f"the token {token} is in plain text")],
    )
    assert to_json(result)["violations"][0]["message"] == "the token [secret] is in plain text"


# --- the property: generated secrets, one hostile pack per runtime, every output --------------------

SECRETS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=8, max_size=40
).filter(lambda secret: SHOWN not in secret)


@pytest.fixture(scope="module")
def hostile_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One hostile pack process per runtime for every example (Node.js only where installed)."""
    folder = tmp_path_factory.mktemp("hostile")
    with ExitStack() as stack:
        yield {
            runtime: stack.enter_context(
                policy_pack(
                    write_pack(folder / runtime, runtime),
                    environment="dev",
                    project="app",
                    start_timeout=60,
                )
            )
            for runtime in ("python", "nodejs")
            if runtime == "python" or node_ready()
        }


def plan_outputs(server: Any, secret: str, folder: Path) -> dict[str, str]:
    """Every output of a plan whose pack echoes, prints and raises with `secret`, by channel."""
    from tooling.offline.__main__ import _error
    from tooling.offline.planner import _check
    from tooling.offline.report import render, write_json
    from tooling.redaction import masking
    from tooling.terminal import plain_text_only

    console = StringIO()
    out = Console(file=console, width=120)
    with masking(), plain_text_only(out):
        layer = LayerResult(
            "app",
            "dev",
            (thing("echo", secret, "a"),),
            {"settings": json.dumps({"password": secret}), "password": secret},
            frozenset({"password"}),
        )
        violations = _check([server], layer, {}, (), [()])
        assert violations, "the pack echoed the secret in a violation"
        try:
            _check(
                [server],
                LayerResult("app", "dev", (thing("raise", secret, "b"),), {}),
                {},
                (),
                [()],
            )
        except PolicyPackError as error:
            _error(out, str(error))
        result = PlanResult("dev", {"app": layer}, violations, pack=server.label)
        render(result, out)
        write_json(result, folder / "report.json")
        OutputFileWriter(folder, offline=True).write(
            "dev", "app", layer.outputs, layer.secret_outputs
        )
        tail = server._stderr_tail() + server._pack.stdout.text()
    return {
        "console": console.getvalue(),
        "files": "".join(path.read_text() for path in sorted(folder.rglob("*.json"))),
        "pack output": tail,
    }


@pytest.fixture(scope="module")
def background(hostile_servers: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the plan prints whatever the secret: a secret such as "resource" is in it already."""
    return "".join(
        text
        for server in hostile_servers.values()
        for text in plan_outputs(server, "\x01" * 8, tmp_path_factory.mktemp("outputs")).values()
    )


@given(secret=SECRETS, runtime=st.sampled_from(["python", "nodejs"]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_output_of_a_plan_ever_holds_a_generated_secret(
    hostile_servers: dict[str, Any],
    background: str,
    tmp_path_factory: pytest.TempPathFactory,
    secret: str,
    runtime: str,
) -> None:
    """Whatever a hostile pack does with a secret, no console line, error, report or file shows it."""
    assume(shown(secret, background) == [])
    server = hostile_servers.get(runtime) or hostile_servers["python"]
    outputs = plan_outputs(server, secret, tmp_path_factory.mktemp("outputs"))
    for name, text in outputs.items():
        assert shown(secret, text) == [], name
