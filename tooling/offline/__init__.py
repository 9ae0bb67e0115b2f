"""The offline planner: every layer under Pulumi's mock runtime, no CLI, no credentials.

`plan()` runs layers in order and checks them with the policy pack; `run_layer()` runs one layer;
`evaluate()` runs a pack over any resources through the Analyzer gRPC protocol. `model` holds
the data (resources, layer results, sentinels) and imports nothing else of the planner.
"""

import os

# The plan checks a layer (a gRPC call to the pack, on a worker thread) while it forks the next
# layer's child, which never uses gRPC; gRPC's fork handlers would only log that they skip
# themselves. Read when grpc is first imported, so set before anything imports pulumi.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from shared.layers import POLICY_PACK_DIR
from tooling.offline.analysis import evaluate
from tooling.offline.analyzer import PolicyPackError, Violation
from tooling.offline.layer_runner import ProgramError, StackConfigError, run_layer, warm
from tooling.offline.model import LayerResult, Resource
from tooling.offline.planner import PlanError, PlanResult, plan
from tooling.offline.policy_config import PolicyConfigError
from tooling.offline.stack_config import load_stack_config

__all__ = [
    "POLICY_PACK_DIR",
    "LayerResult",
    "PlanError",
    "PlanResult",
    "PolicyConfigError",
    "PolicyPackError",
    "ProgramError",
    "Resource",
    "StackConfigError",
    "Violation",
    "evaluate",
    "load_stack_config",
    "plan",
    "run_layer",
    "warm",
]
