import pulumi

from tooling.offline import run_layer

from .conftest import FIXTURE_STACKS


def test_run_layer_records_resources_parents_and_outputs() -> None:
    result = run_layer("network", "dev", program_dir=FIXTURE_STACKS / "network")
    vpc = result.one("aws:ec2/vpc:Vpc")
    assert vpc.urn == "urn:pulumi:dev::network::aws:ec2/vpc:Vpc::vpc"  # engine-shaped URN
    assert vpc.parent == "urn:pulumi:dev::network::pulumi:pulumi:Stack::network-dev"
    subnet = result.of_type("aws:ec2/subnet:Subnet")[0]
    assert subnet.inputs["vpcId"] == vpc.outputs["id"] == result.outputs["vpc_id"]
    assert vpc.urn in subnet.dependencies
    assert subnet.property_dependencies["vpcId"] == (vpc.urn,)


def test_outputs_left_over_in_the_parent_do_not_hang_the_child() -> None:
    # A test that builds an Output outside any program leaves a task on the parent's loop.
    pulumi.Output.from_input("left over").apply(str.upper)
    result = run_layer("network", "dev", program_dir=FIXTURE_STACKS / "network")
    assert result.outputs["vpc_id"].startswith("vpc-")


def test_preview_leaves_computed_values_unknown() -> None:
    result = run_layer("network", "dev", program_dir=FIXTURE_STACKS / "network", preview=True)
    assert result.outputs["vpc_cidr"] == "10.10.0.0/16"  # known: computed from config
    assert (
        result.outputs["vpc_id"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )  # the engine's unknown
