import json
from typing import Any

import pytest

from shared.aws import engine_versions
from shared.config.schemas import DEFAULT_ENGINE_VERSION
from shared.environment import parse_environment
from shared.layers import ALB_ACCESS_LOG_PREFIX, get_layer
from shared.naming import NAME_RULES
from shared.tagging import STANDARD_TAG_KEYS
from tests.stacks.conftest import stack_config
from tooling.offline import LayerResult, ProgramError, run_layer
from tooling.offline.mocks import ACCOUNT_ID

ENVIRONMENTS = ("dev", "staging", "prod", "pr-7")
UNTAGGABLE = {
    "aws:kms/alias:Alias",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
}
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
BUCKET = "aws:s3/bucket:Bucket"


@pytest.fixture(scope="module")
def networks() -> dict[str, LayerResult]:
    return {
        env: run_layer("network", env, config=stack_config("network", env)) for env in ENVIRONMENTS
    }


def run_data(
    environment: str, networks: dict[str, LayerResult], **overrides: object
) -> LayerResult:
    return run_layer(
        "data",
        environment,
        config=stack_config("data", environment, **overrides),
        upstream={"network": networks[environment]},
    )


@pytest.fixture(scope="module")
def datas(networks: dict[str, LayerResult]) -> dict[str, LayerResult]:
    return {env: run_data(env, networks) for env in ENVIRONMENTS}


@pytest.fixture(params=ENVIRONMENTS)
def data(request: pytest.FixtureRequest, datas: dict[str, LayerResult]) -> LayerResult:
    return datas[request.param]


def cluster_of(data: LayerResult) -> dict[str, Any]:
    return data.one(CLUSTER).inputs


def test_exports_exactly_the_data_contract_with_the_secret_as_a_secret(data: LayerResult) -> None:
    layer = get_layer("data")
    assert set(data.outputs) == set(layer.outputs)
    assert all(value not in (None, "") for value in data.outputs.values())
    assert data.secret_outputs == set(layer.secret_outputs) == {"db_master_secret_arn"}
    assert data.outputs["db_master_secret_arn"].startswith("arn:aws:secretsmanager:")


def test_every_taggable_resource_has_the_standard_tags_and_a_name(data: LayerResult) -> None:
    tagged = [r for r in data.resources if r.custom and r.type not in UNTAGGABLE]
    assert len(tagged) >= 6
    for resource in tagged:
        tags = resource.inputs.get("tags")
        assert isinstance(tags, dict), resource.name
        assert set(STANDARD_TAG_KEYS) | {"Name"} <= set(tags), resource.name
        assert tags["Environment"] == data.stack and tags["Layer"] == "data"


def test_aurora_postgresql_with_an_rds_managed_password_and_encrypted_storage(
    data: LayerResult,
) -> None:
    cluster = cluster_of(data)
    assert cluster["engine"] == "aurora-postgresql"
    assert cluster["engineVersion"] == DEFAULT_ENGINE_VERSION
    assert cluster["manageMasterUserPassword"] is True
    assert cluster["storageEncrypted"] is True
    assert (
        cluster["kmsKeyId"] == data.outputs["db_kms_key_arn"] == cluster["masterUserSecretKmsKeyId"]
    )
    assert cluster["copyTagsToSnapshot"] is True
    assert cluster["enabledCloudwatchLogsExports"] == ["postgresql"]
    assert not NAME_RULES["rds-cluster"].problems(cluster["clusterIdentifier"])
    key = data.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True


def test_no_password_anywhere_in_inputs_or_outputs(data: LayerResult) -> None:
    for resource in data.resources:
        assert "masterPassword" not in resource.inputs
        assert "masterPasswordWo" not in resource.inputs
    assert "password" not in json.dumps(data.outputs).lower()


def test_the_cluster_sits_on_the_network_layers_database_subnets_and_group(
    networks: dict[str, LayerResult], data: LayerResult
) -> None:
    network = networks[data.stack]
    subnet_group = data.one("aws:rds/subnetGroup:SubnetGroup").inputs
    assert subnet_group["subnetIds"] == network.outputs["database_subnet_ids"]
    assert not NAME_RULES["db-subnet-group"].problems(subnet_group["name"])
    assert cluster_of(data)["vpcSecurityGroupIds"] == [network.outputs["db_security_group_id"]]
    assert cluster_of(data)["dbSubnetGroupName"] == subnet_group["name"]


def test_the_parameter_group_forces_tls(data: LayerResult) -> None:
    group = data.one("aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs
    assert group["family"] == "aurora-postgresql16"
    assert {"name": "rds.force_ssl", "value": "1"} in group["parameters"]
    assert not NAME_RULES["db-parameter-group"].problems(group["name"])
    assert cluster_of(data)["dbClusterParameterGroupName"] == group["name"]


@pytest.mark.parametrize(
    ("environment", "days"), [("dev", 7), ("staging", 14), ("prod", 30), ("pr-7", 1)]
)
def test_backup_retention_by_environment(
    datas: dict[str, LayerResult], environment: str, days: int
) -> None:
    assert cluster_of(datas[environment])["backupRetentionPeriod"] == days


def test_prod_keeps_a_final_snapshot_and_is_protected(datas: dict[str, LayerResult]) -> None:
    prod = datas["prod"].one(CLUSTER)
    assert prod.inputs["skipFinalSnapshot"] is False
    assert prod.inputs["deletionProtection"] is True
    assert prod.protect is True
    snapshot = prod.inputs["finalSnapshotIdentifier"]
    assert snapshot.startswith("platform-prod-db-final-")
    assert not NAME_RULES["db-snapshot"].problems(snapshot)
    assert datas["prod"].one("aws:kms/key:Key").protect is True


def test_the_default_engine_version_is_one_new_clusters_may_use(data: LayerResult) -> None:
    assert not engine_versions.is_deprecated("aurora-postgresql", DEFAULT_ENGINE_VERSION)
    assert engine_versions.is_known("aurora-postgresql", DEFAULT_ENGINE_VERSION)
    assert cluster_of(data)["engineVersion"] == DEFAULT_ENGINE_VERSION
    family = data.one("aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs["family"]
    assert family == f"aurora-postgresql{DEFAULT_ENGINE_VERSION.split('.')[0]}"


@pytest.mark.parametrize(
    ("version", "why"),
    [
        ("16.4", "aurora-postgresql 16.4 is deprecated for new clusters"),
        ("16", "aurora-postgresql 16 is deprecated for new clusters"),
        ("11.9", "aurora-postgresql 11.9 is older than the deprecated 11.20"),
    ],
)
def test_deprecated_engine_versions_are_refused_from_aws_data(
    networks: dict[str, LayerResult], version: str, why: str
) -> None:
    with pytest.raises(ProgramError) as error:
        run_data("dev", networks, engineVersion=version)
    message = str(error.value)
    assert f"data:engineVersion = '{version}' is invalid: {why}" in message
    assert "or newer" in message and "Traceback" not in message


def test_a_current_minor_is_accepted(networks: dict[str, LayerResult]) -> None:
    assert cluster_of(run_data("dev", networks, engineVersion="16.8"))["engineVersion"] == "16.8"


def test_instances_leave_the_engine_version_to_their_cluster(data: LayerResult) -> None:
    # An instance's engine_version is the cluster's: set on the instance too, a minor upgrade of
    # the cluster shows as a diff on every instance, and the provider upgrades them one by one.
    assert data.of_type(INSTANCE)
    assert all("engineVersion" not in r.inputs for r in data.of_type(INSTANCE))


def test_pulumi_protect_agrees_with_aws_deletion_protection(data: LayerResult) -> None:
    cluster = data.one(CLUSTER)
    assert cluster.protect is cluster.inputs["deletionProtection"]
    # AWS has no deletion protection for an instance; a protected one would make lowering
    # data:instanceCount fail instead of removing the last reader.
    assert not any(r.protect for r in data.of_type(INSTANCE))


def test_instances_wait_for_the_monitoring_policy_attachment(
    datas: dict[str, LayerResult],
) -> None:
    prod = datas["prod"]
    (attachment,) = prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    for instance in prod.of_type(INSTANCE):
        assert attachment.urn in instance.dependencies, instance.name


@pytest.mark.parametrize("environment", ["dev", "staging", "pr-7"])
def test_other_environments_skip_the_final_snapshot_and_stay_deletable(
    datas: dict[str, LayerResult], environment: str
) -> None:
    cluster = datas[environment].one(CLUSTER)
    assert cluster.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in cluster.inputs
    assert cluster.inputs["deletionProtection"] is False and cluster.protect is False


def test_the_final_snapshot_name_is_stable_per_key_and_differs_between_keys(
    networks: dict[str, LayerResult], datas: dict[str, LayerResult]
) -> None:
    again = run_data("prod", networks)
    assert (
        cluster_of(again)["finalSnapshotIdentifier"]
        == cluster_of(datas["prod"])["finalSnapshotIdentifier"]
    )
    staging = run_data("staging", networks, skipFinalSnapshot=True)
    staging_kept = run_data("staging", networks, skipFinalSnapshot=False)
    assert "finalSnapshotIdentifier" not in cluster_of(staging)
    assert cluster_of(staging_kept)["finalSnapshotIdentifier"].startswith(
        "platform-staging-db-final-"
    )
    assert (
        cluster_of(staging_kept)["finalSnapshotIdentifier"][-8:]
        != cluster_of(datas["prod"])["finalSnapshotIdentifier"][-8:]
    )


@pytest.mark.parametrize(
    ("environment", "count", "instance_class", "insights"),
    [
        ("dev", 1, "db.t4g.medium", False),
        ("staging", 2, "db.t4g.medium", False),
        ("prod", 2, "db.r6g.large", True),
        ("pr-7", 1, "db.t4g.medium", False),
    ],
)
def test_instances_by_environment(
    datas: dict[str, LayerResult], environment: str, count: int, instance_class: str, insights: bool
) -> None:
    data = datas[environment]
    instances = [r.inputs for r in data.of_type(INSTANCE)]
    assert len(instances) == count
    for instance in instances:
        assert instance["instanceClass"] == instance_class
        assert instance["publiclyAccessible"] is False
        assert instance["performanceInsightsEnabled"] is insights
        assert instance["monitoringInterval"] == (60 if insights else 0)
        assert bool(instance.get("monitoringRoleArn")) is insights
        assert not NAME_RULES["rds-instance"].problems(instance["identifier"])
        # Not applicable to Aurora instances (AWS::RDS::DBInstance; cfn-lint E3682).
        assert "copyTagsToSnapshot" not in instance
    assert len(data.of_type("aws:iam/role:Role")) == (1 if insights else 0)


@pytest.mark.parametrize(
    ("environment", "days"), [("dev", 14), ("staging", 30), ("prod", 365), ("pr-7", 3)]
)
def test_the_rds_log_group_is_declared_encrypted_with_retention_before_the_cluster(
    networks: dict[str, LayerResult], datas: dict[str, LayerResult], environment: str, days: int
) -> None:
    data = datas[environment]
    cluster = data.one(CLUSTER)
    assert cluster.inputs["enabledCloudwatchLogsExports"] == ["postgresql"]
    (group,) = data.of_type("aws:cloudwatch/logGroup:LogGroup")
    identifier = cluster.inputs["clusterIdentifier"]
    assert group.inputs["name"] == f"/aws/rds/cluster/{identifier}/postgresql"
    assert group.inputs["kmsKeyId"] == networks[environment].outputs["log_group_kms_key_arn"]
    assert group.inputs["retentionInDays"] == days
    assert group.urn in cluster.dependencies


def test_the_rds_log_retention_follows_config(networks: dict[str, LayerResult]) -> None:
    data = run_data("dev", networks, logRetentionDays=90)
    assert data.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 90


def named(data: LayerResult, type_: str, name: str) -> dict[str, Any]:
    (found,) = [r.inputs for r in data.of_type(type_) if r.name == name]
    return found


@pytest.mark.parametrize("name", ["artifacts", "access-logs"])
def test_buckets_are_private_encrypted_and_owner_enforced(data: LayerResult, name: str) -> None:
    bucket = named(data, BUCKET, name)
    assert not NAME_RULES["s3-bucket"].problems(bucket["bucket"])
    assert bucket["bucket"] == f"platform-{data.stack}-{name}-{ACCOUNT_ID}-us-east-1"
    assert bucket["forceDestroy"] is parse_environment(data.stack).profile.force_destroy_buckets
    block = named(data, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name)
    for setting in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[setting] is True
    ownership = named(data, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name)
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    encryption = named(
        data,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        name,
    )
    # ALB access log and S3 server access log delivery only write to SSE-S3 buckets.
    assert encryption["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": True}
    ]


@pytest.mark.parametrize(
    ("environment", "versioned"),
    [("dev", False), ("staging", True), ("prod", True), ("pr-7", False)],
)
def test_versioning_by_environment(
    datas: dict[str, LayerResult], environment: str, versioned: bool
) -> None:
    versioning = datas[environment].of_type("aws:s3/bucketVersioning:BucketVersioning")
    assert {v.name: v.inputs["versioningConfiguration"]["status"] for v in versioning} == (
        {"artifacts": "Enabled", "access-logs": "Enabled"} if versioned else {}
    )


def test_bucket_policy_denies_plain_http_and_admits_only_alb_log_delivery(
    data: LayerResult,
) -> None:
    policy = json.loads(named(data, "aws:s3/bucketPolicy:BucketPolicy", "artifacts")["policy"])
    arn = data.outputs["artifacts_bucket_arn"]
    deny, allow = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Resource"] == [arn, f"{arn}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert allow["Effect"] == "Allow" and allow["Action"] == "s3:PutObject"
    # us-east-1 predates the log-delivery service principal: its ELB account writes the logs.
    assert allow["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert allow["Resource"] == f"{arn}/{ALB_ACCESS_LOG_PREFIX}/AWSLogs/{ACCOUNT_ID}/*"


def test_artifacts_server_access_logs_go_to_the_log_bucket_only_s3_may_write(
    data: LayerResult,
) -> None:
    log_bucket = next(r for r in data.of_type(BUCKET) if r.name == "access-logs")
    (logging,) = data.of_type("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["bucket"] == data.outputs["artifacts_bucket_name"]
    assert logging.inputs["targetBucket"] == log_bucket.outputs["id"]
    prefix = logging.inputs["targetPrefix"]
    assert prefix == "artifacts/"
    policy = json.loads(named(data, "aws:s3/bucketPolicy:BucketPolicy", "access-logs")["policy"])
    deny, allow = policy["Statement"]
    log_arn = log_bucket.outputs["arn"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [log_arn, f"{log_arn}/*"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert (allow["Action"], allow["Resource"]) == ("s3:PutObject", f"{log_arn}/{prefix}*")
    assert allow["Condition"] == {
        "ArnLike": {"aws:SourceArn": data.outputs["artifacts_bucket_arn"]},
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
    }
    (rule,) = named(
        data, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "access-logs"
    )["rules"]
    assert rule["expiration"]["days"] == parse_environment(data.stack).profile.log_retention_days
    # The log bucket does not log itself (every log write would be logged again).
    assert len(data.of_type("aws:s3/bucketLogging:BucketLogging")) == 1


def test_lifecycle_transitions_expires_old_versions_and_aborts_uploads(data: LayerResult) -> None:
    rules = {
        rule["id"]: rule
        for rule in named(
            data, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "artifacts"
        )["rules"]
    }
    artifacts = rules["artifacts"]
    assert artifacts["status"] == "Enabled"
    assert [t["storageClass"] for t in artifacts["transitions"]] == ["STANDARD_IA", "GLACIER_IR"]
    assert artifacts["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert artifacts["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rules["alb-access-logs"]["filter"] == {"prefix": f"{ALB_ACCESS_LOG_PREFIX}/"}
    assert rules["alb-access-logs"]["expiration"]["days"] > 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"instanceClass": "db.t3.micro"},
            "data:instanceClass = 'db.t3.micro' is invalid: aurora-postgresql does not support "
            "db.t3.micro in us-east-1 (AWS orderable-class data via cfn-lint; burstable classes "
            "there: db.t3.large, db.t3.medium, db.t4g.large, db.t4g.medium)",
        ),
        (
            {"backupRetentionDays": 36},
            "data:backupRetentionDays = '36' is invalid: must be a whole number from 1 to 35",
        ),
        (
            {"backupRetentionDays": 0},
            "data:backupRetentionDays = '0' is invalid: must be a whole number from 1 to 35",
        ),
        (
            {"monitoringInterval": 45},
            "data:monitoringInterval = '45' is invalid: must be one of: 0, 1, 5, 10, 15, 30, 60",
        ),
    ],
)
def test_config_mistakes_end_in_one_clear_message(
    networks: dict[str, LayerResult], overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ProgramError) as error:
        run_data("dev", networks, **overrides)
    assert str(error.value) == f"layer data (stack dev) failed: ConfigError: {message}"


def test_retention_override_within_range(networks: dict[str, LayerResult]) -> None:
    assert (
        cluster_of(run_data("dev", networks, backupRetentionDays=35))["backupRetentionPeriod"] == 35
    )


def test_without_the_network_stack_the_reference_fails_loudly() -> None:
    with pytest.raises(ProgramError, match="organization/network/dev"):
        run_layer("data", "dev", config=stack_config("data", "dev"))
