"""Generated documentation: each block between two markers is rebuilt from the code it describes,
so a new layer or a new environment class appears in the docs for free.

- README.md: the layer diagram, from `shared.layers`;
- docs/reference.md: the class profiles and each class's config defaults, from the class registry
  (`shared.environment`) and the layers' config schemas (`shared.config`);
- docs/policies.md: each policy's level per class, from the pack (`policies/config/<class>.json`).

`python -m tooling.docs` rewrites every block; `python -m tooling.docs --check` only says whether
they are current (exit 1 when one is not). Only declarations are read: importing a stack program
would run it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import environment as registry
from shared.layers import LAYERS, REPO_ROOT, Layer

README = REPO_ROOT / "README.md"
DOCS_DIR = REPO_ROOT / "docs"
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


def _bounds(
    text: str,
    begin: str = BEGIN,
    end_marker: str = END,
    where: str = "README.md",
    what: str = "diagram",
) -> tuple[int, int]:
    start, end = text.find(begin), text.find(end_marker)
    if start < 0 or end < start:
        raise MarkerError(
            f"{where} needs the {what} markers, in this order, each on its own line:\n"
            f"{begin}\n{end_marker}"
        )
    return start, end + len(end_marker)


def current_block(text: str) -> str:
    start, end = _bounds(text)
    return text[start:end]


def with_current_diagram(text: str, layers: Sequence[Layer] = LAYERS) -> str:
    start, end = _bounds(text)
    return text[:start] + block(layers) + text[end:]


# --- the environment classes' tables --------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A generated block of a Markdown file under docs/: its file, name, source and text."""

    file: str  # under docs/
    name: str
    source: str
    render: Callable[[], str]

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}: generated from {self.source} by `{REGENERATE}`; do not edit -->"

    @property
    def end(self) -> str:
        return f"<!-- end of {self.name} -->"

    def block(self) -> str:
        return f"{self.begin}\n{self.render()}\n{self.end}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _classes(
    classes: Mapping[str, registry.EnvironmentClassInfo] | None,
) -> dict[str, registry.EnvironmentClassInfo]:
    # Read at call time, not import time: the registry is the one source of the columns.
    return dict(registry.CLASSES if classes is None else classes)


def _profile_cells(profile: registry.Profile) -> dict[str, Any]:
    values = dataclasses.asdict(profile)
    alarms = values.pop("alarms")
    return {**values, **{f"alarms.{k}": v for k, v in alarms.items()}}


def _profile_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    # The one profile value left empty is the PR class's network, derived per environment.
    return str(value) if value != "" else "from the PR number (below)"


def profiles_table(classes: Mapping[str, registry.EnvironmentClassInfo] | None = None) -> str:
    """Every profile setting (alarms flattened) per class, longest-lived class first."""
    cells = {name: _profile_cells(info.profile) for name, info in _classes(classes).items()}
    settings = list(next(iter(cells.values())))
    return _table(
        ["setting", *cells],
        [[f"`{key}`", *(_profile_cell(cells[c][key]) for c in cells)] for key in settings],
    )


def _config_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _examples(name: str, info: registry.EnvironmentClassInfo) -> list[registry.Environment]:
    """The class's own environment, or two of a class whose environments are numbered (PRs): a
    default that differs between the two comes from the environment's number."""
    if info.named:
        return [registry.Environment(name=name, environment_class=name)]
    return [registry.parse_environment(f"{name}-{number}", name) for number in (1, 2)]


def config_defaults_table(
    classes: Mapping[str, registry.EnvironmentClassInfo] | None = None,
    layers: Sequence[Layer] = LAYERS,
) -> str:
    """Each layer's own keys (not the ones every layer has) with their default per class."""
    from shared.config import schema_of
    from shared.config.schema import LayerConfig, load, settings

    found = _classes(classes)
    common = {declared.key for _, declared in settings(LayerConfig)}
    rows = []
    for layer in layers:
        schema = schema_of(layer.name)
        configs = {
            name: [load(schema, layer.name, {}, example) for example in _examples(name, info)]
            for name, info in found.items()
        }
        for field, declared in settings(schema):
            if declared.key in common:
                continue
            row = [f"`{layer.name}:{declared.key}`"]
            for loaded in configs.values():
                cells = {_config_cell(getattr(config, field)) for config in loaded}
                row.append(cells.pop() if len(cells) == 1 else "from the PR number")
            rows.append(row)
    return _table(["key", *found], rows)


LEVEL_LETTERS = {"mandatory": "M", "advisory": "A", "remediate": "R", "disabled": "—"}


def policy_levels_table(classes: Mapping[str, registry.EnvironmentClassInfo] | None = None) -> str:
    """Each policy's level per class: its default, or its class's deviation in the pack's config."""
    # The pack's own declarations (its rules and class files), as it applies them at start-up.
    from policies.catalog import RULES
    from policies.pack import class_config, default_level

    found = _classes(classes)
    configs = {name: class_config(name) for name in found}
    return _table(
        ["policy", *found],
        [
            [f"`{rule.name}`", *(LEVEL_LETTERS[default_level(rule, configs[c])] for c in found)]
            for rule in RULES
        ],
    )


CLASS_REGIONS: tuple[Region, ...] = (
    Region("reference.md", "class profiles", "shared/environment.py", profiles_table),
    Region(
        "reference.md",
        "config defaults",
        "shared/environment.py and shared/config/schemas.py",
        config_defaults_table,
    ),
    Region("policies.md", "policy levels", "policies/ and policies/config/", policy_levels_table),
)


def _with_current_regions(text: str, file: str, regions: Sequence[Region]) -> str:
    for region in regions:
        if region.file == file:
            start, end = _bounds(text, region.begin, region.end, f"docs/{file}", region.name)
            text = text[:start] + region.block() + text[end:]
    return text


def _documents(readme: Path, docs_dir: Path) -> Iterator[tuple[Path, Callable[[str], str]]]:
    """Each file with generated blocks, and what turns its text into the current one."""
    yield readme, with_current_diagram
    for file in dict.fromkeys(region.file for region in CLASS_REGIONS):
        yield (
            docs_dir / file,
            functools.partial(_with_current_regions, file=file, regions=CLASS_REGIONS),
        )


def main(
    argv: Sequence[str] | None = None, readme: Path = README, docs_dir: Path = DOCS_DIR
) -> int:
    parser = argparse.ArgumentParser(
        prog=REGENERATE,
        description="Regenerate the docs' generated blocks (layer diagram, class tables).",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a block is stale"
    )
    args = parser.parse_args(argv)
    stale: dict[Path, str] = {}
    try:
        for path, current in _documents(readme, docs_dir):
            text = path.read_text()
            updated = current(text)
            if updated != text:
                stale[path] = updated
    except (OSError, MarkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if not stale:
        return EXIT_OK
    if args.check:
        for path in stale:
            print(f"{path.name}: a generated block is stale; run `{REGENERATE}`", file=sys.stderr)
        return EXIT_STALE
    try:
        for path, updated in stale.items():
            path.write_text(updated)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    for path in stale:
        print(f"{path.name}: generated blocks regenerated")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
