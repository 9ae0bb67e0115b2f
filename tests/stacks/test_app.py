"""The app layer under the offline planner, for dev, staging, prod and a PR environment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.config import AppConfig, ConfigError, parse
from shared.environment import PROFILES, parse_environment
from shared.layers import ALB_ACCESS_LOG_PREFIX, PRODUCT, STACKS_DIR, get_layer
from shared.naming import NAME_RULES, Namer
from shared.tagging import STANDARD_TAG_KEYS
from stacks.app import app_documents
from tests.conftest import DOMAIN, committed_config
from tests.stacks import offline_results as upstream
from tests.stacks.offline_results import is_secret, plain
from tooling.offline import (
    LayerResult,
    ProgramError,
    StackConfigError,
    load_stack_config,
    run_layer,
)

ENVIRONMENTS = ("dev", "staging", "prod", "pr-7")
CONFIG, CERT, ZONE = upstream.APP_CONFIG, upstream.CERT, upstream.ZONE
# Resource types AWS cannot tag; every other resource must carry the standard tags and a Name.
UNTAGGABLE = {
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:route53/record:Record",
    "aws:appautoscaling/policy:Policy",
    "aws:acm/certificateValidation:CertificateValidation",
}
LISTENER, CERTIFICATE = "aws:lb/listener:Listener", "aws:acm/certificate:Certificate"
RECORD = "aws:route53/record:Record"


@pytest.fixture(scope="module")
def results() -> dict[str, LayerResult]:
    return {env: upstream.app(env) for env in ENVIRONMENTS}


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _profile(env: str) -> Any:
    return parse_environment(env).profile


def _json(value: Any) -> Any:
    return json.loads(plain(value))


def test_exports_exactly_the_contract(results: dict[str, LayerResult], env: str) -> None:
    outputs = results[env].outputs
    assert set(outputs) == set(get_layer("app").outputs)
    assert all(value not in (None, "") for value in outputs.values())
    assert outputs["alb_arn"].endswith(outputs["alb_arn_suffix"])
    assert outputs["target_group_arn"].endswith(outputs["target_group_arn_suffix"])
    assert outputs["app_log_group_name"] == f"/{PRODUCT}/{env}/app"


def test_every_taggable_resource_is_tagged(results: dict[str, LayerResult], env: str) -> None:
    tagged = [
        r
        for r in results[env].resources
        if r.custom and r.type not in UNTAGGABLE and r.type != "pulumi:pulumi:StackReference"
    ]
    assert len(tagged) >= 9
    for resource in tagged:
        tags = resource.inputs.get("tags") or {}
        assert set(STANDARD_TAG_KEYS) <= set(tags), resource.name
        assert tags["Environment"] == env and tags["Layer"] == "app" and tags["Name"]


def test_cluster_has_container_insights_and_fargate_spot_only_where_allowed(
    results: dict[str, LayerResult], env: str
) -> None:
    result = results[env]
    cluster = result.one("aws:ecs/cluster:Cluster")
    assert {"name": "containerInsights", "value": "enabled"} in cluster.inputs["settings"]
    providers = result.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    strategy = result.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"]
    used = {s["capacityProvider"] for s in strategy}
    if _profile(env).fargate_spot:
        assert env in ("dev", "pr-7")
        assert "FARGATE_SPOT" in providers["capacityProviders"] and used == {"FARGATE_SPOT"}
    else:
        assert providers["capacityProviders"] == ["FARGATE"] and used == {"FARGATE"}


def test_log_group_uses_network_logs_key_and_profile_retention(
    results: dict[str, LayerResult], env: str
) -> None:
    group = results[env].one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["kmsKeyId"] == upstream.network(env).outputs["log_group_kms_key_arn"]
    assert group["retentionInDays"] == _profile(env).log_retention_days


def test_task_definition(results: dict[str, LayerResult], env: str) -> None:
    task = results[env].one("aws:ecs/taskDefinition:TaskDefinition").inputs
    profile, data = _profile(env), upstream.data(env).outputs
    assert (task["cpu"], task["memory"]) == (str(profile.ecs_cpu), str(profile.ecs_memory))
    assert task["networkMode"] == "awsvpc" and task["requiresCompatibilities"] == ["FARGATE"]
    # The definition embeds the secret ARN, so Pulumi keeps the whole document secret.
    assert is_secret(task["containerDefinitions"])
    (container,) = _json(task["containerDefinitions"])
    assert container["name"] == app_documents.CONTAINER_NAME
    assert container["image"] == "public.ecr.aws/nginx/nginx:1.27"
    assert container["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]
    assert container["healthCheck"]["command"][0] == "CMD-SHELL"
    assert "http://localhost:80/" in container["healthCheck"]["command"][1]
    assert {e["name"]: e["value"] for e in container["environment"]} == {
        "DB_HOST": data["db_endpoint"],
        "DB_PORT": "5432",
        "DB_NAME": data["db_name"],
    }
    secret = data["db_master_secret_arn"]
    assert container["secrets"] == [
        {"name": "DB_USERNAME", "valueFrom": f"{secret}:username::"},
        {"name": "DB_PASSWORD", "valueFrom": f"{secret}:password::"},
    ]
    options = container["logConfiguration"]["options"]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert options["awslogs-group"] == results[env].outputs["app_log_group_name"]
    assert options["awslogs-region"] == "us-east-1"


def test_execution_role_reads_only_the_db_secret_and_its_key(
    results: dict[str, LayerResult], env: str
) -> None:
    result, data = results[env], upstream.data(env).outputs
    log_group_arn = result.one("aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    (policy,) = [
        p for p in result.of_type("aws:iam/rolePolicy:RolePolicy") if "execution" in p.name
    ]
    execution = next(r for r in result.of_type("aws:iam/role:Role") if "execution" in r.name)
    assert policy.inputs["role"] == execution.inputs["name"]
    document = _json(policy.inputs["policy"])
    by_action = {
        action: statement["Resource"]
        for statement in document["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert by_action == {
        "logs:CreateLogStream": f"{log_group_arn}:log-stream:*",
        "logs:PutLogEvents": f"{log_group_arn}:log-stream:*",
        "secretsmanager:GetSecretValue": data["db_master_secret_arn"],
        "kms:Decrypt": data["db_kms_key_arn"],
    }
    assert all(s["Effect"] == "Allow" for s in document["Statement"])


def test_task_role_has_no_permissions(results: dict[str, LayerResult], env: str) -> None:
    result = results[env]
    roles = {r.name: r for r in result.of_type("aws:iam/role:Role")}
    assert set(roles) == {"execution-role", "task-role", "restart", "rotation-events"}
    task_role_id = roles["task-role"].inputs["name"]
    assert all(
        p.inputs["role"] != task_role_id for p in result.of_type("aws:iam/rolePolicy:RolePolicy")
    )
    assert not result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    trust = _json(roles["task-role"].inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_private_ecr_image_adds_pull_rights_scoped_to_its_repository() -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.4.2"
    document = app_documents.execution_role_policy(
        log_group_arn="lg", db_secret_arn="s", db_kms_key_arn="k", image=image
    )
    resources = {s["Sid"]: s["Resource"] for s in document["Statement"]}
    assert resources["PullImage"] == "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
    # The only "*": ECR's login call has no resource-level permissions.
    assert [sid for sid, res in resources.items() if res == "*"] == ["EcrLogin"]
    assert app_documents.ecr_repository_arn("public.ecr.aws/nginx/nginx:1.27") is None


def test_service(results: dict[str, LayerResult], env: str) -> None:
    result, network = results[env], upstream.network(env).outputs
    service = result.one("aws:ecs/service:Service")
    inputs, profile = service.inputs, _profile(env)
    assert inputs["desiredCount"] == profile.desired_count
    assert inputs["networkConfiguration"] == {
        "subnets": network["private_subnet_ids"],
        "securityGroups": [network["app_security_group_id"]],
        "assignPublicIp": False,
    }
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["deploymentMinimumHealthyPercent"] == 100
    assert inputs["deploymentMaximumPercent"] == 200
    assert inputs["healthCheckGracePeriodSeconds"] > 0
    (lb,) = inputs["loadBalancers"]
    assert lb["targetGroupArn"] == result.outputs["target_group_arn"]
    assert (lb["containerName"], lb["containerPort"]) == (app_documents.CONTAINER_NAME, 80)
    assert inputs["taskDefinition"] == result.outputs["task_definition_arn"]


def _policy_of(result: LayerResult, name: str) -> dict[str, Any]:
    (policy,) = [p for p in result.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == name]
    document: dict[str, Any] = _json(policy.inputs["policy"])
    return document


def test_a_password_rotation_restarts_the_service(
    results: dict[str, LayerResult], env: str
) -> None:
    result, secret = results[env], upstream.data(env).outputs["db_master_secret_arn"]
    service = result.one("aws:ecs/service:Service")
    rule = result.one("aws:cloudwatch/eventRule:EventRule")
    pattern = _json(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.secretsmanager"]
    assert pattern["detail"]["eventName"] == ["RotationSucceeded"]
    assert pattern["detail"]["additionalEventData"] == {"SecretId": [secret]}
    machine = result.one("aws:sfn/stateMachine:StateMachine")
    target = result.one("aws:cloudwatch/eventTarget:EventTarget").inputs
    assert (target["rule"], target["arn"]) == (rule.inputs["name"], machine.outputs["arn"])
    (state,) = _json(machine.inputs["definition"])["States"].values()
    assert state["Resource"] == "arn:aws:states:::aws-sdk:ecs:updateService"
    assert state["Parameters"] == {
        "Cluster": result.outputs["ecs_cluster_arn"],
        "Service": result.outputs["ecs_service_name"],
        "ForceNewDeployment": True,
    }
    # Each role may do exactly its one step, on exactly its one resource.
    (restart,) = _policy_of(result, "restart")["Statement"]
    assert (restart["Action"], restart["Resource"]) == ("ecs:UpdateService", service.outputs["id"])
    (start,) = _policy_of(result, "rotation-events")["Statement"]
    assert (start["Action"], start["Resource"]) == ("states:StartExecution", machine.outputs["arn"])
    roles = {r.outputs["arn"]: r for r in result.of_type("aws:iam/role:Role")}
    trusted = {
        arn: _json(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]
        for arn, role in roles.items()
    }
    assert trusted[machine.inputs["roleArn"]] == "states.amazonaws.com"
    assert trusted[target["roleArn"]] == "events.amazonaws.com"


def test_cpu_autoscaling_only_where_the_profile_wants_it(
    results: dict[str, LayerResult], env: str
) -> None:
    result, profile = results[env], _profile(env)
    targets = result.of_type("aws:appautoscaling/target:Target")
    policies = result.of_type("aws:appautoscaling/policy:Policy")
    if not profile.autoscaling:
        assert env in ("dev", "pr-7") and not targets and not policies
        return
    (target,), (policy,) = targets, policies
    outputs = result.outputs
    assert target.inputs["resourceId"] == (
        f"service/{outputs['ecs_cluster_name']}/{outputs['ecs_service_name']}"
    )
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (
        profile.desired_count,
        profile.max_count,
    )
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert tracking["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ECSServiceAverageCPUUtilization"
    }


def test_alb(results: dict[str, LayerResult], env: str) -> None:
    result, network, data = results[env], upstream.network(env).outputs, upstream.data(env).outputs
    alb = result.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["subnets"] == network["public_subnet_ids"]
    assert alb["securityGroups"] == [network["alb_security_group_id"]]
    assert alb["dropInvalidHeaderFields"] is True and alb["internal"] is False
    assert alb["enableDeletionProtection"] is (env == "prod")
    # Pulumi's protect agrees with AWS's, so destroy-all reports the ALB kept instead of failing.
    assert result.one("aws:lb/loadBalancer:LoadBalancer").protect is (env == "prod")
    if env == "prod":
        assert alb["accessLogs"] == {
            "bucket": data["artifacts_bucket_name"],
            "prefix": ALB_ACCESS_LOG_PREFIX,
            "enabled": True,
        }
    else:
        assert "accessLogs" not in alb
    group = result.one("aws:lb/targetGroup:TargetGroup").inputs
    assert (group["targetType"], group["vpcId"]) == ("ip", network["vpc_id"])
    assert group["healthCheck"]["path"] == "/"


def _listeners(result: LayerResult) -> dict[int, dict[str, Any]]:
    return {int(r.inputs["port"]): r.inputs for r in result.of_type(LISTENER)}


def test_listeners_https_with_redirect_when_a_certificate_is_set(
    results: dict[str, LayerResult], env: str
) -> None:
    result = results[env]
    listeners = _listeners(result)
    if env != "dev":
        assert set(listeners) == {80, 443}
        https = listeners[443]
        expected = CONFIG[env].get("app:certificateArn") or _validated_certificate(result)
        assert (https["protocol"], https["certificateArn"]) == ("HTTPS", expected)
        assert https["sslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")
        assert https["defaultActions"][0]["targetGroupArn"] == result.outputs["target_group_arn"]
        redirect = listeners[80]["defaultActions"][0]
        assert redirect["type"] == "redirect"
        assert redirect["redirect"] == {
            "protocol": "HTTPS",
            "port": "443",
            "statusCode": "HTTP_301",
        }
    else:
        assert set(listeners) == {80}
        assert listeners[80]["defaultActions"][0]["type"] == "forward"


def _validated_certificate(result: LayerResult) -> str:
    """The ARN the ACM certificate has once validation is done (what the listener must wait for)."""
    (validation,) = result.of_type("aws:acm/certificateValidation:CertificateValidation")
    return str(validation.outputs["certificateArn"])


def test_an_acm_certificate_is_validated_by_dns_in_the_zone(
    results: dict[str, LayerResult],
) -> None:
    staging = results["staging"]
    (certificate,) = staging.of_type(CERTIFICATE)
    assert certificate.inputs["domainName"] == f"staging.{upstream.DOMAIN}"
    assert certificate.inputs["validationMethod"] == "DNS"
    (option,) = certificate.outputs["domainValidationOptions"]
    (record,) = [r for r in staging.of_type(RECORD) if r.inputs["type"] == "CNAME"]
    assert record.inputs["zoneId"] == ZONE
    assert record.inputs["name"] == option["resourceRecordName"]
    assert record.inputs["records"] == [option["resourceRecordValue"]]
    (validation,) = staging.of_type("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]
    https = next(r for r in staging.of_type(LISTENER) if int(r.inputs["port"]) == 443)
    assert validation.urn in https.dependencies  # the listener waits until ACM has issued it
    # A given certificate is used as is: nothing to request or validate.
    assert not results["prod"].of_type(CERTIFICATE) and not results["pr-7"].of_type(CERTIFICATE)


def run_app(environment: str, config: dict[str, str]) -> LayerResult:
    return run_layer(
        "app",
        environment,
        config=config,
        upstream={"network": upstream.network(environment), "data": upstream.data(environment)},
    )


def test_the_committed_prod_config_plans_https_once_its_example_values_are_set() -> None:
    text = (STACKS_DIR / "app" / "Pulumi.prod.yaml").read_text()
    assert "EXAMPLE VALUES, replace before deploying" in text
    prod = run_app("prod", committed_config("app", "prod"))
    listeners = _listeners(prod)
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    assert listeners[443]["certificateArn"] == _validated_certificate(prod)
    assert prod.outputs["app_url"] == f"https://{DOMAIN}"


def test_the_committed_prod_example_values_are_refused_naming_the_file_and_key() -> None:
    with pytest.raises(StackConfigError) as raised:
        run_app("prod", load_stack_config("app", "prod"))
    message = raised.value.user_message
    assert message.startswith("app:domainName = 'example.com' is invalid: a placeholder")
    assert "RFC 2606" in message
    assert message.endswith("set this key in stacks/app/Pulumi.prod.yaml")


def test_prod_without_a_certificate_is_refused_naming_the_keys() -> None:
    with pytest.raises(ProgramError) as raised:
        run_app("prod", {"aws:region": "us-east-1"})
    message = str(raised.value)
    assert "prod serves HTTPS only" in message
    for key in ("app:certificateArn", "app:domainName", "app:hostedZoneId"):
        assert key in message
    assert "Traceback" not in message


EXPECTED_DNS = {
    "dev": (None, "http://{alb}"),
    "staging": (f"staging.{upstream.DOMAIN}", f"https://staging.{upstream.DOMAIN}"),
    "prod": (upstream.DOMAIN, f"https://{upstream.DOMAIN}"),
    "pr-7": (None, "https://{alb}"),
}


def test_route53_and_app_url(results: dict[str, LayerResult], env: str) -> None:
    result = results[env]
    record_name, url = EXPECTED_DNS[env]
    records = [r for r in result.of_type(RECORD) if r.inputs["type"] == "A"]
    assert result.outputs["app_url"] == url.format(alb=result.outputs["alb_dns_name"])
    if record_name is None:
        assert not records
        expected = "N/A-PR-Environment" if env == "pr-7" else "N/A-No-Domain"
        assert result.outputs["route53_record"] == expected
        return
    (record,) = records
    alb = result.one("aws:lb/loadBalancer:LoadBalancer").outputs
    assert (record.inputs["name"], record.inputs["type"], record.inputs["zoneId"]) == (
        record_name,
        "A",
        ZONE,
    )
    assert record.inputs["aliases"] == [
        {"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}
    ]
    assert result.outputs["route53_record"] == record_name


@pytest.mark.parametrize("env", [*ENVIRONMENTS, "pr-123456", "pr-999999999"])
def test_alb_and_target_group_names_fit_32_characters(env: str) -> None:
    names = Namer(PRODUCT, env)
    for kind in ("alb", "target-group"):
        name = names.name(kind, "app")
        assert len(name) <= 32 and not NAME_RULES[kind].problems(name), name


def test_physical_names_come_from_the_namer(results: dict[str, LayerResult], env: str) -> None:
    names, result = Namer(PRODUCT, env), results[env]
    assert result.one("aws:lb/loadBalancer:LoadBalancer").inputs["name"] == names.name("alb", "app")
    assert result.one("aws:lb/targetGroup:TargetGroup").inputs["name"] == names.name(
        "target-group", "app"
    )
    assert result.outputs["ecs_service_name"] == names.name("ecs-service", "app")


@pytest.mark.parametrize(
    ("values", "key", "hint"),
    [
        ({"app:cpu": 300}, "cpu", "256, 512, 1024"),
        ({"app:cpu": 256, "app:memory": 4096}, "memory", "512, 1024, 2048"),
        ({"app:cpu": 1024, "app:memory": 1024}, "memory", "2048-8192 MiB"),
    ],
)
def test_fargate_cpu_memory_errors_name_the_key_and_the_valid_values(
    values: dict[str, int], key: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse("app", values, stack="dev")
    assert raised.value.key == key
    assert f"app:{key}" in str(raised.value) and hint in str(raised.value)


def test_a_bad_fargate_pair_stops_the_program_with_one_clear_message() -> None:
    with pytest.raises(ProgramError) as raised:
        run_layer(
            "app",
            "dev",
            config={"app:cpu": "512", "app:memory": "512"},
            upstream={"network": upstream.network("dev"), "data": upstream.data("dev")},
        )
    assert "app:memory = '512' is invalid: with app:cpu 512 Fargate accepts 1024-4096" in str(
        raised.value
    )


def test_a_container_port_the_network_does_not_allow_stops_the_program() -> None:
    assert upstream.network("dev").outputs["app_port"] == 80
    with pytest.raises(ProgramError) as raised:
        run_layer(
            "app",
            "dev",
            config={"app:containerPort": "8080"},
            upstream={"network": upstream.network("dev"), "data": upstream.data("dev")},
        )
    assert "app:containerPort = 8080 but the network layer allows ALB -> app traffic on 80" in str(
        raised.value
    )


def test_a_network_without_nat_is_refused() -> None:
    network = run_layer(
        "network",
        "pr-7",
        config=load_stack_config("network", "pr-7") | {"network:natGateways": "none"},
    )
    assert network.outputs["nat_gateways"] == "none"
    with pytest.raises(ProgramError) as raised:
        run_layer(
            "app", "pr-7", config={}, upstream={"network": network, "data": upstream.data("pr-7")}
        )
    message = str(raised.value)
    assert "network:natGateways = none leaves the app's private subnets without internet" in message
    assert "Set network:natGateways to single" in message and "Traceback" not in message


def test_the_service_registers_on_the_port_the_network_allows() -> None:
    service = upstream.app("dev").one("aws:ecs/service:Service")
    assert service.inputs["loadBalancers"][0]["containerPort"] == 80


def test_profiles_cover_the_fargate_defaults() -> None:
    for name, profile in PROFILES.items():
        env = {"pr": "pr-1"}.get(name, name)
        config = parse("app", {}, stack=env)
        assert isinstance(config, AppConfig)
        assert (config.cpu, config.memory) == (profile.ecs_cpu, profile.ecs_memory)
