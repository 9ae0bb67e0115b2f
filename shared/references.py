"""StackReferences to upstream layers of the same environment.

The reference name is `<organization>/<layer>/<environment>`; the organization comes from
`pulumi.get_organization()`, which is the literal `organization` on the file backend.
"""

from __future__ import annotations

from typing import Any

import pulumi

from shared.layers import get_layer


class MissingOutputError(RuntimeError):
    pass


def reference_name(layer: str, environment: str, organization: str | None = None) -> str:
    get_layer(layer)
    return f"{organization or pulumi.get_organization()}/{layer}/{environment}"


class Upstream:
    """One upstream layer's outputs; a missing output fails loudly, naming layer and output."""

    def __init__(self, layer: str, environment: str) -> None:
        self.layer = get_layer(layer)
        self.name = reference_name(layer, environment)
        self._ref = pulumi.StackReference(self.name)

    def require(self, output: str) -> pulumi.Output[Any]:
        if output not in self.layer.outputs:
            raise MissingOutputError(
                f"{output!r} is not in the {self.layer.name} layer's output contract "
                f"(shared.layers): {', '.join(self.layer.outputs)}"
            )

        def check(value: Any) -> Any:
            if value is None:
                raise MissingOutputError(
                    f"upstream stack {self.name} has no output {output!r}: deploy (or plan) the "
                    f"{self.layer.name} layer for this environment first"
                )
            return value

        return self._ref.get_output(output).apply(check)


def upstream(layer: str, environment: str) -> Upstream:
    return Upstream(layer, environment)
