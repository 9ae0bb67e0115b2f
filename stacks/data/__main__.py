"""The data layer: Aurora PostgreSQL and the artifacts bucket.

Deploys: a customer-managed KMS key for the database, an Aurora PostgreSQL cluster (RDS-managed
master password in Secrets Manager, encrypted storage, parameter group forcing TLS) with its
instances, and an S3 bucket for artifacts that also receives the app layer's ALB access logs.
Reads: the network layer (database subnets and security group).
Exports: the data contract in shared.layers (`db_master_secret_arn` as a secret).
"""

import json

import pulumi
import pulumi_aws as aws

from shared import config, key_policies, references
from shared.layers import ALB_ACCESS_LOG_PREFIX, PRODUCT
from shared.naming import Namer, stable_hash
from shared.tagging import with_name
from shared.trust_policies import elb_log_delivery_principal, service_trust_policy

ENGINE = aws.rds.EngineType.AURORA_POSTGRESQL
POSTGRES_PORT = 5432
MASTER_USERNAME = "dbadmin"
LOG_SLOW_STATEMENTS_MS = 1000

cfg = config.load("data")
env = cfg.common.environment
account_id = aws.get_caller_identity().account_id
region = aws.get_region().region
namer = Namer(project=PRODUCT, environment=env.name, account_id=account_id, region=region)
tags = cfg.common.tags
network = references.upstream("network", env.name)
# Prod's cluster and key are protected twice: by AWS (deletion protection) and by Pulumi.
guarded = pulumi.ResourceOptions(protect=cfg.deletion_protection)

# --- encryption key: storage, the master secret, Performance Insights -------------------------------
db_key = aws.kms.Key(
    "db-key",
    description=f"{PRODUCT} {env.name}: Aurora storage, master secret, Performance Insights",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=json.dumps(
        key_policies.service_key_policy(account_id=account_id, region=region, services=[])
    ),
    tags=with_name(tags, f"{PRODUCT}-{env.name}-db"),
    # A final snapshot is encrypted with this key: keep the key when the stack goes, or the
    # snapshot could never be restored.
    opts=guarded.merge(pulumi.ResourceOptions(retain_on_delete=not cfg.skip_final_snapshot)),
)
aws.kms.Alias("db-key-alias", name=namer.name("kms-alias", "db"), target_key_id=db_key.key_id)

# --- Aurora PostgreSQL ----------------------------------------------------------------------------
subnet_group = aws.rds.SubnetGroup(
    "db",
    name=namer.name("db-subnet-group", "db"),
    description=f"{PRODUCT} {env.name}: the network layer's isolated database subnets",
    subnet_ids=network.require("database_subnet_ids"),
    tags=with_name(tags, namer.name("db-subnet-group", "db")),
)
parameter_group = aws.rds.ClusterParameterGroup(
    "db",
    name=namer.name("db-parameter-group", "cluster", f"pg{cfg.engine_version.split('.')[0]}"),
    family=f"aurora-postgresql{cfg.engine_version.split('.')[0]}",
    description=f"{PRODUCT} {env.name}: TLS only, slow statements logged",
    parameters=[
        aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
        aws.rds.ClusterParameterGroupParameterArgs(
            name="log_min_duration_statement", value=str(LOG_SLOW_STATEMENTS_MS)
        ),
    ],
    tags=with_name(tags, namer.name("db-parameter-group", "cluster")),
)
cluster_id = namer.name("rds-cluster", "db")
# Unique per cluster generation yet stable across runs: derived from this stack's own key id,
# which AWS makes unique and which only changes when the data stack is created again. A value
# that changed on every run (a timestamp) would show a diff on every `pulumi up`.
final_snapshot_id = (
    None
    if cfg.skip_final_snapshot
    else db_key.key_id.apply(
        lambda key_id: namer.name("db-snapshot", "db-final", stable_hash(key_id))
    )
)
cluster = aws.rds.Cluster(
    "db",
    cluster_identifier=cluster_id,
    engine=ENGINE,
    engine_version=cfg.engine_version,
    database_name=cfg.database_name,
    master_username=MASTER_USERNAME,
    manage_master_user_password=True,
    master_user_secret_kms_key_id=db_key.arn,
    port=POSTGRES_PORT,
    storage_encrypted=True,
    kms_key_id=db_key.arn,
    db_subnet_group_name=subnet_group.name,
    vpc_security_group_ids=[network.require("db_security_group_id")],
    db_cluster_parameter_group_name=parameter_group.name,
    backup_retention_period=cfg.backup_retention_days,
    preferred_backup_window="03:00-04:00",
    preferred_maintenance_window="sun:04:30-sun:05:30",
    skip_final_snapshot=cfg.skip_final_snapshot,
    final_snapshot_identifier=final_snapshot_id,
    deletion_protection=cfg.deletion_protection,
    copy_tags_to_snapshot=True,
    enabled_cloudwatch_logs_exports=["postgresql"],
    tags=with_name(tags, cluster_id),
    opts=guarded,
)
monitoring_role = (
    aws.iam.Role(
        "db-monitoring",
        name=namer.name("iam-role", "rds-monitoring"),
        assume_role_policy=json.dumps(
            service_trust_policy("monitoring.rds.amazonaws.com", account_id)
        ),
        tags=with_name(tags, namer.name("iam-role", "rds-monitoring")),
    )
    if cfg.monitoring_interval
    else None
)
if monitoring_role:
    aws.iam.RolePolicyAttachment(
        "db-monitoring",
        role=monitoring_role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    )
for number in range(1, cfg.instance_count + 1):
    instance_id = namer.name("rds-instance", "db", str(number))
    aws.rds.ClusterInstance(
        f"db-{number}",
        identifier=instance_id,
        cluster_identifier=cluster.id,
        engine=ENGINE,
        engine_version=cluster.engine_version,
        instance_class=cfg.instance_class,
        db_subnet_group_name=subnet_group.name,
        publicly_accessible=False,
        auto_minor_version_upgrade=True,
        performance_insights_enabled=cfg.performance_insights,
        performance_insights_kms_key_id=db_key.arn if cfg.performance_insights else None,
        performance_insights_retention_period=7 if cfg.performance_insights else None,
        monitoring_interval=cfg.monitoring_interval,
        monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
        copy_tags_to_snapshot=True,
        tags=with_name(tags, instance_id),
        opts=guarded,
    )

# --- artifacts bucket (also the app's ALB access logs: SSE-S3, as ALB log delivery requires) -------
bucket_name = namer.name("s3-bucket", "artifacts")
bucket = aws.s3.Bucket(
    "artifacts",
    bucket=bucket_name,
    force_destroy=env.profile.force_destroy_buckets,
    tags=with_name(tags, bucket_name),
)
public_access = aws.s3.BucketPublicAccessBlock(
    "artifacts",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketOwnershipControls(
    "artifacts",
    bucket=bucket.id,
    rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "artifacts",
    bucket=bucket.id,
    rules=[
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            ),
            bucket_key_enabled=True,
        )
    ],
)
versioning = (
    aws.s3.BucketVersioning(
        "artifacts",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
    )
    if cfg.artifacts_versioning
    else None
)
aws.s3.BucketPolicy(
    "artifacts",
    bucket=bucket.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "AllowAlbAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": elb_log_delivery_principal(region),
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(
                        bucket.arn, f"/{ALB_ACCESS_LOG_PREFIX}/AWSLogs/{account_id}/*"
                    ),
                },
            ],
        }
    ),
    # S3 rejects a policy written while the public access block is still being applied.
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)
aws.s3.BucketLifecycleConfiguration(
    "artifacts",
    bucket=bucket.id,
    rules=[
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="artifacts",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            transitions=[
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=30, storage_class="STANDARD_IA"
                ),
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=90, storage_class="GLACIER_IR"
                ),
            ],
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=30
            ),
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="alb-access-logs",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(
                prefix=f"{ALB_ACCESS_LOG_PREFIX}/"
            ),
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                days=env.profile.log_retention_days
            ),
        ),
    ],
    # Versioning first: S3 evaluates noncurrent-version rules against the bucket's versioning.
    opts=pulumi.ResourceOptions(depends_on=[versioning] if versioning else []),
)

pulumi.export("db_cluster_identifier", cluster.cluster_identifier)
pulumi.export("db_cluster_arn", cluster.arn)
pulumi.export("db_cluster_resource_id", cluster.cluster_resource_id)
pulumi.export("db_endpoint", cluster.endpoint)
pulumi.export("db_reader_endpoint", cluster.reader_endpoint)
pulumi.export("db_port", cluster.port)
pulumi.export("db_name", cluster.database_name)
pulumi.export(
    "db_master_secret_arn",
    pulumi.Output.secret(cluster.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)),
)
pulumi.export("db_kms_key_arn", db_key.arn)
pulumi.export("artifacts_bucket_name", bucket.bucket)
pulumi.export("artifacts_bucket_arn", bucket.arn)
