"""The installed pulumi-aws SDK as data: every resource's type token, module and input (Args) class.

Read from the SDK's generated source, not by importing it: importing all of pulumi_aws takes
tens of seconds, scanning its files a fraction of one. Used to regenerate the vendored taggable
type list and the translated types' inputs (`policies.cfn.inputs`), and by the tests that prove
policies read real properties; never by the running pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_RESOURCE = re.compile(
    r"\nclass (?P<cls>\w+)\(pulumi\.CustomResource\):.*?"
    r"resource_name: str,\s*args: (?:Optional\[)?(?P<args>\w+).*?"
    r"super\((?P=cls), __self__\)\.__init__\(\s*'(?P<token>aws:[^']+)'",
    re.DOTALL,
)
_TAGS_INPUT = "    def tags(self) -> pulumi.Input[Optional[Mapping[str,"


@dataclass(frozen=True)
class SdkResource:
    token: str
    module: str  # importable: pulumi_aws.s3.bucket_versioning
    args_class: str  # e.g. BucketVersioningInitArgs
    taggable: bool  # its inputs have a `tags` string map


def sdk_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pulumi_aws")
    assert spec is not None and spec.origin is not None, "pulumi_aws is not installed"
    return Path(spec.origin).parent


@cache
def resources(root: Path | None = None) -> dict[str, SdkResource]:
    root = root or sdk_dir()
    found: dict[str, SdkResource] = {}
    for path in sorted(root.rglob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text(encoding="utf-8")
        if "pulumi.CustomResource" not in source:
            continue
        module = ".".join(("pulumi_aws", *path.relative_to(root).with_suffix("").parts))
        for match in _RESOURCE.finditer(source):
            args = match.group("args")
            start = source.find(f"\nclass {args}:")
            end = source.find("\nclass ", start + 1)
            taggable = start >= 0 and _TAGS_INPUT in source[start:end]
            found[match.group("token")] = SdkResource(match.group("token"), module, args, taggable)
    return found


def input_names(token: str) -> list[str]:
    """The camelCase input properties of a resource type, from its Args class (imports its module)."""
    import importlib

    from pulumi import _types

    resource = resources()[token]
    # Through the package, as programs do: importing a lazily loaded submodule directly leaves the
    # package without its attributes for later users.
    package = importlib.import_module(resource.module.rsplit(".", 1)[0])
    return sorted(_types.input_type_types(getattr(package, resource.args_class)))
