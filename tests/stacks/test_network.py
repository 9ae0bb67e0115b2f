import ipaddress
import itertools
import json

import pytest

from shared.aws.availability_zones import account_zones as availability_zones
from shared.environment import parse_environment
from shared.layers import get_layer
from shared.naming import NAME_RULES
from shared.tagging import STANDARD_TAG_KEYS
from tests.stacks.conftest import stack_config
from tooling.offline import LayerResult, ProgramError, run_layer
from tooling.offline.mocks import DEFAULT_REGION as REGION

ENVIRONMENTS = ("dev", "staging", "prod", "pr-7")
UNTAGGABLE = {
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:kms/alias:Alias",
}
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"


def run_network(environment: str, **overrides: object) -> LayerResult:
    return run_layer(
        "network", environment, config=stack_config("network", environment, **overrides)
    )


@pytest.fixture(scope="module")
def networks() -> dict[str, LayerResult]:
    return {env: run_network(env) for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def pr_without_nat() -> LayerResult:
    return run_network("pr-7", natGateways="none")


@pytest.fixture(params=ENVIRONMENTS)
def network(request: pytest.FixtureRequest, networks: dict[str, LayerResult]) -> LayerResult:
    return networks[request.param]


def by_name(result: LayerResult, type_: str) -> dict[str, dict[str, object]]:
    return {r.name: r.inputs for r in result.of_type(type_)}


def test_exports_exactly_the_network_contract(network: LayerResult) -> None:
    assert set(network.outputs) == set(get_layer("network").outputs)
    assert all(value is not None for value in network.outputs.values())


def test_every_taggable_resource_has_the_standard_tags_and_a_name(network: LayerResult) -> None:
    tagged = [r for r in network.resources if r.custom and r.type not in UNTAGGABLE]
    assert len(tagged) > 25
    for resource in tagged:
        tags = resource.inputs.get("tags")
        assert isinstance(tags, dict), resource.name
        assert set(STANDARD_TAG_KEYS) | {"Name"} <= set(tags), resource.name
        assert tags["Environment"] == network.stack and tags["Layer"] == "network"


def test_vpc_uses_the_environment_cidr_with_dns_on(network: LayerResult) -> None:
    vpc = network.one("aws:ec2/vpc:Vpc").inputs
    expected = parse_environment(network.stack).default_vpc_cidr
    assert vpc["cidrBlock"] == expected == network.outputs["vpc_cidr"]
    assert vpc["enableDnsSupport"] is True and vpc["enableDnsHostnames"] is True


def test_three_subnet_tiers_per_zone_disjoint_and_inside_the_vpc(network: LayerResult) -> None:
    zones = network.outputs["availability_zones"]
    assert len(zones) == (3 if network.stack == "prod" else 2)
    assert len(set(zones)) == len(zones)
    subnets = network.of_type(SUBNET)
    assert sorted(
        (s.inputs["tags"]["Tier"], s.inputs["availabilityZone"]) for s in subnets
    ) == sorted(itertools.product(("public", "private", "database"), zones))
    vpc = ipaddress.IPv4Network(network.outputs["vpc_cidr"])
    cidrs = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in subnets]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(cidrs, 2))
    assert not any(s.inputs["mapPublicIpOnLaunch"] for s in subnets)
    for tier in ("public", "private", "database"):
        assert len(network.outputs[f"{tier}_subnet_ids"]) == len(zones)


@pytest.mark.parametrize(
    ("environment", "nat_count"), [("dev", 1), ("staging", 1), ("prod", 3), ("pr-7", 1)]
)
def test_nat_gateways_by_environment(
    networks: dict[str, LayerResult], environment: str, nat_count: int
) -> None:
    network = networks[environment]
    assert len(network.of_type("aws:ec2/natGateway:NatGateway")) == nat_count
    assert len(network.of_type("aws:ec2/eip:Eip")) == nat_count
    internet = [r.inputs for r in network.of_type(ROUTE) if "natGatewayId" in r.inputs]
    # every private route table reaches the internet through a NAT; prod: each zone its own
    assert sorted(r["routeTableId"] for r in internet) == sorted(
        network.outputs["private_route_table_ids"]
    )
    assert len({r["natGatewayId"] for r in internet}) == nat_count


def test_nat_none_leaves_private_subnets_without_an_internet_route(
    pr_without_nat: LayerResult,
) -> None:
    assert pr_without_nat.of_type("aws:ec2/natGateway:NatGateway") == []
    routes = [r.inputs for r in pr_without_nat.of_type(ROUTE)]
    assert [r["destinationCidrBlock"] for r in routes] == ["0.0.0.0/0"]
    assert "gatewayId" in routes[0]  # only the public table's route to the internet gateway


def test_database_tier_has_no_internet_route(network: LayerResult) -> None:
    database_subnets = set(network.outputs["database_subnet_ids"])
    tables = {
        r.inputs["routeTableId"]
        for r in network.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if r.inputs["subnetId"] in database_subnets
    }
    assert len(tables) == 1
    assert not [r for r in network.of_type(ROUTE) if r.inputs["routeTableId"] in tables]


def test_security_group_rules_allow_only_the_documented_paths(network: LayerResult) -> None:
    ids = {role: network.outputs[f"{role}_security_group_id"] for role in ("alb", "app", "db")}
    role_of = {v: k for k, v in ids.items()}

    def describe(rule: dict[str, object]) -> tuple[object, ...]:
        source = rule.get("cidrIpv4") or role_of[str(rule["referencedSecurityGroupId"])]
        return (role_of[str(rule["securityGroupId"])], source, rule["fromPort"], rule["toPort"])

    ingress = sorted(describe(r.inputs) for r in network.of_type(INGRESS))
    egress = sorted(describe(r.inputs) for r in network.of_type(EGRESS))
    assert ingress == sorted(
        [
            ("alb", "0.0.0.0/0", 80, 80),
            ("alb", "0.0.0.0/0", 443, 443),
            ("app", "alb", 80, 80),
            ("db", "app", 5432, 5432),
        ]
    )
    assert egress == sorted(
        [("alb", "app", 80, 80), ("app", "db", 5432, 5432), ("app", "0.0.0.0/0", 443, 443)]
    )
    for rule in network.of_type(INGRESS) + network.of_type(EGRESS):
        assert rule.inputs["description"] and rule.inputs["ipProtocol"] == "tcp"
    for group in network.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert "ingress" not in group.inputs and "egress" not in group.inputs
        assert not NAME_RULES["security-group"].problems(group.inputs["name"])
    assert "ingress" not in network.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs


def test_app_port_follows_config() -> None:
    network = run_network("dev", appPort=8080)
    rule = by_name(network, INGRESS)["app-from-alb"]
    assert (rule["fromPort"], rule["toPort"]) == (8080, 8080)


@pytest.mark.parametrize(
    ("environment", "days"), [("dev", 14), ("staging", 30), ("prod", 365), ("pr-7", 3)]
)
def test_flow_logs_go_to_an_encrypted_log_group_kept_by_environment(
    networks: dict[str, LayerResult], environment: str, days: int
) -> None:
    network = networks[environment]
    group = network.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["retentionInDays"] == days
    assert group["kmsKeyId"] == network.outputs["log_group_kms_key_arn"]
    assert not NAME_RULES["log-group"].problems(str(group["name"]))
    flow = network.one("aws:ec2/flowLog:FlowLog").inputs
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    assert flow["vpcId"] == network.outputs["vpc_id"]


def test_flow_logs_role_grants_describe_log_groups_on_star_and_the_rest_on_its_group(
    network: LayerResult,
) -> None:
    policy = json.loads(str(network.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]))
    group_arn = network.one("aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    resources: dict[str, object] = {}
    for statement in policy["Statement"]:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            resources[action] = statement["Resource"]
    # DescribeLogGroups supports only "*"; scoped to the group it would grant nothing.
    assert resources.pop("logs:DescribeLogGroups") == "*"
    assert set(resources) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    assert all(value == [group_arn, f"{group_arn}:*"] for value in resources.values())


def test_the_logs_key_rotates_and_lets_cloudwatch_logs_use_it(network: LayerResult) -> None:
    key = network.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True
    principals = [s["Principal"] for s in json.loads(str(key["policy"]))["Statement"]]
    assert {"Service": "logs.us-east-1.amazonaws.com"} in principals
    assert (
        network.one("aws:kms/alias:Alias").inputs["name"] == f"alias/platform-{network.stack}-logs"
    )


def test_s3_gateway_endpoint_serves_private_and_database_tables(network: LayerResult) -> None:
    endpoint = network.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs
    assert endpoint["vpcEndpointType"] == "Gateway"
    assert endpoint["serviceName"] == "com.amazonaws.us-east-1.s3"
    tables = set(endpoint["routeTableIds"])
    assert set(network.outputs["private_route_table_ids"]) < tables
    assert len(tables) == len(network.outputs["private_route_table_ids"]) + 1


# --- peering: pr-7 requests a connection to dev; dev accepts and routes back ------------------------


@pytest.fixture(scope="module")
def pr_peered(networks: dict[str, LayerResult]) -> LayerResult:
    return run_layer(
        "network",
        "pr-7",
        config=stack_config("network", "pr-7", peerEnvironments=["dev"], peerDatabaseAccess=True),
        upstream={"organization/network/dev": networks["dev"]},
    )


@pytest.fixture(scope="module")
def dev_peered(pr_peered: LayerResult) -> LayerResult:
    return run_layer(
        "network",
        "dev",
        config=stack_config("network", "dev", peerEnvironments=["pr-7"]),
        upstream={"organization/network/pr-7": pr_peered},
    )


def test_the_requester_creates_an_auto_accepted_connection_and_its_routes(
    networks: dict[str, LayerResult], pr_peered: LayerResult
) -> None:
    dev = networks["dev"]
    connection = pr_peered.one(PEERING)
    assert connection.inputs["peerVpcId"] == dev.outputs["vpc_id"]
    assert connection.inputs["vpcId"] == pr_peered.outputs["vpc_id"] != dev.outputs["vpc_id"]
    assert connection.inputs["autoAccept"] is True
    assert set(pr_peered.outputs["peering_connection_ids"]) == {"dev"}
    connection_id = pr_peered.outputs["peering_connection_ids"]["dev"]
    assert connection_id == connection.outputs["id"] and connection_id.startswith("pcx-")
    routes = [r.inputs for r in pr_peered.of_type(ROUTE) if "vpcPeeringConnectionId" in r.inputs]
    assert {r["destinationCidrBlock"] for r in routes} == {dev.outputs["vpc_cidr"]}
    assert {r["vpcPeeringConnectionId"] for r in routes} == {connection_id}
    # both private tables plus, with peerDatabaseAccess, the database table
    assert len(routes) == 3
    assert set(pr_peered.outputs["private_route_table_ids"]) < {r["routeTableId"] for r in routes}


def test_peer_database_access_admits_only_the_peer_cidr(
    networks: dict[str, LayerResult], pr_peered: LayerResult
) -> None:
    rule = by_name(pr_peered, INGRESS)["db-from-dev"]
    assert rule["cidrIpv4"] == networks["dev"].outputs["vpc_cidr"]
    assert (rule["fromPort"], rule["toPort"]) == (5432, 5432)
    assert rule["securityGroupId"] == pr_peered.outputs["db_security_group_id"]
    assert "db-from-dev" not in by_name(networks["pr-7"], INGRESS)


def test_the_accepter_routes_back_over_the_requesters_connection(
    pr_peered: LayerResult, dev_peered: LayerResult
) -> None:
    assert dev_peered.of_type(PEERING) == []
    connection_id = pr_peered.outputs["peering_connection_ids"]["dev"]
    assert dev_peered.outputs["peering_connection_ids"] == {"pr-7": connection_id}
    routes = [r.inputs for r in dev_peered.of_type(ROUTE) if "vpcPeeringConnectionId" in r.inputs]
    assert sorted(r["routeTableId"] for r in routes) == sorted(
        dev_peered.outputs["private_route_table_ids"]
    )
    assert {r["destinationCidrBlock"] for r in routes} == {pr_peered.outputs["vpc_cidr"]}
    assert {r["vpcPeeringConnectionId"] for r in routes} == {connection_id}


def test_the_accepter_explains_when_the_requester_has_not_peered_yet(
    networks: dict[str, LayerResult],
) -> None:
    with pytest.raises(ProgramError, match="pr-7 has no peering connection to dev yet"):
        run_layer(
            "network",
            "dev",
            config=stack_config("network", "dev", peerEnvironments=["pr-7"]),
            upstream={"organization/network/pr-7": networks["pr-7"]},
        )


def test_overlapping_peer_cidrs_are_refused(networks: dict[str, LayerResult]) -> None:
    with pytest.raises(ProgramError) as error:
        run_layer(
            "network",
            "pr-7",
            config=stack_config(
                "network", "pr-7", peerEnvironments=["dev"], vpcCidr="10.10.8.0/21"
            ),
            upstream={"organization/network/dev": networks["dev"]},
        )
    assert (
        "cannot peer with dev: its VPC CIDR 10.10.0.0/16 overlaps this VPC's 10.10.8.0/21"
        in str(error.value)
    )
    assert "Traceback" not in str(error.value)


@pytest.mark.parametrize(
    ("environment", "overrides", "message"),
    [
        (
            "dev",
            {"azCount": 7},
            "network:azCount = '7' is invalid: must be a whole number from 2 to 6",
        ),
        (
            "dev",
            {"availabilityZones": [f"us-east-1{z}" for z in "abcdefg"]},
            "must list 2 to 6 availability zones",
        ),
        (
            "dev",
            {"vpcCidr": "10.10.0.0/24", "azCount": 6},
            "a /24 VPC is too small for 6 availability zones",
        ),
        ("dev", {"peerEnvironments": ["dev"]}, "an environment cannot peer with itself (dev)"),
        ("dev", {"peerEnvironments": ["prd"]}, "'prd' is not a peerable environment"),
        ("prod", {"natGateways": "none"}, "'none' is only allowed in pr environments"),
        ("dev", {"flowLogRetentionDays": 10}, "must be a CloudWatch Logs retention"),
    ],
)
def test_config_mistakes_end_in_one_clear_message(
    environment: str, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ProgramError) as error:
        run_network(environment, **overrides)
    assert message in str(error.value)
    assert str(error.value).startswith(
        f"layer network (stack {environment}) failed: ConfigError: network:"
    )


def test_zones_are_the_first_by_zone_id_and_never_a_local_zone(network: LayerResult) -> None:
    listed = availability_zones(REGION)
    assert listed[0]["zoneType"] == "local-zone"  # Local Zones sort first by name
    standard = sorted(
        (z["zoneId"], z["name"]) for z in listed if z["optInStatus"] == "opt-in-not-required"
    )
    count = len(network.outputs["availability_zones"])
    assert network.outputs["availability_zones"] == [name for _, name in standard[:count]]
    used = {s.inputs["availabilityZone"] for s in network.of_type(SUBNET)}
    assert not any(z["name"] in used for z in listed if z["zoneType"] != "availability-zone")


def test_zones_the_region_does_not_have_are_refused() -> None:
    # Refused by config, from AWS's data, before the program asks for the zones.
    with pytest.raises(
        ProgramError,
        match=r"'us-east-1z' is not a zone of aws:region: us-east-1 has 6 availability zones",
    ):
        run_network("dev", availabilityZones=["us-east-1a", "us-east-1z"])
