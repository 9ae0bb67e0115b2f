"""Tags: every taggable resource carries the standard tag set from shared.tagging.

"Taggable" comes from the pulumi-aws SDK itself (resources whose inputs have a `tags` map), vendored
in `policies/data/taggable_types.json` because scanning the SDK at pack start costs most of a second.
`python -m policies.tagging` regenerates it; a test proves it matches the installed SDK.

The policy can remediate: it adds the missing standard tags (values from the stack's environment
and project), never changing a tag the program set.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from policies.props import value
from policies.spec import Context, Rule
from shared.tagging import STANDARD_TAG_KEYS, standard_tags

DATA_FILE = Path(__file__).resolve().parent / "data" / "taggable_types.json"


@cache
def taggable_types() -> frozenset[str]:
    return frozenset(json.loads(DATA_FILE.read_text())["types"])


def _tags(props: Mapping[str, Any]) -> dict[str, Any]:
    raw = value(props, "tags")
    return dict(raw) if isinstance(raw, Mapping) else {}


def missing_tags(props: Mapping[str, Any], context: Context) -> list[str]:
    have = {**context.default_tags, **_tags(props)}
    return [key for key in STANDARD_TAG_KEYS if not have.get(key)]


def check_standard_tags(type_: str, props: Mapping[str, Any], context: Context) -> list[str]:
    missing = missing_tags(props, context)
    return [f"missing standard tags: {', '.join(missing)}"] if missing else []


def add_standard_tags(
    type_: str, props: Mapping[str, Any], context: Context
) -> dict[str, Any] | None:
    """The `tags` property with the missing standard tags added, or None when nothing is missing."""
    if type_ not in taggable_types():
        return None
    missing = missing_tags(props, context)
    if not missing:
        return None
    wanted = standard_tags(environment=context.environment.name, layer=context.layer or "unknown")
    return {"tags": {**_tags(props), **{key: wanted[key] for key in missing}}}


class _TaggableReads(Mapping[str, tuple[str, ...]]):
    """Every taggable type reads `tags`; loaded on first use, not at import."""

    def __getitem__(self, key: str) -> tuple[str, ...]:
        if key not in taggable_types():
            raise KeyError(key)
        return ("tags",)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(taggable_types()))

    def __len__(self) -> int:
        return len(taggable_types())

    def __contains__(self, key: object) -> bool:
        return key in taggable_types()


RULES = (
    Rule(
        name="aws-tags-standard",
        default_level="remediate",
        description=(
            f"Every taggable resource must carry the standard tags ({', '.join(STANDARD_TAG_KEYS)})."
        ),
        severity="low",
        remediation=(
            "Pass tags=shared.tagging.standard_tags(...) (or set the level to remediate and let "
            "the pack add them)."
        ),
        reads=_TaggableReads(),
        check_resource=check_standard_tags,
        fix=add_standard_tags,
    ),
)


def main() -> int:
    """Rewrite the vendored taggable-type list from the installed pulumi-aws SDK."""
    from importlib.metadata import version

    from policies import sdk

    types = sorted(token for token, r in sdk.resources().items() if r.taggable)
    document = {
        "source": f"pulumi-aws {version('pulumi-aws')}: resources whose inputs have a tags map",
        "regenerate": "python -m policies.tagging",
        "types": types,
    }
    DATA_FILE.write_text(json.dumps(document, indent=1) + "\n")
    sys.stdout.write(f"wrote {len(types)} types to {DATA_FILE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
