"""pulumi/pulumi-policy `tests/integration/integration_test.go`, scenario by scenario, for a Python
and a Node.js pack. Each case names the test and the line of its scenario in that file (read at
805bcbcd, 2026-07-29); the program of a scenario is its resources as data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import RUNTIMES, Found, Packs, check, configure_error, root, urn

# One xdist worker runs every case: the pack processes are started once, not once per worker.
pytestmark = pytest.mark.xdist_group("conformance")

DYNAMIC = "pulumi-nodejs:dynamic:Resource"


def dynamic(name: str, opts: dict[str, Any] | None = None, **props: Any) -> dict[str, Any]:
    return {"type": DYNAMIC, "name": name, "props": props, "opts": opts or {}}


# (case id, upstream line, resources, expected violations of the named policies, the run fails)
VALIDATE = [
    # TestValidateResource
    ("validate-resource-1-no-resources", 315, [], [], False),
    ("validate-resource-2-no-violations", 319, [dynamic("a", state=0)], [], False),
    (
        "validate-resource-3-first-policy",
        323,
        [dynamic("a", state=1)],
        [("dynamic-no-state-with-value-1", "a", "'state' must not have the value 1.")],
        True,
    ),
    # TestValidateStack
    ("validate-stack-2-no-violations", 425, [dynamic("a", state=0)], [], False),
    (
        # A stack violation without a URN is filed against the root stack.
        "validate-stack-4-no-urn",
        437,
        [dynamic("b", state=2)],
        [("dynamic-no-state-with-value-2", None, "'state' must not have the value 2.")],
        True,
    ),
    (
        "validate-stack-5-with-urn",
        445,
        [dynamic("c", state=3)],
        [("dynamic-no-state-with-value-3", "c", "'state' must not have the value 3.")],
        True,
    ),
    (
        # A stack validation at level remediate is treated as mandatory.
        "validate-stack-10-remediate-is-mandatory",
        477,
        [dynamic("d", foo="bar")],
        [("dynamic-no-foo-with-value-bar", None, "'foo' must not have the value 'bar'.")],
        True,
    ),
]
VALIDATE_POLICIES = {
    "dynamic-no-state-with-value-1",
    "dynamic-no-state-with-value-2",
    "dynamic-no-state-with-value-3",
    "dynamic-no-foo-with-value-bar",
}


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("case", "line", "resources", "expected", "fails"), VALIDATE, ids=[c[0] for c in VALIDATE]
)
def test_validate(
    packs: Packs,
    program: Any,
    runtime: str,
    case: str,
    line: int,
    resources: list[dict[str, Any]],
    expected: list[tuple[str, str | None, str]],
    fails: bool,
) -> None:
    project = "validate"
    found = check([packs.get(runtime, "conformance")], program(project, resources))
    relevant = [v for v in found if v.policy in VALIDATE_POLICIES]
    wanted = [
        Found(policy, "mandatory", urn(project, DYNAMIC, name) if name else root(project), text)
        for policy, name, text in expected
    ]
    assert len(relevant) == len(wanted), (case, line, relevant)
    assert all(any(w.matches(v) for v in relevant) for w in wanted), (case, line, relevant)
    assert any(v.blocking for v in relevant) is fails


# TestResourceOptions scenario 1 (line 523): the options every resource of the program was given.
OPTION_RESOURCES = [
    dynamic("empty"),
    dynamic("protect", {"protect": True}),
    dynamic("ignoreChanges", {"ignoreChanges": ["foo", "bar"]}),
    dynamic("deleteBeforeReplaceNotSet"),
    dynamic("deleteBeforeReplaceTrue", {"deleteBeforeReplace": True}),
    dynamic("deleteBeforeReplaceFalse", {"deleteBeforeReplace": False}),
    # The engine keeps an alias only when it matched an old resource: a new stack has none.
    dynamic("aliased", {"aliases": ["old-name-for-aliased"]}),
    dynamic("timeouts", {"customTimeouts": {"create": "1m", "update": "2m", "delete": "3m"}}),
    dynamic("timeouts-create", {"customTimeouts": {"create": "4m"}}),
    dynamic("secrets", {"additionalSecretOutputs": ["foo"]}),
    dynamic("parent-res"),
    dynamic("child-res", {"parent": "parent-res"}),
]


def _options(project: str, name: str) -> dict[str, Any]:
    default: dict[str, Any] = {
        "protect": False,
        "ignoreChanges": [],
        "deleteBeforeReplace": None,
        "aliases": [],
        "customTimeouts": [0, 0, 0],
        "additionalSecretOutputs": [],
        "parent": root(project),
    }
    changes: dict[str, dict[str, Any]] = {
        "protect": {"protect": True},
        "ignoreChanges": {"ignoreChanges": ["foo", "bar"]},
        "deleteBeforeReplaceTrue": {"deleteBeforeReplace": True},
        "deleteBeforeReplaceFalse": {"deleteBeforeReplace": False},
        "timeouts": {"customTimeouts": [60, 120, 180]},
        "timeouts-create": {"customTimeouts": [240, 0, 0]},
        "secrets": {"additionalSecretOutputs": ["foo"]},
        "child-res": {"parent": urn(project, DYNAMIC, "parent-res")},
    }
    return {**default, **changes.get(name, {})}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_resource_options_1(packs: Packs, program: Any, runtime: str) -> None:
    """TestResourceOptions, scenario 1 (integration_test.go:523)."""
    project = "resource-options"
    found = check([packs.get(runtime, "conformance")], program(project, OPTION_RESOURCES))
    seen = {
        v.urn.rsplit("::", 1)[-1]: json.loads(v.message.rsplit("\n", 1)[-1])
        for v in found
        if v.policy == "options"
    }
    assert seen == {r["name"]: _options(project, r["name"]) for r in OPTION_RESOURCES}


# TestProvider (line 540): each resource comes with its provider, default or explicit, and the
# providers themselves reach Analyze, so a policy about a provider fires.
PROVIDER_RESOURCES = [
    dynamic("empty", reportProvider=True),
    {"type": "pulumi:providers:aws", "name": "my-provider", "props": {"region": "eu-west-1"}},
    {
        "type": "aws:s3/bucket:Bucket",
        "name": "str",
        "props": {"reportProvider": True},
        "opts": {"provider": "my-provider"},
    },
]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_provider(packs: Packs, program: Any, runtime: str) -> None:
    """TestProvider (integration_test.go:540)."""
    project = "provider"
    found = check([packs.get(runtime, "conformance")], program(project, PROVIDER_RESOURCES))
    seen = {v.urn: v.message.rsplit("\n", 1)[-1] for v in found if v.policy == "provider-seen"}
    assert seen == {
        urn(project, DYNAMIC, "empty"): "pulumi:providers:pulumi-nodejs default {}",
        urn(project, "aws:s3/bucket:Bucket", "str"): (
            'pulumi:providers:aws my-provider {"region": "eu-west-1"}'
            if runtime == "python"
            else 'pulumi:providers:aws my-provider {"region":"eu-west-1"}'
        ),
    }
    region = [v for v in found if v.policy == "provider-region"]
    assert [(v.level, v.urn) for v in region] == [
        ("mandatory", urn(project, "pulumi:providers:aws", "my-provider"))
    ]
    assert [v.urn for v in found if v.policy == "root-stack-analyzed"] == [root(project)]


# TestUnknownValues (line 489): in a preview, a policy reading an unknown value is an advisory
# "can't run" message, never a violation.
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_unknown_values_1(packs: Packs, program: Any, runtime: str) -> None:
    """TestUnknownValues, scenario 1 (integration_test.go:493)."""
    project = "unknown-values"
    resources = [
        {"type": "random:index:RandomString", "name": "source", "props": {}},
        {"type": "random:index:RandomPet", "name": "pet", "props": {"prefix": {"$ref": "source"}}},
    ]
    found = check([packs.get(runtime, "conformance")], program(project, resources, preview=True))
    [unknown] = [v for v in found if v.policy == "unknown-values-resource-validation"]
    assert unknown.level == "advisory"
    assert unknown.urn == urn(project, "random:index:RandomPet", "pet")
    assert unknown.message.endswith(
        "during preview: string value at .prefix can't be known during preview"
    )


# TestEnforcementLevel (lines 551-697): the pack's level x the policy's level; a policy without
# one takes the pack's, a pack without one is advisory; disabled reports nothing.
LEVELS = ("advisory", "disabled", "mandatory", "")  # "" = not set
LINES = [551, 563, 567, 578, 590, 602, 606, 617, 621, 633, 637, 648, 659, 671, 675, 686]
ENFORCEMENT = [(p, q, LINES[4 * i + j]) for i, p in enumerate(LEVELS) for j, q in enumerate(LEVELS)]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("pack_level", "policy_level", "line"),
    ENFORCEMENT,
    ids=[
        f"scenario-{n + 1}-pack-{p or 'unset'}-policy-{q or 'unset'}"
        for n, (p, q, _) in enumerate(ENFORCEMENT)
    ],
)
def test_enforcement_level(
    packs: Packs, program: Any, runtime: str, pack_level: str, policy_level: str, line: int
) -> None:
    project = "enforcementlevel"
    resources = [{"type": "random:index:RandomString", "name": "str", "props": {"length": 10}}]
    suffix = policy_level or "unset"
    found = check([packs.get(runtime, "conformance", pack_level)], program(project, resources))
    mine = sorted(
        (v.policy, v.level, v.urn)
        for v in found
        if v.policy in (f"validate-resource-{suffix}", f"validate-stack-{suffix}")
    )
    level = policy_level or pack_level or "advisory"
    expected = (
        []
        if level == "disabled"
        else [
            (
                f"validate-resource-{suffix}",
                level,
                urn(project, "random:index:RandomString", "str"),
            ),
            (f"validate-stack-{suffix}", level, root(project)),
        ]
    )
    assert mine == expected, line


# TestConfig (lines 702-880): the CLI's wording of every schema error, `validating policy config:
# <pack> <version>  <policy>: <error>`; a valid value of any JSON type is accepted.
VALID = {
    "required": {"foo": "bar"},
    "default-wrong-type": {"foo": "bar"},
    "default-too-long": {"foo": "bar"},
    "default-too-short": {"foo": "x" * 50},
    "default-enum": {"foo": "bar"},
    "default-const": {"foo": "bar"},
}
CONFIG_ERRORS = [
    ("6-required-not-set", 756, "required", None, ["foo is required"]),
    (
        "7-default-wrong-type",
        760,
        "default-wrong-type",
        None,
        ["foo: Invalid type. Expected: string, given: integer"],
    ),
    (
        "8-default-too-long",
        764,
        "default-too-long",
        None,
        ["foo: String length must be less than or equal to 3"],
    ),
    (
        "9-default-too-short",
        768,
        "default-too-short",
        None,
        ["foo: String length must be greater than or equal to 50"],
    ),
    (
        "10-default-enum",
        772,
        "default-enum",
        None,
        ['foo: foo must be one of the following: "bar", "baz"'],
    ),
    ("11-default-const", 776, "default-const", None, ['foo: foo does not match: "bar"']),
    (
        "12-incorrect-type",
        780,
        "string",
        {"foo": 1},
        ["foo: Invalid type. Expected: string, given: integer"],
    ),
    (
        "13-invalid-enum",
        787,
        "enum",
        {"foo": "blah"},
        ['foo: foo must be one of the following: "bar", "baz"'],
    ),
    ("14-invalid-const", 794, "const", {"foo": "blah"}, ['foo: foo does not match: "bar"']),
    (
        "15-multiple-errors",
        801,
        "multiple",
        {"foo": "this is too long", "bar": 3.14},
        [
            "bar: Invalid type. Expected: integer, given: number",
            "foo: String length must be less than or equal to 3",
        ],
    ),
    ("16-number-int", 812, "number", {"foo": 42}, []),
    ("17-number-float", 819, "number", {"foo": 3.14}, []),
    ("18-integer", 826, "integer", {"foo": 42}, []),
    ("19-boolean-true", 833, "boolean", {"foo": True}, []),
    ("20-boolean-false", 840, "boolean", {"foo": False}, []),
    ("21-object", 847, "object", {"foo": {"bar": "baz"}}, []),
    ("22-array", 854, "array", {"foo": ["a", "b", "c"]}, []),
    ("23-null", 861, "null", {"foo": None}, []),
]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(
    ("case", "line", "policy", "value", "errors"), CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS]
)
def test_config(
    packs: Packs,
    runtime: str,
    case: str,
    line: int,
    policy: str,
    value: dict[str, Any] | None,
    errors: list[str],
) -> None:
    document: dict[str, Any] = {name: valid for name, valid in VALID.items() if name != policy}
    if value is not None:
        document[policy] = value
    message = configure_error(packs.get(runtime, "config_policy"), document)
    assert message.splitlines() == [
        f"validating policy config: config-policy 0.0.1  {policy}: {error}" for error in errors
    ], (case, line)
