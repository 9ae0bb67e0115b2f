"""The change plan: what `pulumi up` would do to a deployed state, per URN, decided offline.

Mirrors the summary of `pulumi preview --diff` (pulumi/pulumi `pkg/resource/deploy/step_generator.go`,
`generateSteps`/`continueStepsFromDiff`/`diffResource`/`processIgnoreChanges`/`applyReplaceOnChanges`,
and `step.go` `DeleteStep.Apply`):
- A URN only in the program is a create, only in the state a delete; a URN the program reaches
  through one of its `aliases` is the same resource (`getOldResource`).
- Inputs are compared as the engine does when the provider gives no diff: old inputs against new
  inputs, secrets unwrapped, `ignoreChanges` paths reset to their old value first.
- Whether a changed property replaces the resource comes from AWS: the CloudFormation registry
  schema's `createOnlyProperties` (replace) and `conditionalCreateOnlyProperties` (may replace),
  reached through the resource type table's Pulumi-to-CloudFormation translation
  (`shared.aws.cloudformation`, the one the pack's cfn-lint policies use), so a property is named
  the way the pack names it. `replaceOnChanges` adds replacements. A property AWS's data cannot
  place is "may replace", never "update".
- A replacement is create-before-delete unless `deleteBeforeReplace` says otherwise or the
  physical name was set explicitly (pulumi-terraform-bridge `nameRequiresDeleteBeforeReplace`:
  the autonamer's keys are listed in the state's `__defaults`; an explicit name cannot exist twice).
- Replacing a resource protected in the state and in the program, or deleting one protected in
  the state, makes `up` fail; a `retainOnDelete` resource is only forgotten, never deleted.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from shared.aws import cloudformation
from shared.aws.registry import (
    conditional_create_only_properties,
    create_only_properties,
)
from shared.aws.types import TYPES
from shared.layers import LAYER_NAMES
from shared.wire import SECRET_SIGNATURE, SECRET_SIGNATURE_KEY
from tooling.offline.model import (
    ROOT_STACK_TYPE,
    UNKNOWN,
    LayerResult,
    Resource,
)
from tooling.offline.stack_export import ENCRYPTED, StackExportError, read_stack_export
from tooling.redaction import is_secret

Action = Literal["create", "update", "replace", "may-replace", "delete", "same"]
Verdict = Literal["update", "may-replace", "replace"]
_SEVERITY: Mapping[str, int] = {"update": 0, "may-replace": 1, "replace": 2}

DEFAULTS_KEY = "__defaults"  # pulumi-terraform-bridge: input keys the provider filled in itself
STATE_SUFFIX = ".json"  # a folder of states holds `<layer>.json`, one `pulumi stack export` each

# Inputs the provider reads only while applying or deleting (they never reach AWS as resource
# configuration, so CloudFormation has no counterpart and a change is an in-place update).
PROVIDER_OPTIONS = frozenset(
    {
        "applyImmediately",
        "skipFinalSnapshot",
        "finalSnapshotIdentifier",
        "forceDestroy",
        "skipDestroy",
        "forceDetachPolicies",
        "revokeRulesOnDelete",
        "waitForSteadyState",
        "forceNewDeployment",
        "triggers",
        "allowOverwrite",
    }
)


@dataclass(frozen=True)
class Change:
    """One URN's step, as the summary of `pulumi preview --diff` gives it."""

    urn: str
    type: str
    action: Action
    properties: tuple[str, ...] = ()  # the changed inputs (top-level camelCase names)
    replace_keys: tuple[str, ...] = ()  # the inputs that replace (or may replace) it
    delete_first: bool = False  # a replacement deletes the old resource before creating the new
    old_urn: str = ""  # the state's URN when the program reached it through an alias
    protected: bool = False  # `up` fails on this step: the resource is protected
    retained: bool = False  # a delete (or the old half of a replace) leaves it in AWS
    reasons: tuple[str, ...] = ()  # why, in words: data sources, options
    old: Resource | None = None
    new: Resource | None = None

    @property
    def destructive(self) -> bool:
        """The step would delete the resource AWS holds (a replacement deletes the old one)."""
        return self.action in ("replace", "may-replace", "delete") and not self.retained


@dataclass(frozen=True)
class DeployedState:
    """Layer states read from `pulumi stack export` files, plus the per-resource flags the
    offline model does not carry (retainOnDelete, external, pending delete)."""

    environment: str
    layers: dict[str, LayerResult]
    flags: dict[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangePlan:
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action != "same"]


# ---- reading states ------------------------------------------------------------------------------


def _state_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob(f"*{STATE_SUFFIX}"))
            strangers = [p.name for p in found if p.stem not in LAYER_NAMES]
            if strangers:
                raise StackExportError(
                    f"{path}: {', '.join(strangers)} is not named after a layer; a state folder "
                    f"holds <layer>{STATE_SUFFIX} files ({', '.join(LAYER_NAMES)})"
                )
            if not found:
                raise StackExportError(f"{path}: no <layer>{STATE_SUFFIX} stack export in it")
            files.extend(found)
        else:
            files.append(path)
    return files


def read_state(paths: Sequence[Path], environment: str) -> DeployedState:
    """The deployed state of `environment` from export files and/or folders of `<layer>.json`."""
    layers: dict[str, LayerResult] = {}
    flags: dict[str, Mapping[str, Any]] = {}
    for path in _state_files(paths):
        export = read_stack_export(path)
        if export.environment != environment:
            raise StackExportError(
                f"{path}: the state of stack {export.environment!r}, not of {environment!r}"
            )
        for name, layer in export.layers.items():
            if name in layers:
                raise StackExportError(f"{path}: a second state of the {name} layer")
            layers[name] = layer
        flags.update(_flags(path))
    return DeployedState(environment, layers, flags)


def _flags(path: Path) -> dict[str, Mapping[str, Any]]:
    """The resource options a stack export keeps beside `protect` (already validated as a file)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    deployment = document.get("deployment", document)
    kept = ("id", "retainOnDelete", "external", "delete", "pendingReplacement")
    return {
        item["urn"]: {k: item[k] for k in kept if k in item}
        for item in deployment.get("resources") or []
        if isinstance(item, dict) and isinstance(item.get("urn"), str)
    }


# ---- writing states ------------------------------------------------------------------------------


def autoname_key(type_: str) -> str | None:
    """The input the provider fills with `<logical name>-<suffix>` when the program leaves it out."""
    entry = TYPES.get(type_)
    shape = entry.shape if entry is not None else None
    if shape is None or not shape.autonamed or "{name}" not in shape.id + (shape.arn or ""):
        return None
    return shape.name_input


def _export_value(value: Any) -> Any:
    """A wire value as an export holds it; a secret is written as an opaque ciphertext, never in
    plaintext (read back, it is an encrypted secret, as in a real export)."""
    if is_secret(value):
        return {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "ciphertext": "offline-plan:not-written"}
    if isinstance(value, Mapping):
        return {k: _export_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_export_value(v) for v in value]
    return value


def state_document(layer: LayerResult, protect: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """The `pulumi stack export` a deployment of this planned layer would leave behind."""
    root = (
        f"urn:pulumi:{layer.stack}::{layer.layer}::{ROOT_STACK_TYPE}::{layer.layer}-{layer.stack}"
    )
    outputs = {
        k: (
            {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": v} if k in layer.secret_outputs else v
        )
        for k, v in layer.outputs.items()
    }
    resources: list[dict[str, Any]] = [
        {"urn": root, "custom": False, "type": ROOT_STACK_TYPE, "outputs": _export_value(outputs)}
    ]
    for r in layer.resources:
        inputs = dict(r.inputs)
        key = autoname_key(r.type)
        if key and key not in inputs and key in r.outputs:
            inputs[key] = r.outputs[key]
            inputs[DEFAULTS_KEY] = [key]
        item: dict[str, Any] = {
            "urn": r.urn,
            "custom": r.custom,
            "type": r.type,
            "inputs": _export_value(inputs),
            "outputs": _export_value({k: v for k, v in r.outputs.items() if k != "id"}),
            "parent": r.parent or root,
            "dependencies": list(r.dependencies),
            "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
        }
        if r.custom and "id" in r.outputs:
            item["id"] = r.outputs["id"]
        if r.provider:
            item["provider"] = r.provider
        if r.protect:
            item["protect"] = True
        if r.retain_on_delete:
            item["retainOnDelete"] = True
        resources.append(item)
    return {
        "version": 3,
        "deployment": {"manifest": {"version": "offline-plan"}, "resources": resources},
    }


def write_state(layers: Iterable[LayerResult], folder: Path) -> list[Path]:
    """One `<layer>.json` per layer: the state planning against which must report no changes."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for layer in layers:
        path = folder / f"{layer.layer}{STATE_SUFFIX}"
        path.write_text(json.dumps(state_document(layer), indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


# ---- resource options ----------------------------------------------------------


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v)
    return ()


def _alias_urns(resource: Resource) -> tuple[str, ...]:
    """The URNs an `aliases` option names: URN strings, or specs (name/type/parent/stack/project)
    filled from the resource's own URN, as `collapseAliasToUrn` fills them."""
    found: list[str] = []
    for alias in resource.declared_aliases or resource.aliases:
        if isinstance(alias, str):
            found.append(alias)
            continue
        if not isinstance(alias, Mapping):
            continue
        if isinstance(alias.get("urn"), str):
            found.append(alias["urn"])
            continue
        prefix, project, qualified, name = resource.urn.split("::", 3)
        stack = str(alias.get("stack") or prefix.removeprefix("urn:pulumi:"))
        project = str(alias.get("project") or project)
        type_ = str(alias.get("type") or resource.type)
        parents = qualified.rsplit("$", 1)[0] + "$" if "$" in qualified else ""
        if alias.get("noParent"):
            parents = ""
        elif isinstance(alias.get("parentUrn"), str) and alias["parentUrn"]:
            parent_qualified = alias["parentUrn"].split("::")[2]
            parents = "" if parent_qualified == ROOT_STACK_TYPE else parent_qualified + "$"
        found.append(
            f"urn:pulumi:{stack}::{project}::{parents}{type_}::{alias.get('name') or name}"
        )
    return tuple(found)


# ---- comparing inputs ----------------------------------------------------------------------------


def _encrypted(value: Any) -> bool:
    return is_secret(value) and value.get("value") == ENCRYPTED


def _unwrap(value: Any) -> Any:
    """Secrets unwrapped and whole doubles as ints, as `unwrapResourceSecretsAndOutputs` compares."""
    if is_secret(value):
        return _unwrap(value.get("value"))
    if isinstance(value, Mapping):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return bool(value == UNKNOWN)


def _path(text: str) -> list[str]:
    """`a.b[0].c` / `a["b.c"]` -> keys; enough of `resource.ParsePropertyPath` for option paths."""
    parts: list[str] = []
    for piece in text.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(piece.strip('"'))
    return parts


def _reset(new: dict[str, Any], old: Mapping[str, Any], path: list[str]) -> None:
    """`processIgnoreChanges`: the value at `path` in `new` becomes the one in `old`."""
    if path == ["*"]:
        new.clear()
        new.update(old)
        return
    source: Any = old
    target: Any = new
    for index, key in enumerate(path):
        last = index == len(path) - 1
        if isinstance(source, Mapping) and isinstance(target, dict):
            if key not in source:
                if last:
                    target.pop(key, None)
                return
            if last:
                target[key] = source[key]
                return
            source, target = source[key], target.get(key)
        elif isinstance(source, list) and isinstance(target, list) and key.isdigit():
            i = int(key)
            if i >= len(source) or i >= len(target):
                return
            if last:
                target[i] = source[i]
                return
            source, target = source[i], target[i]
        else:
            return


def _compared_inputs(
    old: Resource, new: Resource
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(old inputs, new inputs, encrypted keys) ready to compare: the provider's own defaults
    carried over, ignoreChanges applied, encrypted secrets left as they were."""
    # `__defaults`, `__meta`: the bridge's bookkeeping, not inputs.
    old_in = {k: v for k, v in old.inputs.items() if not k.startswith("__")}
    new_in = json.loads(json.dumps({k: v for k, v in new.inputs.items() if not k.startswith("__")}))
    for key in _strings(old.inputs.get(DEFAULTS_KEY)):
        # The bridge's Check keeps an old default (the autoname) when the program leaves it out.
        if key not in new_in and key in old_in:
            new_in[key] = old_in[key]
    for text in new.ignore_changes:
        _reset(new_in, old_in, _path(text))
    encrypted = [k for k, v in old_in.items() if _encrypted(v) and k in new_in]
    for key in encrypted:
        new_in[key] = old_in[key]
    return old_in, new_in, encrypted


# ---- AWS's verdict per property ------------------------------------------------------------------


def _cloudformation(type_: str, urn: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The resource's CloudFormation properties as the pack translates them; None: no translation."""
    if type_ not in cloudformation.translations():
        return None
    planned = cloudformation.Planned(type=type_, urn=urn, name=urn.rsplit("::", 1)[-1], props=props)
    translated = cloudformation.translate([planned])
    return translated[0].properties if translated else {}


def _at(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _matches(
    pointers: Iterable[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    return [p for p in pointers if _at(before, p.split("/")) != _at(after, p.split("/"))]


def property_verdict(
    type_: str, urn: str, old_in: Mapping[str, Any], new_in: Mapping[str, Any], key: str
) -> tuple[Verdict, str]:
    """Whether changing input `key` from `old_in` to `new_in` updates or replaces, and why."""
    from shared.aws.registry import cloudformation_type

    if key in PROVIDER_OPTIONS:
        return "update", f"{key}: a provider option, not resource configuration"
    cfn_type = cloudformation_type(type_)
    before = _cloudformation(type_, urn, old_in) if cfn_type else None
    if cfn_type is None or before is None:
        return "may-replace", f"{key}: no CloudFormation schema for {type_}"
    changed_in = {k: v for k, v in old_in.items() if k != key}
    if key in new_in:
        changed_in[key] = new_in[key]
    after = _cloudformation(type_, urn, changed_in) or {}
    differing = [p for p in {*before, *after} if before.get(p) != after.get(p)]
    if not differing:
        # Tags a type takes no CloudFormation Tags for, or an output-only key: not configuration.
        plain = key == "tags" or key not in _sdk_inputs(type_)
        return (
            ("update", f"{key}: not part of {cfn_type}'s configuration")
            if plain
            else ("may-replace", f"{key}: no {cfn_type} property carries it")
        )
    unknown = _has_unknown(new_in.get(key))
    replaced = _matches(create_only_properties(cfn_type), before, after)
    if replaced:
        verdict: Verdict = "may-replace" if unknown else "replace"
        return verdict, f"{key}: {cfn_type} {'/'.join(replaced)} is create-only"
    conditional = _matches(conditional_create_only_properties(cfn_type), before, after)
    if conditional:
        return (
            "may-replace",
            f"{key}: {cfn_type} {'/'.join(conditional)} is conditionally create-only",
        )
    return "update", f"{key}: {cfn_type} {', '.join(sorted(differing))} updates in place"


def _sdk_inputs(type_: str) -> frozenset[str]:
    return cloudformation.inputs().get(type_, frozenset())


# ---- the plan ------------------------------------------------------------------------------------


def _managed(resource: Resource, flags: Mapping[str, Any]) -> bool:
    """A resource `up` would step over: not the root stack, a default provider, a read resource
    or one already pending deletion."""
    if resource.is_root_stack or flags.get("external") or flags.get("delete"):
        return False
    return not (resource.is_provider and resource.name.startswith("default"))


def _diff(old: Resource, new: Resource, old_flags: Mapping[str, Any]) -> tuple[Change, list[str]]:
    old_in, new_in, encrypted = _compared_inputs(old, new)
    changed = sorted(
        k for k in {*old_in, *new_in} if _unwrap(old_in.get(k)) != _unwrap(new_in.get(k))
    )
    replace_on = [_path(p) for p in new.replace_on_changes]
    if not changed and not old_flags.get("pendingReplacement"):
        return Change(new.urn, new.type, "same", old=old, new=new), encrypted
    verdicts: dict[str, Verdict] = {}
    reasons: list[str] = []
    for key in changed:
        verdicts[key], why = _key_verdict(new, key, old_in, new_in, replace_on)
        reasons.append(why)
    worst: Verdict = max(verdicts.values(), key=lambda v: _SEVERITY[v], default="update")
    if old_flags.get("pendingReplacement"):
        worst, reasons = "replace", [*reasons, "the state marks it pending replacement"]
    action: Action = worst
    replace_keys = tuple(k for k, v in verdicts.items() if v != "update")
    change = Change(
        urn=new.urn,
        type=new.type,
        action=action,
        properties=tuple(changed),
        replace_keys=replace_keys if action != "update" else (),
        old=old,
        new=new,
        reasons=tuple(reasons),
    )
    if action in ("replace", "may-replace"):
        change = _replacement(change, old, new, new_in, old_flags)
    return change, encrypted


def _key_verdict(
    new: Resource,
    key: str,
    old_in: Mapping[str, Any],
    new_in: Mapping[str, Any],
    replace_on: Sequence[list[str]],
) -> tuple[Verdict, str]:
    if not new.custom:  # `diff` without a provider: the inputs differ, nothing is replaced
        return "update", f"{key}: a component's inputs"
    if any(p == ["*"] or p[:1] == [key] for p in replace_on):
        return "replace", f"{key}: listed in replaceOnChanges"
    if new.is_provider:
        return "may-replace", f"{key}: a provider's configuration changed"
    return property_verdict(new.type, new.urn, old_in, new_in, key)


def _replacement(
    change: Change,
    old: Resource,
    new: Resource,
    new_in: Mapping[str, Any],
    flags: Mapping[str, Any],
) -> Change:
    reasons = list(change.reasons)
    explicit_option = new.delete_before_replace
    name_key = autoname_key(new.type)
    explicit_name = name_key is not None and name_key in new.inputs
    if isinstance(explicit_option, bool):
        delete_first = explicit_option
        reasons.append(f"deleteBeforeReplace={str(explicit_option).lower()}")
    elif explicit_name:
        delete_first = True
        reasons.append(f"{name_key} is set explicitly: the old resource is deleted first")
    else:
        delete_first = False
    protected = old.protect and new.protect
    if protected:
        reasons.append(
            "protected: `up` fails (unable to replace a protected resource); to proceed, remove "
            "`protect` in the program and run `pulumi up`, then make this change"
        )
    retained = bool(flags.get("retainOnDelete"))
    if retained:
        reasons.append("retainOnDelete: the old resource stays in AWS, outside the stack")
    return dataclasses.replace(
        change,
        delete_first=delete_first,
        protected=protected,
        retained=retained,
        reasons=tuple(reasons),
        old=old,
        new=new,
    )


def plan_changes(planned: Mapping[str, LayerResult], state: DeployedState) -> ChangePlan:
    """Every URN of the planned layers and of their states: create, update, replace, may-replace,
    delete or same. Layers without a state are created whole (said in a note).

    The offline engine invents ids, ARNs and autonames; a deployed state holds AWS's. As in a
    real `up`, a resource that is not replaced keeps the values AWS gave it, and so every input
    built from them: the planned values are read as the deployed ones (`_Deployed`) before
    comparing, the replaced resources' excepted, until no further replacement appears.
    """
    notes: list[str] = []
    missing = [name for name in planned if name not in state.layers]
    if missing:
        notes.append(f"no state for {', '.join(missing)}: every resource there is a create")
    unplanned = [name for name in state.layers if name not in planned]
    if unplanned:
        notes.append(f"the state of {', '.join(unplanned)} is not compared: not planned")
    olds = {
        r.urn: r
        for name, layer in state.layers.items()
        if name in planned
        for r in layer.resources
        if _managed(r, state.flags.get(r.urn, {}))
    }
    pairs: list[tuple[str, Resource]] = []  # (old URN or "", new)
    matched: set[str] = set()
    for layer in planned.values():
        for new in layer.resources:
            if not _managed(new, {}):
                continue
            old_urn = (
                new.urn
                if new.urn in olds
                else next((a for a in _alias_urns(new) if a in olds and a not in matched), "")
            )
            matched.update({old_urn} - {""})
            pairs.append((old_urn, new))
    replaced: set[str] = set()
    for _ in range(len(pairs) + 1):  # each round can only add replacements: it ends
        deployed = _Deployed.of(pairs, olds, state, replaced)
        changes, encrypted = _steps(pairs, olds, state, deployed)
        now = {c.urn for c in changes if c.action in ("replace", "may-replace")}
        if now <= replaced:
            break
        replaced |= now
    for urn, old in olds.items():
        if urn not in matched:
            changes.append(_deletion(old, state.flags.get(urn, {})))
    if encrypted:
        notes.append(
            f"{len(encrypted)} secret input(s) are encrypted in the state and were not compared "
            "(an export made with --show-secrets compares them)"
        )
    return ChangePlan(tuple(changes), tuple(notes))


def _steps(
    pairs: Sequence[tuple[str, Resource]],
    olds: Mapping[str, Resource],
    state: DeployedState,
    deployed: _Deployed,
) -> tuple[list[Change], list[str]]:
    changes: list[Change] = []
    encrypted: list[str] = []
    for old_urn, planned_resource in pairs:
        new = deployed.apply(planned_resource)
        if not old_urn:
            changes.append(Change(new.urn, new.type, "create", new=new))
            continue
        change, secret_keys = _diff(olds[old_urn], new, state.flags.get(old_urn, {}))
        encrypted.extend(f"{new.urn}.{k}" for k in secret_keys)
        if old_urn != new.urn:
            change = _aliased(change, old_urn)
        changes.append(change)
    return changes, encrypted


_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")
# Shorter computed strings ("true", "5432", "available") are too common to stand for a resource.
MIN_SUBSTITUTED_LENGTH = 8


@dataclass(frozen=True)
class _Deployed:
    """Planned (mock) computed values -> the values the deployed state holds for them."""

    table: Mapping[str, str]

    @classmethod
    def of(
        cls,
        pairs: Sequence[tuple[str, Resource]],
        olds: Mapping[str, Resource],
        state: DeployedState,
        replaced: set[str],
    ) -> _Deployed:
        from tooling.offline.mocks import ACCOUNT_ID

        table: dict[str, str] = {}
        accounts: dict[str, int] = {}
        for old_urn, new in pairs:
            if not old_urn:
                continue
            old = olds[old_urn]
            old_outputs = {**old.outputs, "id": state.flags.get(old_urn, {}).get("id")}
            for value in old_outputs.values():
                found = _ARN_ACCOUNT.match(value) if isinstance(value, str) else None
                if found:
                    accounts[found.group(1)] = accounts.get(found.group(1), 0) + 1
            if new.urn in replaced:
                continue  # a replacement's computed values are new: unknown until `up`
            for key, value in new.outputs.items():
                was = old_outputs.get(key)
                if (
                    key not in new.inputs
                    and isinstance(value, str)
                    and isinstance(was, str)
                    and value != was
                    and len(value) >= MIN_SUBSTITUTED_LENGTH
                    and was != ENCRYPTED
                ):
                    table[value] = was
        account = max(accounts, key=lambda a: accounts[a], default=ACCOUNT_ID)
        if account != ACCOUNT_ID:
            table[ACCOUNT_ID] = account  # the mocks' account inside policies and ARNs
        return cls(table)

    def apply(self, resource: Resource) -> Resource:
        if not self.table:
            return resource
        return dataclasses.replace(
            resource,
            inputs=self._value(resource.inputs),
            outputs=self._value(resource.outputs),
        )

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._pattern.sub(lambda m: self.table[m.group(0)], value)
        if isinstance(value, Mapping):
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v) for v in value]
        return value

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest first, so an ARN is replaced whole before the id inside it.
        keys = sorted(self.table, key=len, reverse=True)
        return re.compile("|".join(re.escape(k) for k in keys))


def _aliased(change: Change, old_urn: str) -> Change:
    return dataclasses.replace(
        change, old_urn=old_urn, reasons=(*change.reasons, f"reached through its alias {old_urn}")
    )


def _deletion(old: Resource, flags: Mapping[str, Any]) -> Change:
    reasons: list[str] = []
    retained = bool(flags.get("retainOnDelete"))
    if old.protect:
        reasons.append(
            "protected: `up` fails (cannot be deleted because it is protected); to proceed, "
            "remove `protect` in the program and run `pulumi up` before removing the resource, "
            f"or run `pulumi state unprotect '{old.urn}'`"
        )
    if retained:
        reasons.append("retainOnDelete: removed from the stack, kept in AWS")
    return Change(
        old.urn,
        old.type,
        "delete",
        protected=old.protect,
        retained=retained,
        reasons=tuple(reasons),
        old=old,
    )
