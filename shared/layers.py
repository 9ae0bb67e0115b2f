"""The layer graph: the single source of truth for layer order, folders and output contracts.

nox, the offline plan, the deploy orchestration and the tests read this module; nothing else
hard-codes the order network -> data -> app -> observability.
"""

from __future__ import annotations

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
class Layer:
    name: str
    upstream: tuple[str, ...]
    outputs: tuple[str, ...]
    secret_outputs: tuple[str, ...] = ()
    # The layer's config key listing other environments whose stack of this same layer it reads,
    # and which read this one back (peering; who requests is shared.environment.requests_peering).
    # The offline plan plans those stacks too. Such a layer reads no upstream layer.
    peers_key: str = ""
    home: Path = STACKS_DIR  # the folder that holds the program's folder

    @property
    def folder(self) -> Path:
        return self.home / self.name


LAYERS: tuple[Layer, ...] = (
    Layer(
        name="network",
        upstream=(),
        outputs=(
            "vpc_id",
            "vpc_cidr",
            "availability_zones",
            "public_subnet_ids",
            "private_subnet_ids",
            "database_subnet_ids",
            "private_route_table_ids",
            "alb_security_group_id",
            "app_security_group_id",
            "db_security_group_id",
            "peering_connection_ids",
            "log_group_kms_key_arn",
            "app_port",
            "nat_gateways",
        ),
        peers_key="peerEnvironments",
    ),
    Layer(
        name="data",
        upstream=("network",),
        outputs=(
            "db_cluster_identifier",
            "db_cluster_arn",
            "db_cluster_resource_id",
            "db_endpoint",
            "db_reader_endpoint",
            "db_port",
            "db_name",
            "db_master_secret_arn",
            "db_kms_key_arn",
            "artifacts_bucket_name",
            "artifacts_bucket_arn",
        ),
        secret_outputs=("db_master_secret_arn",),
    ),
    Layer(
        name="app",
        upstream=("network", "data"),
        outputs=(
            "ecs_cluster_name",
            "ecs_cluster_arn",
            "ecs_service_name",
            "task_definition_arn",
            "alb_arn",
            "alb_arn_suffix",
            "alb_dns_name",
            "target_group_arn",
            "target_group_arn_suffix",
            "app_url",
            "app_log_group_name",
            "route53_record",
        ),
    ),
    Layer(
        name="observability",
        upstream=("data", "app"),
        outputs=(
            "alarm_topic_arn",
            "dashboard_name",
            "dashboard_url",
            "alarm_names",
            "alarm_topic_kms_key_arn",
        ),
    ),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)
_BY_NAME = {layer.name: layer for layer in LAYERS}

BOOTSTRAP = Layer(
    name="bootstrap",
    upstream=(),
    outputs=(
        "state_bucket",
        "backend_urls",
        "secrets_providers",
        "role_arns",
        "boundary_arn",
        "ci_roles",
    ),
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
