"""The Aurora PostgreSQL cluster as one component: its KMS key, subnet and parameter groups, the
log group RDS exports to, the cluster, its instances and the enhanced-monitoring role.

The master password is RDS-managed (Secrets Manager, encrypted with the cluster's key); the
parameter group forces TLS. Pulumi's `protect` follows AWS deletion protection: where
`data:deletionProtection` is on (prod), the cluster is protected by both, and so is its key. The
instances are not protected by Pulumi: AWS has no deletion protection for an instance (the data
lives in the cluster's storage), and a protected instance would make lowering `data:instanceCount`
fail instead of removing the highest-numbered reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.aws.accepted_values import POSTGRES_PORT
from shared.boundary import boundary_arn
from shared.config import DataConfig
from shared.context import LabelContext
from shared.key_policies import service_key_policy
from shared.kms import FormerNames, KmsKey, KmsKeyArgs
from shared.naming import stable_hash
from shared.trust_policies import service_trust_policy

ENGINE = aws.rds.EngineType.AURORA_POSTGRESQL
MASTER_USERNAME = "dbadmin"
LOG_SLOW_STATEMENTS_MS = 1000
MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


def rds_log_group_name(cluster_identifier: str) -> str:
    """Where RDS exports a cluster's PostgreSQL log (a name RDS fixes, not ours to choose)."""
    return f"/aws/rds/cluster/{cluster_identifier}/postgresql"


@dataclass(frozen=True)
class MonitoringRole:
    role_arn: pulumi.Output[str]
    attachment: aws.iam.RolePolicyAttachment


@dataclass(frozen=True)
class AuroraClusterArgs:
    labels: LabelContext
    config: DataConfig  # engine, sizes, retention, protection: the data layer's settings
    subnet_ids: pulumi.Input[list[str]]
    security_group_id: pulumi.Input[str]
    log_group_kms_key_arn: pulumi.Input[str]  # the network layer's key for log groups


class AuroraCluster(pulumi.ComponentResource):
    """Key, subnet group, parameter group, cluster, instances; outputs what the contract needs."""

    key: aws.kms.Key
    cluster: aws.rds.Cluster

    def __init__(
        self, name: str, args: AuroraClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:data:AuroraCluster", name, None, opts)
        labels, cfg = args.labels, args.config
        child = pulumi.ResourceOptions(parent=self)
        guarded = child.merge(pulumi.ResourceOptions(protect=cfg.deletion_protection))

        self.key = KmsKey(
            f"{name}-key",
            KmsKeyArgs(
                description=f"{labels.scope}: Aurora storage, master secret, Performance Insights",
                policy=service_key_policy(
                    account_id=labels.account_id, region=labels.region, services=[]
                ),
                alias=labels.label("kms-alias", name).name,
                tags=labels.label("name-tag", name).tags,
                protect=cfg.deletion_protection,
                # A final snapshot is encrypted with this key: keep the key when the stack goes,
                # or the snapshot could never be restored.
                retain_on_delete=not cfg.skip_final_snapshot,
                moved_from=FormerNames(key=f"{name}-key", alias=f"{name}-key-alias"),
            ),
            opts=child,
        ).key
        subnet_group, parameter_group = self._groups(name, args, child)
        # Unique per cluster generation yet stable across runs: derived from this stack's own key
        # id, which AWS makes unique and which only changes when the data stack is created again.
        # A value that changed on every run (a timestamp) would show a diff on every `pulumi up`.
        final_snapshot_id = (
            None
            if cfg.skip_final_snapshot
            else self.key.key_id.apply(
                lambda key_id: labels.namer.name(
                    "db-snapshot", f"{name}-final", stable_hash(key_id)
                )
            )
        )
        cluster_label = labels.label("rds-cluster", name)
        # RDS would create this group itself on the first export, unencrypted and kept forever,
        # and the slow statements (with their SQL text) land in it: declare it first, encrypted
        # and with a retention, and have the cluster wait for it.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-postgresql",
            name=rds_log_group_name(cluster_label.name),
            retention_in_days=cfg.log_retention_days,
            kms_key_id=args.log_group_kms_key_arn,
            tags=labels.label("name-tag", name, "postgresql").tags,
            opts=child,
        )
        self.cluster = aws.rds.Cluster(
            name,
            cluster_identifier=cluster_label.name,
            engine=ENGINE,
            engine_version=cfg.engine_version,
            database_name=cfg.database_name,
            master_username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            port=POSTGRES_PORT,
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            db_cluster_parameter_group_name=parameter_group.name,
            backup_retention_period=cfg.backup_retention_days,
            preferred_backup_window="03:00-04:00",
            preferred_maintenance_window="sun:04:30-sun:05:30",
            skip_final_snapshot=cfg.skip_final_snapshot,
            final_snapshot_identifier=final_snapshot_id,
            deletion_protection=cfg.deletion_protection,
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=["postgresql"],
            tags=cluster_label.tags,
            opts=guarded.merge(pulumi.ResourceOptions(depends_on=[log_group])),
        )
        self._instances(name, args, subnet_group, child)
        self.master_secret_arn = self.cluster.master_user_secrets.apply(
            lambda secrets: secrets[0].secret_arn
        )
        self.register_outputs({"cluster_arn": self.cluster.arn, "key_arn": self.key.arn})

    @staticmethod
    def _groups(
        name: str, args: AuroraClusterArgs, child: pulumi.ResourceOptions
    ) -> tuple[aws.rds.SubnetGroup, aws.rds.ClusterParameterGroup]:
        """The subnet group over the network layer's subnets; the parameter group forcing TLS."""
        labels, major = args.labels, args.config.engine_version.split(".")[0]
        subnet_label = labels.label("db-subnet-group", name)
        subnet_group = aws.rds.SubnetGroup(
            name,
            name=subnet_label.name,
            description=f"{labels.scope}: the network layer's isolated database subnets",
            subnet_ids=args.subnet_ids,
            tags=subnet_label.tags,
            opts=child,
        )
        parameters_label = labels.label("db-parameter-group", "cluster", f"pg{major}")
        parameter_group = aws.rds.ClusterParameterGroup(
            name,
            name=parameters_label.name,
            family=f"aurora-postgresql{major}",
            description=f"{labels.scope}: TLS only, slow statements logged",
            parameters=[
                aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
                aws.rds.ClusterParameterGroupParameterArgs(
                    name="log_min_duration_statement", value=str(LOG_SLOW_STATEMENTS_MS)
                ),
            ],
            tags=parameters_label.tags,
            opts=child,
        )
        return subnet_group, parameter_group

    def _instances(
        self,
        name: str,
        args: AuroraClusterArgs,
        subnet_group: aws.rds.SubnetGroup,
        child: pulumi.ResourceOptions,
    ) -> None:
        """`data:instanceCount` instances, numbered from 1 (the writer first, then readers)."""
        labels, cfg = args.labels, args.config
        # RDS checks the role's permissions when an instance starts monitoring: the instances wait
        # for the policy attachment, not only for the role.
        monitoring = self._monitoring_role(name, labels, child) if cfg.monitoring_interval else None
        for number in range(1, cfg.instance_count + 1):
            instance_label = labels.label("rds-instance", name, str(number))
            aws.rds.ClusterInstance(
                f"{name}-{number}",
                identifier=instance_label.name,
                cluster_identifier=self.cluster.id,
                # No engine_version: an Aurora instance runs its cluster's version (pulumi-aws
                # upgrades it through the cluster); naming it here too only adds a diff per
                # instance to every minor upgrade.
                engine=ENGINE,
                instance_class=cfg.instance_class,
                db_subnet_group_name=subnet_group.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                performance_insights_enabled=cfg.performance_insights,
                performance_insights_kms_key_id=self.key.arn if cfg.performance_insights else None,
                performance_insights_retention_period=7 if cfg.performance_insights else None,
                monitoring_interval=cfg.monitoring_interval,
                monitoring_role_arn=monitoring.role_arn if monitoring else None,
                # No copy_tags_to_snapshot: Aurora snapshots are the cluster's, which copies tags.
                tags=instance_label.tags,
                opts=child.merge(
                    pulumi.ResourceOptions(depends_on=[monitoring.attachment] if monitoring else [])
                ),
            )

    @staticmethod
    def _monitoring_role(
        name: str, labels: LabelContext, child: pulumi.ResourceOptions
    ) -> MonitoringRole:
        label = labels.label("iam-role", "rds-monitoring")
        role = aws.iam.Role(
            f"{name}-monitoring",
            name=label.name,
            assume_role_policy=pulumi.Output.json_dumps(
                service_trust_policy("monitoring.rds.amazonaws.com", labels.account_id)
            ),
            permissions_boundary=boundary_arn(labels.account_id),
            tags=label.tags,
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring", role=role.name, policy_arn=MONITORING_POLICY, opts=child
        )
        return MonitoringRole(role.arn, attachment)
