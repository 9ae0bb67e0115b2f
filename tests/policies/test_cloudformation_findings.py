"""cfn-lint findings mapped back to Pulumi resources and properties, by plain calls (the lint
stands in where only the mapping is under test)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from policies import cloudformation
from policies.cfn.lint import Finding
from policies.cloudformation import RULES, findings
from policies.spec import StackResource
from shared.aws.cloudformation import CfnResource, Source
from tests.policies.conftest import UNKNOWN, context

REF = {"Ref": "PulumiUnknown"}
TOPIC = "aws:sns/topic:Topic"
TOPIC_URN = "urn:pulumi:dev::obs::aws:sns/topic:Topic::alerts"
LOG_URN = "urn:pulumi:dev::data::aws:s3/bucketLogging:BucketLogging::log"
RESOURCE = CfnResource(
    "AlertsTopic",
    "AWS::SNS::Topic",
    {"TopicName": "t", "Tags": [], "LoggingConfiguration": {}},
    TOPIC_URN,
    {
        "TopicName": Source(TOPIC_URN, "name"),
        "Tags": Source(TOPIC_URN, "tags"),
        "LoggingConfiguration": Source(LOG_URN, "targetPrefix"),
    },
)


def locate(path: Sequence[str | int], message: str = "m") -> tuple[str, str | None, str]:
    finding = Finding("E1", "error", message, tuple(path))
    return cloudformation._locate(finding, {"AlertsTopic": RESOURCE})


def test_a_property_finding_names_its_pulumi_property_and_the_full_path() -> None:
    assert locate(("Resources", "AlertsTopic", "Properties", "TopicName")) == (
        TOPIC_URN,
        "name",
        "TopicName",
    )
    assert locate(("Resources", "AlertsTopic", "Properties", "Tags", 0, "Value")) == (
        TOPIC_URN,
        "tags",
        "Tags/0/Value",
    )
    # A folded property is reported on the resource that set it, not on the bucket.
    path = ("Resources", "AlertsTopic", "Properties", "LoggingConfiguration", "LogFilePrefix")
    assert locate(path) == (LOG_URN, "targetPrefix", "LoggingConfiguration/LogFilePrefix")


def test_a_finding_outside_the_translated_resources_has_no_urn() -> None:
    assert locate(()) == ("", None, "")
    assert locate(("Resources",)) == ("", None, "Resources")
    assert locate(("Parameters", "PulumiUnknown")) == ("", None, "Parameters/PulumiUnknown")
    assert locate(("Resources", "Other", "Properties", "X")) == (
        "",
        None,
        "Resources/Other/Properties/X",
    )


def test_a_finding_on_the_resource_finds_the_property_its_message_names() -> None:
    message = "Additional properties are not allowed ('TopicName' was unexpected)"
    assert locate(("Resources", "AlertsTopic"), message) == (TOPIC_URN, "name", "")
    assert locate(("Resources", "AlertsTopic", "Properties"), message) == (TOPIC_URN, "name", "")
    assert locate(("Resources", "AlertsTopic", "Metadata", "X"), message) == (
        TOPIC_URN,
        "name",
        "X",
    )
    assert locate(("Resources", "AlertsTopic"), "TopicName without quotes") == (TOPIC_URN, None, "")
    assert locate(("Resources", "AlertsTopic", "Properties", "Unsourced")) == (
        TOPIC_URN,
        None,
        "Unsourced",
    )


DOCUMENT = {
    "Resources": {
        "A": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "Ids": ["subnet-1", REF],
                "Name": "n",
                "Nested": {"X": REF},
                "Rules": [{"Key": "known", "Other": REF}],
            },
            "Metadata": {"M": REF},
        }
    }
}


@pytest.mark.parametrize(
    ("path", "about"),
    [
        (("Resources", "A", "Properties"), False),  # the resource as a whole
        (("Resources", "A", "Metadata", "M"), False),
        (("Resources", "A", "Properties", "Ids"), True),
        (("Resources", "A", "Properties", "Ids", 0), False),
        (("Resources", "A", "Properties", "Ids", 1), True),
        (("Resources", "A", "Properties", "Ids", 2), True),  # past the end: the whole list
        (("Resources", "A", "Properties", "Ids", -1), True),
        (("Resources", "A", "Properties", "Ids", "x"), True),
        (("Resources", "A", "Properties", "Name"), False),
        (("Resources", "A", "Properties", "Name", "Deeper"), False),
        (("Resources", "A", "Properties", "Nested", "X", "Deeper"), True),
        (("Resources", "A", "Properties", "Nested", "Missing"), True),
        (("Resources", "A", "Properties", "Rules", 0, "Key"), False),
        (("Resources", "A", "Properties", "Rules", 0, "Other"), True),
    ],
)
def test_a_finding_about_a_value_unknown_during_preview(
    path: tuple[str | int, ...], about: bool
) -> None:
    assert cloudformation._about_unknown(DOCUMENT, path) is about


def test_a_path_through_an_unknown_is_about_it() -> None:
    document: dict[str, Any] = {"Resources": {"A": {"Properties": REF}}}
    assert cloudformation._about_unknown(document, ("Resources", "A", "Properties", "X"))
    assert not cloudformation._about_unknown({}, ("Resources", "A", "Properties", "X"))


def topic(name: str, props: Mapping[str, Any]) -> StackResource:
    return StackResource(TOPIC, f"urn:pulumi:dev::obs::{TOPIC}::{name}", props, (), name)


@pytest.fixture
def lint(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], str]]:
    """cfn-lint stands in: it returns FOUND and records what it was asked."""
    asked: list[tuple[dict[str, Any], str]] = []

    def fake(template: dict[str, Any], region: str) -> tuple[Finding, ...]:
        asked.append((template, region))
        return FOUND

    monkeypatch.setattr(cloudformation, "lint_template", fake)
    return asked


FOUND = (
    Finding("E3002", "error", "bad name", ("Resources", "AlertsTopic", "Properties", "TopicName")),
    Finding("W1", "warning", "whole resource", ("Resources", "AlertsTopic")),
    Finding("E2", "error", "unsourced", ("Resources", "AlertsTopic", "Properties", "Other", 0)),
    Finding("E3", "error", "about a parameter", ("Parameters", "PulumiUnknown")),
    Finding("E4", "error", "no path", ()),
    Finding("E5", "error", "unknown value", ("Resources", "LaterTopic", "Properties", "TopicName")),
    Finding("E7", "error", "bad tags", ("Resources", "AlertsTopic", "Properties", "Tags")),
    Finding("E8", "error", "short path", ("Resources",)),
)


def test_every_finding_is_reported_on_its_resource_with_its_property(
    lint: list[tuple[dict[str, Any], str]],
) -> None:
    stack = [topic("alerts", {"name": "alerts"}), topic("later", {"name": UNKNOWN})]
    found = findings(stack, context("dev", region="eu-west-1"))
    alerts = stack[0].urn
    assert [(urn, f, message) for urn, f, message in found] == [
        (alerts, FOUND[0], "[E3002] property name: bad name"),
        (alerts, FOUND[1], "[W1] AWS::SNS::Topic resource: whole resource"),
        (alerts, FOUND[2], "[E2] AWS::SNS::Topic Other/0: unsourced"),
        ("", FOUND[3], "[E3] Parameters/PulumiUnknown: about a parameter"),
        ("", FOUND[4], "[E4] resource: no path"),
        (alerts, FOUND[6], "[E7] AWS::SNS::Topic Tags: bad tags"),
        ("", FOUND[7], "[E8] Resources: short path"),
    ]
    [(template, region)] = lint
    assert region == "eu-west-1"
    assert template["Resources"]["AlertsTopic"] == {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": "alerts"},
    }


def test_the_provider_s_default_region_when_the_stack_names_none(
    lint: list[tuple[dict[str, Any], str]],
) -> None:
    findings([topic("alerts", {})], context("dev"))
    assert [region for _, region in lint] == ["us-east-1"]


def test_a_configuration_folds_into_the_bucket_it_depends_on(
    lint: list[tuple[dict[str, Any], str]],
) -> None:
    first = StackResource("aws:s3/bucket:Bucket", "urn:a", {"bucket": "a"}, (), "a")
    bucket = StackResource("aws:s3/bucket:Bucket", "urn:b", {"bucket": "b"}, (), "b")
    versioning = StackResource(
        "aws:s3/bucketVersioning:BucketVersioning",
        "urn:v",
        {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}},
        ("urn:a", "urn:b"),
        "v",
        {"bucket": ("urn:b",)},  # the bucket input's own dependency names the owner
    )
    findings([first, bucket, versioning], context("dev"))
    [(template, _)] = lint
    assert template["Resources"] == {
        "ABucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a"}},
        "BBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "b", "VersioningConfiguration": {"Status": "Enabled"}},
        },
    }


def test_without_property_dependencies_the_one_bucket_depended_on_owns_it(
    lint: list[tuple[dict[str, Any], str]],
) -> None:
    bucket = StackResource("aws:s3/bucket:Bucket", "urn:b", {"bucket": "b"}, (), "b")
    versioning = StackResource(
        "aws:s3/bucketVersioning:BucketVersioning",
        "urn:v",
        {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}},
        ("urn:b",),
        "v",
    )
    findings([bucket, versioning], context("dev"))
    [(template, _)] = lint
    assert list(template["Resources"]) == ["BBucket"]


def test_nothing_translatable_is_not_linted(lint: list[tuple[dict[str, Any], str]]) -> None:
    other = StackResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "urn:x", {})
    assert findings([other], context("dev")) == []
    assert lint == []


def test_errors_and_warnings_are_two_policies(lint: list[tuple[dict[str, Any], str]]) -> None:
    errors, warnings = RULES
    assert errors.check_stack is not None and warnings.check_stack is not None
    stack = [topic("alerts", {"name": "alerts"})]
    alerts = stack[0].urn
    assert errors.check_stack(stack, context("dev")) == [
        (alerts, "[E3002] property name: bad name"),
        (alerts, "[E2] AWS::SNS::Topic Other/0: unsourced"),
        ("", "[E3] Parameters/PulumiUnknown: about a parameter"),
        ("", "[E4] resource: no path"),
        ("", "[E5] Resources/LaterTopic/Properties/TopicName: unknown value"),
        (alerts, "[E7] AWS::SNS::Topic Tags: bad tags"),
        ("", "[E8] Resources: short path"),
    ]
    assert warnings.check_stack(stack, context("dev")) == [
        (alerts, "[W1] AWS::SNS::Topic resource: whole resource")
    ]
    # The table is built at import; the factory itself, called here, makes the same checks.
    assert cloudformation._at("warning")(stack, context("dev")) == [
        (alerts, "[W1] AWS::SNS::Topic resource: whole resource")
    ]
    assert cloudformation._at("error")(stack, context("dev")) == errors.check_stack(
        stack, context("dev")
    )


def _associations(subnets: tuple[str, str]) -> list[StackResource]:
    token = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    return [
        StackResource(
            token,
            f"urn:pulumi:dev::network::{token}::{name}",
            {"subnetId": subnet, "routeTableId": "rtb-0123456789abcdef0"},
            (),
            name,
        )
        for name, subnet in zip(("a", "b"), subnets, strict=True)
    ]


def test_through_cfn_lint_two_unknowns_are_never_duplicates() -> None:
    known = findings(_associations(("subnet-0123456789abcdef0",) * 2), context("dev"))
    assert [(urn.rsplit("::", 1)[-1], f.rule_id) for urn, f, _ in known] == [
        ("a", "E3022"),
        ("b", "E3022"),
    ]
    assert findings(_associations((UNKNOWN, UNKNOWN)), context("dev")) == []
