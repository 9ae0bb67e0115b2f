"""pulumi/pulumi `pkg/testing/pulumi-test-language/tests/policy_*.go` (read at 1b594989,
2026-08-21), with the Python packs of `sdk/python/cmd/pulumi-language-python/testdata/policies`
rewritten into the conformance packs, for a Python and a Node.js pack. Each case names the file and
the line of its run."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RUNTIMES, Found, Packs, check, configure_error, urn

# One xdist worker runs every case: the pack processes are started once, not once per worker.
pytestmark = pytest.mark.xdist_group("conformance")

SIMPLE = "simple:index:Resource"


def simple(name: str, value: Any = True, **opts: Any) -> dict[str, Any]:
    return {"type": SIMPLE, "name": name, "props": {"value": value}, "opts": opts}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_policy_simple(packs: Packs, program: Any, runtime: str) -> None:
    """policy_simple.go:54-70: an advisory on res1, a mandatory on res2, and the update fails."""
    project = "policy-simple"
    result = program(project, [simple("res1", True), simple("res2", False)])
    found = [
        v
        for v in check([packs.get(runtime, "conformance")], result)
        if v.policy in ("truthiness", "falsiness")
    ]
    wanted = [
        Found("truthiness", "advisory", urn(project, SIMPLE, "res1"), "This is a test warning"),
        Found("falsiness", "mandatory", urn(project, SIMPLE, "res2"), "This is a test error"),
    ]
    assert len(found) == 2 and all(any(w.matches(v) for v in found) for w in wanted), found


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(("extra", "violations"), [(0, 0), (1, 1)], ids=["one", "two"])
def test_policy_analyze_stack(
    packs: Packs, program: Any, runtime: str, extra: int, violations: int
) -> None:
    """policy_analyze_stack.go:36-46: with two resources, one mandatory stack violation filed
    against `urn:pulumi:test::policy-analyze-stack::pulumi:pulumi:Stack::policy-analyze-stack-test`."""
    project = "policy-analyze-stack"
    resources = [simple("res"), *(simple(f"res-{i}") for i in range(extra))]
    found = [
        v
        for v in check([packs.get(runtime, "conformance")], program(project, resources))
        if v.policy == "stack-size"
    ]
    wanted = Found(
        "stack-size",
        "mandatory",
        "urn:pulumi:test::policy-analyze-stack::pulumi:pulumi:Stack::policy-analyze-stack-test",
        "Found an extra simple:index:Resource",
    )
    assert len(found) == violations and all(wanted.matches(v) for v in found), found


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("line", "config", "level"),
    [
        (73, None, "advisory"),
        (97, {"truthiness": {"enforcementLevel": "mandatory"}}, "mandatory"),
        (126, {"truthiness": "disabled"}, ""),
    ],
    ids=["no-config", "mandatory", "disabled"],
)
def test_policy_enforcement_config(
    packs: Packs, program: Any, runtime: str, line: int, config: Any, level: str
) -> None:
    """policy_enforcement_config.go: the level set through policy config's `enforcementLevel`."""
    project = "policy-enforcement-config"
    result = program(project, [simple("res", True)])
    # The conformance pack's fixup would remediate `res` (policy_remediate.go): not here.
    document = {"fixup": "disabled", **(config or {})}
    found = [
        (v.level, v.urn)
        for v in check([packs.get(runtime, "conformance")], result, [document])
        if v.policy == "truthiness"
    ]
    assert found == ([(level, urn(project, SIMPLE, "res"))] if level else []), line


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_policy_resource_metadata(packs: Packs, program: Any, runtime: str) -> None:
    """policy_resource_metadata.go:26-53: one violation from each of the ten metadata policies."""
    project = "policy-resource-metadata"
    resources = [
        {"type": "pulumi:providers:simple", "name": "prov", "props": {}},
        simple("identity"),
        simple("protected", protect=True),
        simple("ignoreChanges", ignoreChanges=["value"]),
        simple("deleteBeforeReplace", deleteBeforeReplace=True),
        simple("secretOutput", additionalSecretOutputs=["value"]),
        simple("customTimeouts", customTimeouts={"create": "5m"}),
        simple("explicitProvider", provider="prov"),
        simple("parent"),
        simple("child", parent="parent"),
        simple("dependency"),
        simple("dependsOn", dependsOn=["dependency"]),
        {"type": SIMPLE, "name": "propertyDependency", "props": {"value": {"$ref": "dependency"}}},
    ]
    names = [
        "name-type-urn-props",
        "protect",
        "ignore-changes",
        "delete-before-replace",
        "additional-secret-outputs",
        "custom-timeouts",
        "provider",
        "parent",
        "dependencies",
        "property-dependencies",
    ]
    found = check([packs.get(runtime, "conformance")], program(project, resources))
    assert sorted(v.policy for v in found if v.policy in names) == sorted(names)


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("line", "config", "errors"),
    [
        (55, {"validator": {"value": False}}, ["names is required"]),
        (
            91,
            {"validator": {"value": False, "names": []}},
            ["names: Array must have at least 1 items"],
        ),
        (130, {"validator": {"value": False, "names": ["resN"]}}, []),
    ],
    ids=["names-missing", "names-empty", "valid"],
)
def test_policy_config_schema(
    packs: Packs, runtime: str, line: int, config: Any, errors: list[str]
) -> None:
    """policy_config_schema.go: `validating policy config: config-schema 3.0.0  validator: ...`."""
    message = configure_error(packs.get(runtime, "config_schema"), config)
    assert message.splitlines() == [
        f"validating policy config: config-schema 3.0.0  validator: {error}" for error in errors
    ], line


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("line", "value", "config", "remediated"),
    [(74, True, False, True), (102, True, True, False), (133, True, "disabled", False)],
    ids=["remediates", "already-right", "disabled"],
)
def test_policy_remediate(
    packs: Packs, program: Any, runtime: str, line: int, value: bool, config: Any, remediated: bool
) -> None:
    """policy_remediate.go:40-52: fixup sets `value` to its config, and the CLI shows before and
    after; a second pack analyzes the remediated state (step_generator.go: all packs remediate,
    then all analyze)."""
    project = "policy-remediate"
    result = program(project, [simple("res", value)])
    fixup = {"fixup": config if config == "disabled" else {"value": config}}
    observer = packs.get("node" if runtime == "python" else "python", "observer")
    found = check([packs.get(runtime, "conformance"), observer], result, [fixup, None])
    remediations = [v for v in found if v.policy == "fixup"]
    if not remediated:
        assert remediations == [], line
        assert [v.level for v in found if v.policy == "sees-remediation"] == ["mandatory"]
        return
    [fix] = remediations
    assert (fix.level, fix.urn) == ("remediate", urn(project, SIMPLE, "res")), line
    assert (fix.before, fix.after) == ({"value": True}, {"value": False})
    assert [v for v in found if v.policy == "sees-remediation"] == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_violation_still_standing_at_level_remediate_is_mandatory(
    packs: Packs, program: Any, runtime: str
) -> None:
    """pulumi analyze_snapshot.go analyzeResource ("downgrade" remediate to mandatory), as the
    lifecycle test TestSimpleAnalyzeResourceFailureRemediateDowngradedToMandatory pins."""
    project = "remediate-downgraded"
    result = program(project, [{"type": SIMPLE, "name": "r", "props": {"violate": True}}])
    found = [
        v
        for v in check([packs.get(runtime, "conformance")], result)
        if v.policy == "violate-at-remediate"
    ]
    assert [(v.level, v.urn) for v in found] == [("mandatory", urn(project, SIMPLE, "r"))]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_violation_filed_against_another_urn_lands_on_the_resource_analyzed(
    packs: Packs, program: Any, runtime: str
) -> None:
    """pulumi analyze_snapshot.go analyzeResource: `events.OnPolicyViolation(r.URN, d)`, whatever
    URN the diagnostic names."""
    project = "blame"
    other = urn(project, SIMPLE, "other")
    resources = [simple("other"), {"type": SIMPLE, "name": "a", "props": {"blame": other}}]
    found = [
        v
        for v in check([packs.get(runtime, "conformance")], program(project, resources))
        if v.policy == "blame-another"
    ]
    assert [v.urn for v in found] == [urn(project, SIMPLE, "a")]
