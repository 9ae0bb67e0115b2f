"""The observability layer under the offline planner, with the app layer's real run upstream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.config import ConfigError, parse
from shared.config.placeholders import placeholder
from shared.environment import parse_environment
from shared.layers import PRODUCT, STACKS_DIR, get_layer
from shared.naming import Namer
from shared.tagging import STANDARD_TAG_KEYS
from tests.conftest import DOMAIN
from tests.stacks import offline_results as upstream
from tests.stacks.conftest import stack_config
from tests.stacks.offline_results import plain
from tooling.offline import LayerResult, ProgramError, load_stack_config, run_layer

ENVIRONMENTS = ("dev", "staging", "prod", "pr-7")
EMAIL = f"ops@{DOMAIN}"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
UNTAGGABLE = {
    "pulumi:pulumi:StackReference",
    "aws:kms/alias:Alias",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:cloudwatch/dashboard:Dashboard",
}


def run_observability(environment: str, **overrides: object) -> LayerResult:
    return run_layer(
        "observability",
        environment,
        config=stack_config("observability", environment, **overrides),
        upstream={"app": upstream.app(environment), "data": upstream.data(environment)},
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[LayerResult, LayerResult]]:
    """(app, observability) per environment with the committed config; prod mails EMAIL."""
    overrides = {"prod": {"alarmEmail": EMAIL}}
    return {
        env: (upstream.app(env), run_observability(env, **overrides.get(env, {})))
        for env in ENVIRONMENTS
    }


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _dashboard(result: LayerResult) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        plain(result.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    )
    return body


def test_exports_exactly_the_contract(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    _, result = runs[env]
    outputs = result.outputs
    assert set(outputs) == set(get_layer("observability").outputs)
    assert outputs["alarm_topic_kms_key_arn"] == result.one("aws:kms/key:Key").outputs["arn"]
    assert outputs["alarm_topic_arn"] == result.one("aws:sns/topic:Topic").outputs["arn"]
    assert outputs["dashboard_name"] == Namer(PRODUCT, env).name("dashboard")
    assert outputs["dashboard_url"] == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards/dashboard/{outputs['dashboard_name']}"
    )


def test_every_taggable_resource_is_tagged(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    _, result = runs[env]
    tagged = [r for r in result.resources if r.custom and r.type not in UNTAGGABLE]
    assert len(tagged) >= 10
    for resource in tagged:
        tags = resource.inputs["tags"]
        assert set(STANDARD_TAG_KEYS) <= set(tags) and tags["Name"], resource.name
        assert (tags["Environment"], tags["Layer"]) == (env, "observability")


def test_key_rotates_and_lets_logs_sns_and_cloudwatch_use_it(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    _, result = runs[env]
    key = result.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True
    principals = {
        s["Principal"].get("Service") or s["Principal"]["AWS"]
        for s in json.loads(key["policy"])["Statement"]
    }
    assert principals == {
        "arn:aws:iam::123456789012:root",
        "logs.us-east-1.amazonaws.com",
        "sns.amazonaws.com",
        "cloudwatch.amazonaws.com",
    }
    alias = result.one("aws:kms/alias:Alias").inputs
    assert alias["name"] == f"alias/{PRODUCT}-{env}-observability"


def test_topic_is_encrypted_and_staging_and_prod_subscribe_an_email(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    _, result = runs[env]
    topic = result.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == result.outputs["alarm_topic_kms_key_arn"]
    policy = json.loads(result.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    publish = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Resource"] == topic.outputs["arn"]
    subscriptions = result.of_type("aws:sns/topicSubscription:TopicSubscription")
    if env in ("staging", "prod"):
        (subscription,) = subscriptions
        assert subscription.inputs == {
            "topic": topic.outputs["arn"],
            "protocol": "email",
            "endpoint": EMAIL if env == "prod" else f"alarms-staging@{DOMAIN}",
        }
    else:
        assert subscriptions == []


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_committed_alarm_emails_are_examples_the_class_refuses(env: str) -> None:
    text = (STACKS_DIR / "observability" / f"Pulumi.{env}.yaml").read_text()
    assert "EXAMPLE VALUE, replace before deploying" in text
    committed = load_stack_config("observability", env)["observability:alarmEmail"]
    assert parse_environment(env).profile.refuse_placeholders
    assert placeholder(committed) is not None


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_alarms_without_a_destination_are_refused(env: str) -> None:
    with pytest.raises(ProgramError) as raised:
        run_layer(
            "observability",
            env,
            config={"aws:region": "us-east-1"},
            upstream={"app": upstream.app(env), "data": upstream.data(env)},
        )
    message = str(raised.value)
    assert f"{env}'s alarms must reach someone" in message
    assert "observability:alarmEmail" in message and "observability:alarmTopicArn" in message
    assert "Traceback" not in message


@pytest.mark.parametrize("env", ["dev", "pr-7"])
def test_short_lived_environments_may_alarm_to_the_topic_alone(env: str) -> None:
    parse("observability", {}, stack=env)


def test_an_existing_topic_is_notified_as_well_and_suffices_in_prod() -> None:
    existing = "arn:aws:sns:us-east-1:123456789012:pager"
    result = run_layer(
        "observability",
        "prod",
        config={"aws:region": "us-east-1", "observability:alarmTopicArn": existing},
        upstream={"app": upstream.app("prod"), "data": upstream.data("prod")},
    )
    assert result.of_type("aws:sns/topicSubscription:TopicSubscription") == []
    actions = [result.outputs["alarm_topic_arn"], existing]
    for alarm in result.of_type(ALARM):
        assert alarm.inputs["alarmActions"] == actions == alarm.inputs["okActions"]


@pytest.mark.parametrize(
    "arn", ["arn:aws:sns:us-east-1:123:pager", "arn:aws:sns:us-east-1:123456789012:p.fifo", "pager"]
)
def test_a_bad_alarm_topic_arn_is_a_clear_config_error(arn: str) -> None:
    with pytest.raises(ConfigError, match=r"observability:alarmTopicArn .* existing standard SNS"):
        parse("observability", {"observability:alarmTopicArn": arn}, stack="dev")


@pytest.mark.parametrize("email", ["ops", "ops@", "ops@example", "ops example@x.com"])
def test_a_bad_alarm_email_is_a_clear_config_error(email: str) -> None:
    with pytest.raises(ConfigError, match=r"observability:alarmEmail .* must be an email address"):
        parse("observability", {"observability:alarmEmail": email}, stack="dev")


REQUIRED_METRICS = {
    ("AWS/ApplicationELB", "RequestCount"),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
    ("AWS/ApplicationELB", "TargetResponseTime"),
    ("AWS/ApplicationELB", "HealthyHostCount"),
    ("AWS/ApplicationELB", "UnHealthyHostCount"),
    ("AWS/ECS", "CPUUtilization"),
    ("AWS/ECS", "MemoryUtilization"),
    ("ECS/ContainerInsights", "RunningTaskCount"),
    ("AWS/RDS", "CPUUtilization"),
    ("AWS/RDS", "DatabaseConnections"),
    ("AWS/RDS", "FreeableMemory"),
    ("AWS/RDS", "AuroraReplicaLagMaximum"),
}


def _expected_dimensions(env: str, app: LayerResult) -> dict[str, dict[str, str]]:
    """Per namespace, the dimensions every metric must use, taken from the upstream outputs."""
    outputs = app.outputs
    lb = {"LoadBalancer": outputs["alb_arn_suffix"]}
    service = {
        "ClusterName": outputs["ecs_cluster_name"],
        "ServiceName": outputs["ecs_service_name"],
    }
    return {
        "AWS/ApplicationELB": lb,
        "AWS/ECS": service,
        "ECS/ContainerInsights": service,
        "AWS/RDS": {"DBClusterIdentifier": upstream.data(env).outputs["db_cluster_identifier"]},
        f"{PRODUCT}/{env}": {},
    }


def test_dashboard_watches_every_signal_with_upstream_dimensions(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    app, result = runs[env]
    body = _dashboard(result)
    expected = _expected_dimensions(env, app)
    seen = set()
    for widget in body["widgets"]:
        assert widget["type"] == "metric"
        assert widget["properties"]["region"] == "us-east-1"
        for metric in widget["properties"]["metrics"]:
            *path, options = metric
            namespace, name, *flat = path
            dimensions = dict(zip(flat[::2], flat[1::2], strict=True))
            assert "stat" in options
            if name in ("HealthyHostCount", "UnHealthyHostCount"):
                assert dimensions == {
                    **expected[namespace],
                    "TargetGroup": app.outputs["target_group_arn_suffix"],
                }
            else:
                assert dimensions == expected[namespace], (namespace, name)
            seen.add((namespace, name))
    assert seen >= REQUIRED_METRICS
    assert any(w["properties"]["metrics"][0][-1]["stat"] == "p95" for w in body["widgets"])
    # Widgets tile the grid without overlapping.
    cells = [(w["x"], w["y"]) for w in body["widgets"]]
    assert len(set(cells)) == len(cells) and all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_alarms_notify_the_topic_with_profile_thresholds(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    _, result = runs[env]
    thresholds = parse_environment(env).profile.alarms
    alarms = {r.name: r.inputs for r in result.of_type(ALARM)}
    assert sorted(result.outputs["alarm_names"]) == sorted(a["name"] for a in alarms.values())
    assert all(name.startswith(f"{PRODUCT}-{env}-") for name in result.outputs["alarm_names"])
    topic = result.outputs["alarm_topic_arn"]
    for alarm in alarms.values():
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic]
        assert alarm["treatMissingData"] in ("missing", "notBreaching")
        assert alarm["alarmDescription"]
    assert {key: alarms[key]["threshold"] for key in alarms} == {
        "alb-5xx": thresholds.alb_5xx_per_minute,
        "unhealthy-hosts": thresholds.unhealthy_hosts,
        "target-response-time-p95": thresholds.target_response_time_p95_seconds,
        "ecs-cpu-high": thresholds.ecs_cpu_percent,
        "ecs-memory-high": thresholds.ecs_memory_percent,
        "aurora-cpu-high": thresholds.db_cpu_percent,
        "aurora-freeable-memory-low": thresholds.db_freeable_memory_bytes,
        "app-errors": thresholds.app_errors_per_5_minutes,
    }
    assert alarms["aurora-freeable-memory-low"]["comparisonOperator"] == "LessThanThreshold"
    assert alarms["target-response-time-p95"]["extendedStatistic"] == "p95"
    assert alarms["alb-5xx"]["treatMissingData"] == "notBreaching"


def test_alarm_dimensions_match_upstream(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    app, result = runs[env]
    expected = _expected_dimensions(env, app)
    for alarm in result.of_type(ALARM):
        inputs = alarm.inputs
        if "metricQueries" in inputs:
            metrics = [q["metric"] for q in inputs["metricQueries"] if "metric" in q]
            (total,) = [q for q in inputs["metricQueries"] if q.get("returnData")]
            assert {q["id"] for q in inputs["metricQueries"] if "metric" in q} <= set(
                total["expression"].replace("(", " ").replace(")", " ").replace(",", " ").split()
            )
        else:
            metrics = [inputs]
        for metric in metrics:
            namespace = metric["namespace"]
            extra = (
                {"TargetGroup": app.outputs["target_group_arn_suffix"]}
                if alarm.name == "unhealthy-hosts"
                else {}
            )
            assert metric["dimensions"] == {**expected[namespace], **extra}, alarm.name


def test_error_lines_become_a_metric_that_is_alarmed(
    runs: dict[str, tuple[LayerResult, LayerResult]], env: str
) -> None:
    app, result = runs[env]
    flt = result.one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs
    assert flt["logGroupName"] == app.outputs["app_log_group_name"]
    assert flt["pattern"] == "ERROR"
    transformation = flt["metricTransformation"]
    alarm = next(r.inputs for r in result.of_type(ALARM) if r.name == "app-errors")
    assert (alarm["namespace"], alarm["metricName"]) == (
        transformation["namespace"],
        transformation["name"],
    )
    assert (alarm["period"], alarm["statistic"]) == (300, "Sum")
