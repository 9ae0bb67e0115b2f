"""StackReference names and the upstream-output contract, under Pulumi's mocks in a subprocess.

A subprocess, because mocks are process-global state that would leak into other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.layers import LAYER_NAMES, UnknownLayerError
from shared.references import reference_name

ROOT = Path(__file__).resolve().parents[2]


def test_reference_name_with_explicit_organization() -> None:
    assert reference_name("network", "dev", organization="acme") == "acme/network/dev"
    assert reference_name("data", "pr-12", organization="organization") == "organization/data/pr-12"


def test_reference_name_rejects_unknown_layers() -> None:
    with pytest.raises(UnknownLayerError, match=", ".join(LAYER_NAMES)):
        reference_name("db", "dev", organization="acme")


_SCRIPT = r"""
import json
import pulumi
from pulumi.runtime import Mocks, set_mocks

seen = []

class StackReferenceMocks(Mocks):
    def new_resource(self, args):
        if args.typ == "pulumi:pulumi:StackReference":
            seen.append(args.inputs["name"])
            return args.resource_id, {"name": args.inputs["name"], "outputs": {"vpc_id": "vpc-1"}}
        return args.name + "_id", args.inputs

    def call(self, args):
        return {}

set_mocks(StackReferenceMocks(), project="data", stack="dev", preview=False, organization="acme")

from shared.references import MissingOutputError, upstream

result = {}

@pulumi.runtime.test
def check():
    network = upstream("network", "dev")
    result["name"] = network.name
    try:
        network.require("vpc_idd")
    except MissingOutputError as error:
        result["contract"] = str(error)
    return network.require("vpc_id").apply(lambda v: result.update(vpc_id=v))

check()
result["seen"] = seen

@pulumi.runtime.test
def check_missing():
    return upstream("network", "dev").require("private_subnet_ids")

try:
    check_missing()
except MissingOutputError as error:
    result["missing"] = str(error)
print(json.dumps(result))
"""


def test_require_under_mocks() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The organization comes from pulumi.get_organization() when not given.
    assert result["name"] == "acme/network/dev"
    assert "acme/network/dev" in result["seen"]
    assert result["vpc_id"] == "vpc-1"
    # An output outside the contract fails at once, listing the contract.
    assert "'vpc_idd' is not in the network layer's output contract" in result["contract"]
    assert "private_subnet_ids" in result["contract"]
    # An output in the contract that the upstream stack lacks names the stack and the fix.
    assert "upstream stack acme/network/dev has no output 'private_subnet_ids'" in result["missing"]
    assert "deploy (or plan) the network layer" in result["missing"]
