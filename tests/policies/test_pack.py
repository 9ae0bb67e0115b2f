"""The pack's assembly: environment from the stack, per-class configs, and the analyzer servicer.

The servicer is driven in-process here (the same class the PolicyPack constructor serves over
gRPC); tests/policies/test_layers.py goes through the real protocol with tooling.offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies import pack
from policies.catalog import RULES
from shared.environment import CLASSES, ENVIRONMENT_CLASSES, PROFILES, EnvironmentNameError
from tests.policies.conftest import UNKNOWN, secret

MEMBER = "aws:rds/clusterInstance:ClusterInstance"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PULUMI_STACK": "prod"}, ("prod", "prod")),
        ({"PULUMI_STACK": "pr-42"}, ("pr-42", "pr")),
        (
            {
                "PULUMI_STACK": "live",
                "PULUMI_PROJECT": "data",
                "PULUMI_CONFIG": '{"data:environmentClass": "prod"}',
            },
            ("live", "prod"),
        ),
        # The stack wins over a leftover variable naming another environment.
        ({"PULUMI_STACK": "prod", "ENVIRONMENT_SUFFIX": "dev"}, ("prod", "prod")),
        ({"PULUMI_STACK": "pr-3", "ENVIRONMENT_SUFFIX": "staging"}, ("pr-3", "pr")),
    ],
)
def test_environment_comes_from_the_stack(
    environ: dict[str, str], expected: tuple[str, str]
) -> None:
    environment = pack.stack_environment(environ)
    assert (environment.name, environment.environment_class) == expected


def test_an_unresolvable_stack_stops_the_pack_instead_of_guessing() -> None:
    with pytest.raises(EnvironmentNameError, match="Did you mean 'prod'"):
        pack.stack_environment({"PULUMI_STACK": "prd"})


def test_region_from_stack_config_then_env() -> None:
    assert pack.stack_region({"PULUMI_CONFIG": '{"aws:region": "eu-west-1"}'}) == "eu-west-1"
    assert pack.stack_region({"AWS_REGION": "us-west-2"}) == "us-west-2"
    assert pack.stack_region({}) is None


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_every_class_config_lists_only_deviations_with_valid_levels(klass: str) -> None:
    config = pack.class_config(klass)
    assert set(config) - {"all"} <= {rule.name for rule in RULES}
    for rule in RULES:
        assert pack.default_level(rule, config) in pack.LEVELS
        assert set(pack.default_properties(rule, config)) <= set(rule.config_schema)
    for name, entry in config.items():
        rule = next(r for r in RULES if r.name == name)
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel")
        assert level != rule.default_level, f"{klass}.json repeats {name}'s default"


def test_levels_deviate_per_class() -> None:
    kms = next(rule for rule in RULES if rule.name == "aws-cloudwatch-log-group-kms")
    tags = next(rule for rule in RULES if rule.name == "aws-tags-standard")
    assert pack.default_level(kms, pack.class_config("prod")) == "mandatory"
    assert pack.default_level(kms, pack.class_config("dev")) == "advisory"
    assert pack.default_level(tags, pack.class_config("dev")) == "remediate"
    assert pack.default_level(tags, pack.class_config("prod")) == "mandatory"


def test_a_class_without_a_config_file_gets_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pack.class_config("qa") == {}
    monkeypatch.setitem(CLASSES, "qa", CLASSES["dev"])
    policies = pack.policies(
        {"PULUMI_STACK": "perf", "PULUMI_CONFIG": '{"x:environmentClass": "qa"}'}
    )
    assert len(policies) == len(RULES)


def test_backup_minimum_defaults_to_the_profile_without_config() -> None:
    for klass in ENVIRONMENT_CLASSES:
        assert "aws-rds-backup-retention" not in pack.class_config(klass)
    # The classes differ, so the minimum really is each profile's.
    assert len({p.backup_retention_days for p in PROFILES.values()}) > 1


def test_every_rule_has_prose() -> None:
    for rule in RULES:
        assert rule.name.startswith("aws-") and rule.description and rule.remediation, rule.name
        assert rule.severity in ("low", "medium", "high", "critical")


def _servicer(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> _PolicyAnalyzerServicer:
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    policies = pack.policies(environ)
    return _PolicyAnalyzerServicer(pack.PACK_NAME, "0.0.1", policies, pack.LEVELS["advisory"])


def _analyze(servicer: _PolicyAnalyzerServicer, type_: str, props: dict[str, Any]) -> Any:
    properties = struct_pb2.Struct()
    json_format.ParseDict(props, properties)
    request = analyzer_pb2.AnalyzeRequest(
        type=type_, properties=properties, urn=f"urn:{type_}", name="r"
    )
    return servicer.Analyze(request, None)  # type: ignore[no-untyped-call]


PROD = {
    "PULUMI_STACK": "prod",
    "PULUMI_PROJECT": "data",
    "PULUMI_CONFIG": '{"aws:region": "us-east-1"}',
}


def test_servicer_reports_a_mandatory_violation_naming_the_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servicer = _servicer(PROD, monkeypatch)
    response = _analyze(
        servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": "db.t3.micro"}
    )
    found = [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]
    assert len(found) == 1 and "db.t3.micro" in found[0].message
    assert found[0].enforcementLevel == analyzer_pb2.MANDATORY


@pytest.mark.parametrize("klass", ENVIRONMENT_CLASSES)
def test_an_unknown_value_a_rule_must_read_is_cant_run_or_blocks_as_the_class_says(
    klass: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = klass if CLASSES[klass].named else "pr-7"
    servicer = _servicer({**PROD, "PULUMI_STACK": name}, monkeypatch)
    response = _analyze(servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": UNKNOWN})
    (found,) = [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]
    if CLASSES[klass].profile.unknowns_block:  # mandatory here: it blocks
        assert found.enforcementLevel == analyzer_pb2.MANDATORY
        assert "cannot be checked before `up`" in found.message
        assert ".instanceClass can't be known during preview" in found.message
    else:
        assert found.enforcementLevel == analyzer_pb2.ADVISORY and "during preview" in found.message


def test_secret_password_fires_without_leaking(monkeypatch: pytest.MonkeyPatch) -> None:
    servicer = _servicer(PROD, monkeypatch)
    response = _analyze(servicer, "aws:rds/cluster:Cluster", {"masterPassword": secret("hunter2")})
    messages = [
        d.message for d in response.diagnostics if d.policyName == "aws-rds-managed-master-password"
    ]
    assert messages and not any("hunter2" in m for m in messages)


def test_configure_disabled_silences_a_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    servicer = _servicer(PROD, monkeypatch)
    request = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            "aws-rds-aurora-instance-class": analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.DISABLED
            )
        }
    )
    servicer.Configure(request, None)  # type: ignore[no-untyped-call]
    response = _analyze(
        servicer, MEMBER, {"engine": "aurora-postgresql", "instanceClass": "db.t3.micro"}
    )
    assert not [d for d in response.diagnostics if d.policyName == "aws-rds-aurora-instance-class"]


def test_remediation_adds_missing_tags_and_keeps_secrets_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servicer = _servicer({**PROD, "PULUMI_STACK": "dev"}, monkeypatch)
    properties = struct_pb2.Struct()
    json_format.ParseDict(
        {"cidrBlock": "10.0.0.0/16", "tags": {"Team": "x"}, "note": secret("s")}, properties
    )
    request = analyzer_pb2.AnalyzeRequest(
        type="aws:ec2/vpc:Vpc",
        properties=properties,
        urn="urn:pulumi:dev::network::aws:ec2/vpc:Vpc::vpc",
        name="vpc",
    )
    response = servicer.Remediate(request, None)  # type: ignore[no-untyped-call]
    (remediation,) = [r for r in response.remediations if r.policyName == "aws-tags-standard"]
    fixed = json_format.MessageToDict(remediation.properties)
    assert fixed["tags"] == {
        "Team": "x",
        "Project": "platform",
        "Environment": "dev",
        "Layer": "network",  # from the URN, not PULUMI_PROJECT
        "ManagedBy": "pulumi",
    }
    assert "4dabf18193072939515e22adb298388d" in json.dumps(fixed["note"])


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"aws-rds-backup-retention": {"minimumDays": 99}}, "99 is greater than the maximum of 35"),
        ({"aws-rds-backup-retention": {"minimumDay": 7}}, "'minimumDay' was unexpected"),
        ({"aws-rds-deletion-protection": "required"}, "'required' is not a level"),
        ({"all": "strict"}, "'strict' is not a level"),
    ],
)
def test_a_class_config_the_cli_would_refuse_is_refused_by_its_one_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: dict[str, Any], problem: str
) -> None:
    (tmp_path / "qa.json").write_text(json.dumps(document))
    monkeypatch.setattr(pack, "CONFIG_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"qa\.json: ") as raised:
        pack.class_config("qa")
    assert problem in str(raised.value)
