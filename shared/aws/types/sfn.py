"""Step Functions: the app layer's state machine."""

from __future__ import annotations

from typing import Any

from shared.aws.types._model import ResourceType, Shape, ShapeValues, Translation


def _named(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {"name": n.name}


TYPES = (
    ResourceType(
        "aws:sfn/stateMachine:StateMachine",
        "a Step Functions state machine",
        shape=Shape(
            id="{arn}", arn="arn:aws:states:{region}:{account}:stateMachine:{name}", extra=_named
        ),
        names={"name": "state-machine"},
        cloudformation="AWS::StepFunctions::StateMachine",
        translation=Translation(
            fields={
                "name": "StateMachineName",
                "type": "StateMachineType",
                "definition": "DefinitionString",
            },
            rejects={"type": "SLOW"},
        ),
    ),
)
