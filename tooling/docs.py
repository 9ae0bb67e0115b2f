"""The README's layer diagram, generated from `shared.layers` so a new layer appears in it for free.

`python -m tooling.docs` rewrites the block between the two markers in README.md;
`python -m tooling.docs --check` only says whether it is current (exit 1 when it is not).
Only `shared.layers` is read: importing a stack program would run it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from shared.layers import LAYERS, REPO_ROOT, Layer

README = REPO_ROOT / "README.md"
REGENERATE = "python -m tooling.docs"
BEGIN = f"<!-- layer diagram: generated from shared/layers.py by `{REGENERATE}`; do not edit -->"
END = "<!-- end of layer diagram -->"
EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


class MarkerError(ValueError):
    """The README lacks the markers (or has them out of order), so there is nowhere to write."""


def _node(name: str) -> str:
    # Mermaid reserves some bare words as node ids (`end`, `style`, `class`, ...); a prefix keeps
    # any layer name safe. Readers see the label, never the id.
    return f"layer_{name}"


def mermaid(layers: Sequence[Layer] = LAYERS) -> str:
    """A Mermaid flowchart: one node per layer listing the contract outputs it passes on."""
    lines = ["```mermaid", "flowchart LR"]
    for layer in layers:
        outputs = [
            f"{output} (secret)" if output in layer.secret_outputs else output
            for output in layer.outputs
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


def block(layers: Sequence[Layer] = LAYERS) -> str:
    return f"{BEGIN}\n{mermaid(layers)}\n{END}"


def _bounds(text: str) -> tuple[int, int]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise MarkerError(
            f"README.md needs the diagram markers, in this order, each on its own line:\n"
            f"{BEGIN}\n{END}"
        )
    return start, end + len(END)


def current_block(text: str) -> str:
    start, end = _bounds(text)
    return text[start:end]


def with_current_diagram(text: str, layers: Sequence[Layer] = LAYERS) -> str:
    start, end = _bounds(text)
    return text[:start] + block(layers) + text[end:]


def main(argv: Sequence[str] | None = None, readme: Path = README) -> int:
    parser = argparse.ArgumentParser(
        prog=REGENERATE, description="Regenerate the README's layer diagram from shared/layers.py."
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the diagram is stale"
    )
    args = parser.parse_args(argv)
    try:
        text = readme.read_text()
        updated = with_current_diagram(text)
    except (OSError, MarkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if updated == text:
        return EXIT_OK
    if args.check:
        print(f"{readme.name}: the layer diagram is stale; run `{REGENERATE}`", file=sys.stderr)
        return EXIT_STALE
    try:
        readme.write_text(updated)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{readme.name}: layer diagram regenerated")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
