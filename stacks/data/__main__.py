"""The data layer: Aurora PostgreSQL and the artifacts bucket.

Deploys: the Aurora PostgreSQL cluster with its customer-managed KMS key, subnet and parameter
groups, the encrypted log group RDS exports its PostgreSQL log to, and instances (data_aurora),
an S3 bucket for artifacts that also receives the app layer's ALB access logs, and a bucket for
its S3 server access logs (data_artifacts).
Reads: the network layer (database subnets and security group, the KMS key for log groups).
Exports: the data contract in shared.layers (`db_master_secret_arn` as a secret).
"""

import data_artifacts
import data_aurora

from shared.config import DataConfig
from shared.context import stack_context

ctx = stack_context("data", DataConfig)
network = ctx.upstream("network")

database = data_aurora.AuroraCluster(
    "db",
    data_aurora.AuroraClusterArgs(
        labels=ctx.labels,
        config=ctx.config,
        subnet_ids=network.require("database_subnet_ids"),
        security_group_id=network.require("db_security_group_id"),
        log_group_kms_key_arn=network.require("log_group_kms_key_arn"),
    ),
)
buckets = data_artifacts.BucketSettings(
    versioned=ctx.config.artifacts_versioning,
    force_destroy=ctx.environment.profile.force_destroy_buckets,
    log_retention_days=ctx.environment.profile.log_retention_days,
)
bucket = data_artifacts.artifacts_bucket(ctx.labels, buckets)
data_artifacts.access_log_bucket(ctx.labels, buckets, bucket)

cluster = database.cluster
ctx.export(
    {
        "db_cluster_identifier": cluster.cluster_identifier,
        "db_cluster_arn": cluster.arn,
        "db_cluster_resource_id": cluster.cluster_resource_id,
        "db_endpoint": cluster.endpoint,
        "db_reader_endpoint": cluster.reader_endpoint,
        "db_port": cluster.port,
        "db_name": cluster.database_name,
        "db_master_secret_arn": database.master_secret_arn,
        "db_kms_key_arn": database.key.arn,
        "artifacts_bucket_name": bucket.bucket,
        "artifacts_bucket_arn": bucket.arn,
    }
)
