"""Stack exports as `pulumi policy analyze --file` reads them: pulumi/pulumi
`pkg/resource/stack/deployment.go` (UnmarshalUntypedDeployment: versions 1-4, features of a v4
deployment, `propertyDependencies` as `map[PropertyKey][]URN`), `pkg/cmd/pulumi/policy/
policy_analyze.go` (an empty stack exits 0) and `pkg/resource/deploy/analyze_snapshot.go`
(resources pending deletion are skipped; remediations reported, not applied)."""

from __future__ import annotations

import json
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tooling.offline.__main__ import main
from tooling.offline.analysis import analyze_stack
from tooling.offline.stack_export import read_stack_export

from .conftest import PACKS, RUNTIMES, Packs, root, urn

# One xdist worker runs every case: the pack processes are started once, not once per worker.
pytestmark = pytest.mark.xdist_group("conformance")

PROJECT = "exports"
DYNAMIC = "pulumi-nodejs:dynamic:Resource"
SIMPLE = "simple:index:Resource"
STACK_URN = root(PROJECT)
PROVIDER = urn(PROJECT, "pulumi:providers:pulumi-nodejs", "default")


def resource(type_: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "urn": urn(PROJECT, type_, name),
        "custom": True,
        "type": type_,
        "inputs": fields.pop("props", {}),
        "outputs": {},
        "parent": STACK_URN,
        "provider": f"{PROVIDER}::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        **fields,
    }


def export(*resources: dict[str, Any], version: Any = 3, **top: Any) -> dict[str, Any]:
    stack = {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack"}
    provider = {
        "urn": PROVIDER,
        "custom": True,
        "id": "1",
        "type": "pulumi:providers:pulumi-nodejs",
    }
    document: dict[str, Any] = {
        "deployment": {"manifest": {}, "resources": [stack, provider, *resources]},
        **top,
    }
    if version is not None:
        document["version"] = version
    return document


def policy_check(tmp_path: Path, document: Any, *, text: str | None = None) -> tuple[int, str]:
    path = tmp_path / "export.json"
    path.write_text(text if text is not None else json.dumps(document))
    buffer = StringIO()
    pack = PACKS / "python" / "conformance"
    # --env: the project's environment rule does not know the upstream tests' stack `test`.
    argv = ["policy-check", str(path), "--env", "dev", "--policy-pack", str(pack)]
    code = main(argv, console=Console(file=buffer))
    return code, buffer.getvalue()


@pytest.fixture(autouse=True)
def _python_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack names no virtualenv: the CLI then runs PULUMI_PYTHON_CMD."""
    monkeypatch.setenv("PULUMI_PYTHON_CMD", sys.executable)


def test_null_property_dependencies_are_empty_lists(tmp_path: Path) -> None:
    """deployment.go: `map[PropertyKey][]URN`; older SDKs and pulumi's own checkpoints write null."""
    document = export(
        resource(DYNAMIC, "a", props={"state": 0}, propertyDependencies={"state": None})
    )
    code, out = policy_check(tmp_path, document)
    assert code == 0, out


@pytest.mark.parametrize(
    "deployment", [{"manifest": {}}, {"manifest": {}, "resources": None}], ids=["omitted", "null"]
)
def test_an_empty_stack_has_nothing_to_analyze_and_exits_0(
    tmp_path: Path, deployment: dict[str, Any]
) -> None:
    """policy_analyze.go: `%s has no resources; nothing to analyze.`, and no error."""
    code, out = policy_check(tmp_path, {"version": 3, "deployment": deployment})
    assert code == 0 and "has no resources; nothing to analyze." in out, out


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "this stack's deployment is too old"),
        (0, "this stack's deployment is too old"),
        (5, "this stack's deployment version is too new"),
    ],
    ids=["missing", "0", "5"],
)
def test_a_version_outside_1_to_4_is_refused(tmp_path: Path, version: Any, message: str) -> None:
    """deployment.go: DeploymentSchemaVersionOldestSupported (1) .. DeploymentSchemaVersionLatest (4)."""
    code, out = policy_check(tmp_path, export(version=version))
    assert code == 2 and message in out and "Traceback" not in out, out


@pytest.mark.parametrize(
    ("version", "features", "refused"),
    [
        (4, ["someFutureFeature"], True),
        (4, ["refreshBeforeUpdate", "taint"], False),
        (3, ["x"], False),
    ],
    ids=["v4-unknown", "v4-known", "v3-not-read"],
)
def test_features_a_version_4_deployment_needs_must_be_known(
    tmp_path: Path, version: int, features: list[str], refused: bool
) -> None:
    """deployment.go validateSupportedFeatures, read from version 4 on."""
    code, out = policy_check(tmp_path, export(version=version, features=features))
    if refused:
        assert (
            code == 2
            and (
                "this stack's deployment needs support for the following features: someFutureFeature"
            )
            in out
        ), out
    else:
        assert code == 0, out


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400", "-1e400", "1" + "0" * 400])
def test_a_number_a_float64_cannot_hold_is_one_message(tmp_path: Path, number: str) -> None:
    """Go's encoding/json refuses these; so does the CLI, with one message and no traceback."""
    text = json.dumps(export(resource(DYNAMIC, "a", props={"state": 0}))).replace(
        '"state": 0', f'"state": {number}'
    )
    code, out = policy_check(tmp_path, None, text=text)
    assert code == 2 and "Traceback" not in out and "internal error" not in out, out
    assert "cannot be held by a stack export" in out and len(out.strip().splitlines()) <= 2, out
    assert "0" * 100 not in out  # a huge number is not echoed whole


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_resources_pending_deletion_are_not_analyzed(
    tmp_path: Path, packs: Packs, runtime: str
) -> None:
    """analyze_snapshot.go: `if res.Delete { continue }` in Remediate/Analyze and AnalyzeStack; the
    replaced copy shares its URN with the live one."""
    live = resource(DYNAMIC, "a", props={"state": 0})
    old = resource(DYNAMIC, "a", props={"state": 1}, delete=True)
    extra = resource(SIMPLE, "b", props={"value": 1}, delete=True)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(live, old, extra, resource(SIMPLE, "c", props={"value": 1}))))
    [layer] = read_stack_export(path).layers.values()
    server = packs.get(runtime, "conformance")
    server.configure(layer=layer.layer)
    found = analyze_stack([server], layer.resources, layer=layer.layer, apply_remediations=False)
    assert [v for v in found if v.policy in ("dynamic-no-state-with-value-1", "stack-size")] == []
    assert [v.urn for v in found if v.policy == "root-stack-analyzed"] == [STACK_URN]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_snapshot_reports_remediations_without_applying_them(
    tmp_path: Path, packs: Packs, runtime: str
) -> None:
    """analyze_snapshot.go: "we report what would be changed but do not apply the changes"."""
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(resource(SIMPLE, "res", props={"value": True}))))
    [layer] = read_stack_export(path).layers.values()
    servers = [packs.get(runtime, "conformance"), packs.get(runtime, "observer")]
    for server in servers:
        server.configure(layer=layer.layer)
    found = analyze_stack(servers, layer.resources, layer=layer.layer, apply_remediations=False)
    [fix] = [v for v in found if v.policy == "fixup"]
    assert (fix.level, fix.before, fix.after) == ("remediate", {"value": True}, {"value": False})
    assert "not applied" in fix.message
    assert [v.level for v in found if v.policy == "sees-remediation"] == ["mandatory"]
