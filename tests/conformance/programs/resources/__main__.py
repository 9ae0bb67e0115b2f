"""A program made of data: config `resources` lists what to register, so one program serves every
upstream scenario (pulumi-policy `tests/integration/*/program`, pulumi-test-language's programs).

Each entry: {"type", "name", "props", "opts"}; opts may hold protect, ignoreChanges,
deleteBeforeReplace, replaceOnChanges, retainOnDelete, aliases (old names),
additionalSecretOutputs, customTimeouts ({create, update, delete}), parent, provider and dependsOn (names of earlier entries), and a prop {"$ref": name} is that entry's id
(a property dependency). A type `pulumi:providers:<pkg>` is an explicit provider; `component`
true registers a component resource. Config `runError` makes the program raise a RunError.
"""

from typing import Any

import pulumi

config = pulumi.Config()
if config.get("runError"):
    raise pulumi.RunError(config.require("runError"))

registered: dict[str, pulumi.Resource] = {}


def resolve(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$ref"}:
        target = registered[value["$ref"]]
        assert isinstance(target, pulumi.CustomResource)
        return target.id
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


for entry in config.require_object("resources"):
    opts = entry.get("opts", {})
    timeouts = opts.get("customTimeouts")
    options = pulumi.ResourceOptions(
        protect=opts.get("protect"),
        ignore_changes=opts.get("ignoreChanges"),
        delete_before_replace=opts.get("deleteBeforeReplace"),
        additional_secret_outputs=opts.get("additionalSecretOutputs"),
        custom_timeouts=pulumi.CustomTimeouts(**timeouts) if timeouts else None,
        aliases=[pulumi.Alias(name=n) for n in opts.get("aliases", [])] or None,
        replace_on_changes=opts.get("replaceOnChanges"),
        retain_on_delete=opts.get("retainOnDelete"),
        parent=registered[opts["parent"]] if "parent" in opts else None,
        provider=registered[opts["provider"]] if "provider" in opts else None,  # type: ignore[arg-type]
        depends_on=[registered[n] for n in opts.get("dependsOn", [])] or None,
    )
    props = resolve(entry.get("props", {}))
    kind: str = entry["type"]
    resource: pulumi.Resource
    if kind.startswith("pulumi:providers:"):
        resource = pulumi.ProviderResource(
            kind.rsplit(":", maxsplit=1)[-1], entry["name"], props, options
        )
    elif entry.get("component"):
        resource = pulumi.ComponentResource(kind, entry["name"], props, options)
    else:
        resource = pulumi.CustomResource(kind, entry["name"], props, options)
    registered[entry["name"]] = resource
