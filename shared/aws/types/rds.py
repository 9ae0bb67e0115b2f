"""RDS: the data layer's Aurora cluster, its instances and groups."""

from __future__ import annotations

from typing import Any

from shared.aws.types._convert import APPLY_DROP, to
from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation

LONG_TAG = {"Name": "x" * 300}
_SNAPSHOT_DROP = "CloudFormation expresses the final snapshot as the DeletionPolicy, not a property"


def _cluster(n: ShapeValues, ident: str) -> dict[str, Any]:
    host = f"cluster-{n.hex(12)}.{n.region}.rds.amazonaws.com"
    engine = str(n.inputs.get("engine", "aurora-postgresql"))
    outputs: dict[str, Any] = {
        "clusterIdentifier": ident,
        "endpoint": f"{ident}.{host}",
        "readerEndpoint": f"{ident}.{host.replace('cluster-', 'cluster-ro-', 1)}",
        "port": n.inputs.get("port") or (3306 if "mysql" in engine else 5432),
        "clusterResourceId": f"cluster-{n.upper(26)}",
        "hostedZoneId": "Z2R2ITUGPM61AM",
    }
    if n.inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "secretArn": f"arn:aws:secretsmanager:{n.region}:{n.account}:secret:"
                f"rds!cluster-{n.uuid}-{n.hex(6)}",
                "kmsKeyId": n.inputs.get("masterUserSecretKmsKeyId")
                or f"arn:aws:kms:{n.region}:{n.account}:key/{n.uuid}",
                "secretStatus": "active",
            }
        ]
    return outputs


def _instance(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {
        "identifier": ident,
        "endpoint": f"{ident}.{n.hex(12)}.{n.region}.rds.amazonaws.com",
        "port": 5432,
        "dbiResourceId": f"db-{n.upper(26)}",
    }


def _named(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name}


def _parameters(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return {"Parameters": {p.get("name"): p.get("value") for p in value}}
    return {"Parameters": value}


_INSTANCE_SHAPE = Shape(
    id="{name}",
    arn="arn:aws:rds:{region}:{account}:db:{name}",
    name_input="identifier",
    extra=_instance,
)

TYPES = (
    ResourceType(
        "aws:rds/cluster:Cluster",
        "the Aurora PostgreSQL cluster",
        shape=Shape(
            id="{name}",
            arn="arn:aws:rds:{region}:{account}:cluster:{name}",
            name_input="clusterIdentifier",
            extra=_cluster,
        ),
        names={"clusterIdentifier": "rds-cluster", "finalSnapshotIdentifier": "db-snapshot"},
        cloudformation="AWS::RDS::DBCluster",
        translation=Translation(
            fields={
                "clusterIdentifier": "DBClusterIdentifier",
                "dbClusterParameterGroupName": "DBClusterParameterGroupName",
                "dbSubnetGroupName": "DBSubnetGroupName",
                "masterUserSecretKmsKeyId": to("MasterUserSecret", lambda v: {"KmsKeyId": v}),
                "enabledCloudwatchLogsExports": "EnableCloudwatchLogsExports",
                "iamDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
                "vpcSecurityGroupIds": "VpcSecurityGroupIds",
            },
            drops={
                "skipFinalSnapshot": _SNAPSHOT_DROP,
                "finalSnapshotIdentifier": _SNAPSHOT_DROP,
                "applyImmediately": APPLY_DROP,
            },
            rejects={"backupRetentionPeriod": 40.0},
        ),
        holds_data="the Aurora cluster's storage",
    ),
    ResourceType(
        "aws:rds/clusterInstance:ClusterInstance",
        "an Aurora instance of the cluster",
        shape=_INSTANCE_SHAPE,
        names={"identifier": "rds-instance"},
        cloudformation="AWS::RDS::DBInstance",
        translation=Translation(
            fields={
                "identifier": "DBInstanceIdentifier",
                "clusterIdentifier": "DBClusterIdentifier",
                "instanceClass": "DBInstanceClass",
                "dbSubnetGroupName": "DBSubnetGroupName",
                "dbParameterGroupName": "DBParameterGroupName",
                "performanceInsightsEnabled": "EnablePerformanceInsights",
                "performanceInsightsKmsKeyId": "PerformanceInsightsKMSKeyId",
                "caCertIdentifier": "CACertificateIdentifier",
            },
            drops={"applyImmediately": APPLY_DROP},
            rejects={"instanceClass": "db.t3.micro"},
        ),
        holds_data="an Aurora instance (its cluster's data, its buffers)",
    ),
    ResourceType(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "the cluster's parameter group",
        shape=Shape(
            id="{name}", arn="arn:aws:rds:{region}:{account}:cluster-pg:{name}", extra=_named
        ),
        names={"name": "db-parameter-group"},
        cloudformation="AWS::RDS::DBClusterParameterGroup",
        translation=Translation(
            fields={"name": "DBClusterParameterGroupName", "parameters": _parameters},
            rejects={"tags": LONG_TAG},
        ),
    ),
    ResourceType(
        "aws:rds/subnetGroup:SubnetGroup",
        "the database subnets, as a DB subnet group",
        shape=Shape(id="{name}", arn="arn:aws:rds:{region}:{account}:subgrp:{name}", extra=_named),
        names={"name": "db-subnet-group"},
        cloudformation="AWS::RDS::DBSubnetGroup",
        translation=Translation(
            fields={"name": "DBSubnetGroupName", "description": "DBSubnetGroupDescription"},
            rejects={"subnetIds": "subnet-0123"},
        ),
    ),
    ResourceType(
        "aws:rds/instance:Instance",
        "a non-Aurora DB instance (no layer creates one; its names are checked)",
        shape=_INSTANCE_SHAPE,
        names={"identifier": "rds-instance", "finalSnapshotIdentifier": "db-snapshot"},
        no_cloudformation="not translated: no layer creates one",
    ),
    ResourceType(
        "aws:rds/parameterGroup:ParameterGroup",
        "a DB parameter group (no layer creates one; its names are checked)",
        shape=Shape(id="{name}", arn="arn:aws:rds:{region}:{account}:pg:{name}", extra=_named),
        names={"name": "db-parameter-group"},
        no_cloudformation="not translated: no layer creates one",
    ),
)
