"""The offline engine: every layer under Pulumi's mock runtime, no CLI, no credentials.

`plan()` runs layers in order and checks them with the policy pack; `run_layer()` runs one layer;
`evaluate()` runs the pack over any resources through the Analyzer gRPC protocol.
"""

from shared.layers import POLICY_PACK_DIR
from tooling.offline.analyzer import PolicyPackError, Violation, evaluate
from tooling.offline.engine import (
    LayerResult,
    ProgramError,
    Resource,
    StackConfigError,
    run_layer,
    warm,
)
from tooling.offline.planner import PlanError, PlanResult, plan
from tooling.offline.stack_config import load_stack_config

__all__ = [
    "POLICY_PACK_DIR",
    "LayerResult",
    "PlanError",
    "PlanResult",
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
