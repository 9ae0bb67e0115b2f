"""The layer graph: the single source of truth for layer order, folders and output contracts.

nox, the offline plan, the deploy orchestration and the tests read this module; nothing else
hard-codes the order network -> data -> app -> observability.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PRODUCT = "platform"
"""The product's short name: the first label of every physical name and the `Project` tag."""

ALB_ACCESS_LOG_PREFIX = "alb-logs"
"""Where the app layer's ALB writes access logs in the data layer's bucket (whose policy allows it)."""

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = REPO_ROOT / "stacks"
POLICY_PACK_DIR = REPO_ROOT / "policies"


@dataclass(frozen=True)
class Output:
    """One output of a layer's contract, as docs/reference.md shows it (generated from here)."""

    type: str  # as a reader of the stack reference sees it: "string", "list of strings", ...
    meaning: str
    # Exported as a secret; readers get it as one, and no report shows it.
    secret: bool = False


@dataclass(frozen=True)
class Layer:
    name: str
    upstream: tuple[str, ...]
    # The contract: exactly what the program exports and what downstream layers may read.
    outputs: Mapping[str, Output]
    # The layer's config key listing other environments whose stack of this same layer it reads,
    # and which read this one back (peering; who requests is shared.environment.requests_peering).
    # The offline plan plans those stacks too. Such a layer reads no upstream layer.
    peers_key: str = ""
    home: Path = STACKS_DIR  # the folder that holds the program's folder

    @property
    def folder(self) -> Path:
        return self.home / self.name

    @property
    def secret_outputs(self) -> tuple[str, ...]:
        return tuple(name for name, output in self.outputs.items() if output.secret)


LAYERS: tuple[Layer, ...] = (
    Layer(
        name="network",
        upstream=(),
        outputs={
            "vpc_id": Output(
                "string",
                "the environment's VPC",
            ),
            "vpc_cidr": Output(
                "string",
                "its IPv4 CIDR (`network:vpcCidr`; PR environments get a /21 from 10.128.0.0/9 by PR number)",
            ),
            "availability_zones": Output(
                "list of strings",
                "the zones used, in subnet order",
            ),
            "public_subnet_ids": Output(
                "list of strings",
                "one per zone, routed to the internet gateway (ALB, NAT)",
            ),
            "private_subnet_ids": Output(
                "list of strings",
                "one per zone, the app tier; internet only through NAT (none with `natGateways: none`)",
            ),
            "database_subnet_ids": Output(
                "list of strings",
                "one per zone, isolated: no internet route",
            ),
            "private_route_table_ids": Output(
                "list of strings",
                "one per zone; the tables a peer routes back to",
            ),
            "alb_security_group_id": Output(
                "string",
                "80/443 from the internet, out only to the app on `network:appPort`",
            ),
            "app_security_group_id": Output(
                "string",
                "in from the ALB on `network:appPort`; out to the database on 5432 and HTTPS",
            ),
            "db_security_group_id": Output(
                "string",
                "5432 from the app group (and peer CIDRs with `network:peerDatabaseAccess`)",
            ),
            "peering_connection_ids": Output(
                "map peer env -> string",
                "VPC peering connections this environment takes part in (requested or accepted)",
            ),
            "log_group_kms_key_arn": Output(
                "string",
                "KMS key (rotation on) for log groups: the flow logs here, the Aurora log and the app's logs downstream",
            ),
            "app_port": Output(
                "number",
                "the port the security groups open from the ALB to the app (`network:appPort`); the app layer refuses an `app:containerPort` that differs",
            ),
            "nat_gateways": Output(
                "string",
                "`network:natGateways` (`none`, `single`, `per-az`); the app layer refuses `none` (its tasks need NAT)",
            ),
        },
        peers_key="peerEnvironments",
    ),
    Layer(
        name="data",
        upstream=("network",),
        outputs={
            "db_cluster_identifier": Output(
                "string",
                "Aurora PostgreSQL cluster id; CloudWatch dimension `DBClusterIdentifier`",
            ),
            "db_cluster_arn": Output(
                "string",
                "ARN of that cluster",
            ),
            "db_cluster_resource_id": Output(
                "string",
                "`cluster-...` id, for IAM database authentication policies",
            ),
            "db_endpoint": Output(
                "string",
                "writer endpoint",
            ),
            "db_reader_endpoint": Output(
                "string",
                "reader endpoint (load-balanced over the replicas)",
            ),
            "db_port": Output(
                "number",
                "5432",
            ),
            "db_name": Output(
                "string",
                "the database created in the cluster (`data:databaseName`)",
            ),
            "db_master_secret_arn": Output(
                "string",
                "the RDS-managed Secrets Manager secret holding the master credentials (rotated by RDS; no password exists in code, config or state)",
                secret=True,
            ),
            "db_kms_key_arn": Output(
                "string",
                "customer-managed key (rotation on) for storage, the master secret and Performance Insights",
            ),
            "artifacts_bucket_name": Output(
                "string",
                "the artifacts bucket (`<project>-<env>-artifacts-<account>-<region>`); also receives ALB access logs under `alb-logs/`",
            ),
            "artifacts_bucket_arn": Output(
                "string",
                "ARN of that bucket",
            ),
        },
    ),
    Layer(
        name="app",
        upstream=("network", "data"),
        outputs={
            "ecs_cluster_name": Output(
                "string",
                "ECS cluster (Container Insights on); CloudWatch dimension `ClusterName`",
            ),
            "ecs_cluster_arn": Output(
                "string",
                "ARN of that cluster",
            ),
            "ecs_service_name": Output(
                "string",
                "the Fargate service; CloudWatch dimension `ServiceName`",
            ),
            "task_definition_arn": Output(
                "string",
                "current task definition revision",
            ),
            "alb_arn": Output(
                "string",
                "the internet-facing ALB",
            ),
            "alb_arn_suffix": Output(
                "string",
                "`app/<name>/<id>`: CloudWatch dimension `LoadBalancer`",
            ),
            "alb_dns_name": Output(
                "string",
                "the ALB's AWS DNS name",
            ),
            "target_group_arn": Output(
                "string",
                "the `ip` target group the service registers in",
            ),
            "target_group_arn_suffix": Output(
                "string",
                "`targetgroup/<name>/<id>`: CloudWatch dimension `TargetGroup`",
            ),
            "app_url": Output(
                "string",
                "`https://` when there is a certificate (`app:certificateArn`, or the ACM certificate for `app:domainName`), else `http://`; the Route53 name when there is one, else the ALB DNS name",
            ),
            "app_log_group_name": Output(
                "string",
                "the container log group, encrypted with network's `log_group_kms_key_arn` (the key lives upstream because observability is downstream of app)",
            ),
            "route53_record": Output(
                "string",
                "the alias record: `<env>.<app:domainName>`, prod the apex `<app:domainName>`; `N/A-PR-Environment` for PR environments, `N/A-No-Domain` when no domain is configured",
            ),
        },
    ),
    Layer(
        name="observability",
        upstream=("data", "app"),
        outputs={
            "alarm_topic_arn": Output(
                "string",
                "SNS topic every alarm and OK action goes to (KMS-encrypted)",
            ),
            "dashboard_name": Output(
                "string",
                "the CloudWatch dashboard (ALB, ECS, Aurora, app ERROR lines)",
            ),
            "dashboard_url": Output(
                "string",
                "console link to that dashboard",
            ),
            "alarm_names": Output(
                "list of strings",
                "every metric alarm this layer owns",
            ),
            "alarm_topic_kms_key_arn": Output(
                "string",
                "the alarm topic's KMS key (rotation on); its key policy lets SNS, CloudWatch alarms and CloudWatch Logs use it",
            ),
        },
    ),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)
_BY_NAME = {layer.name: layer for layer in LAYERS}

BOOTSTRAP = Layer(
    name="bootstrap",
    upstream=(),
    outputs={
        "state_bucket": Output(
            "string",
            "the bucket holding every class's state, under `<class>/`",
        ),
        "backend_urls": Output(
            "map class -> string",
            "each class's `PULUMI_BACKEND_URL` (its prefix of the state bucket)",
        ),
        "secrets_providers": Output(
            "map class -> string",
            "each class's `awskms://` secrets provider (its own key)",
        ),
        "role_arns": Output(
            "map GitHub environment -> string",
            "the CI role each GitHub environment assumes",
        ),
        "boundary_arn": Output(
            "string",
            "the permissions boundary every role a stack creates must carry",
        ),
        "ci_roles": Output(
            "map GitHub environment -> map",
            "each CI role's class, whether it deploys, and its policies",
        ),
    },
    home=REPO_ROOT,
)
"""The one-off project CI needs before any layer (docs/ci.md): not a layer, so not in LAYERS and
read by nothing, but its program opens like one (shared.context.stack_context)."""


class UnknownLayerError(ValueError):
    pass


def get_layer(name: str) -> Layer:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownLayerError(
            f"unknown layer {name!r}; the layers are: {', '.join(LAYER_NAMES)}"
        ) from None


def readers(name: str, layers: tuple[Layer, ...] = LAYERS) -> tuple[str, ...]:
    """The layers that read `name`'s outputs: it can be destroyed only once they are gone."""
    return tuple(layer.name for layer in layers if name in layer.upstream)


def with_upstream(names: list[str] | tuple[str, ...]) -> tuple[Layer, ...]:
    """The named layers plus everything upstream of them, in deploy order."""
    wanted: set[str] = set()
    pending = [get_layer(name).name for name in names]
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(_BY_NAME[name].upstream)
    return tuple(layer for layer in LAYERS if layer.name in wanted)
