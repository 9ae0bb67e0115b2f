"""The layer graph in the docs: the README's diagram and the reference's outputs table."""

from __future__ import annotations

from collections.abc import Sequence

from shared.layers import LAYERS, Layer
from tooling.docs.markdown import table


def _node(name: str) -> str:
    # Mermaid reserves some bare words as node ids (`end`, `style`, `class`, ...); a prefix keeps
    # any layer name safe. Readers see the label, never the id.
    return f"layer_{name}"


def mermaid(layers: Sequence[Layer] = LAYERS) -> str:
    """A Mermaid flowchart: one node per layer listing the contract outputs it passes on."""
    lines = ["```mermaid", "flowchart LR"]
    for layer in layers:
        outputs = [
            f"{name} (secret)" if output.secret else name for name, output in layer.outputs.items()
        ]
        label = "<br/>".join([f"<b>{layer.name}</b>", *outputs])
        lines.append(f'    {_node(layer.name)}["{label}"]')
    lines.extend(
        f"    {_node(upstream)} --> {_node(layer.name)}"
        for layer in layers
        for upstream in layer.upstream
    )
    lines.append("```")
    return "\n".join(lines)


def outputs_table(layers: Sequence[Layer] = LAYERS) -> str:
    """Every contract output with its type and meaning, layer by layer."""
    return table(
        ["layer", "output", "type", "meaning"],
        [
            [
                layer.name,
                f"`{name}`",
                f"{output.type}, **secret**" if output.secret else output.type,
                output.meaning,
            ]
            for layer in layers
            for name, output in layer.outputs.items()
        ],
    )
