"""Policy pack config as the Pulumi CLI resolves it from `--policy-pack-config` files.

Mirrors pulumi/pulumi:
- `pkg/cmd/pulumi/operations/up.go` `validatePolicyPackConfig`: config files pair with
  `--policy-pack` folders by position (the CLI also refuses fewer files than packs; here a pack
  without a file of its own runs on its own config);
- `pkg/resource/analyzer/config.go` `parsePolicyPackConfig`: a file is a JSON object of policy name
  (or `all`) -> an enforcement level, or an object of properties with an optional
  `enforcementLevel`; an empty file is no config; `environments` names ESC environments;
- `ReconcilePolicyPackConfig` there: the schema defaults of each policy (`createConfigWithDefaults`)
  < the pack's `initialConfig` < each file, each applied `all` first, then per policy
  (`applyConfig`), then validated against each policy's config schema (`validatePolicyPackConfig`,
  `convertSchema`), every error of every policy reported, one line each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tooling.offline.config_errors import cli_messages

LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
"""The Analyzer protocol's enforcement level numbers (pulumi/pulumi proto/pulumi/analyzer.proto)."""
LEVEL_NUMBERS = {name: number for number, name in LEVELS.items()}


class PolicyConfigError(ValueError):
    """A policy config value the pack's schema refuses: names pack, policy and key (exit 2)."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    level: str
    config_schema: dict[str, Any] = field(default_factory=dict)  # {properties, required}

    @property
    def config_defaults(self) -> dict[str, Any]:
        return {
            key: schema["default"]
            for key, schema in self.config_schema.get("properties", {}).items()
            if isinstance(schema, dict) and "default" in schema
        }


@dataclass(frozen=True)
class PolicyConfig:
    """One entry of a policy config document: either part may be absent."""

    level: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


def parse_policy_config(document: Any, *, source: str) -> dict[str, PolicyConfig]:
    """A `--policy-pack-config` document (analyzer/config.go `parsePolicyPackConfig`)."""
    if not isinstance(document, Mapping):
        raise PolicyConfigError(f"{source}: must be a JSON object of policy name -> config")
    parsed: dict[str, PolicyConfig] = {}
    for name, value in document.items():
        if name == "environments":  # ESC environments: nothing to resolve offline
            continue
        if isinstance(value, str):
            parsed[name] = PolicyConfig(level=_level(value, source, name))
        elif isinstance(value, Mapping):
            properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
            level = value.get("enforcementLevel")
            if level is not None and not isinstance(level, str):
                raise PolicyConfigError(
                    f"{source}: enforcement level for {name!r} must be a string, not {level!r}"
                )
            parsed[name] = PolicyConfig(
                level=None if level is None else _level(level, source, name),
                properties=properties,
            )
        else:
            raise PolicyConfigError(
                f"{source}: {name!r} must be an enforcement level or an object, not {value!r}"
            )
    return parsed


def _level(value: str, source: str, name: str) -> str:
    if value not in LEVEL_NUMBERS:
        raise PolicyConfigError(
            f"{source}: enforcement level {value!r} for {name!r} is not one of "
            f"{', '.join(LEVEL_NUMBERS)}"
        )
    return value


def _apply(result: dict[str, PolicyConfig], config: Mapping[str, PolicyConfig]) -> None:
    """analyzer/config.go `applyConfig`: `all` sets every level first, then each policy's entry."""
    everything = config.get("all")
    if everything is not None and everything.level is not None:
        for name, current in result.items():
            result[name] = PolicyConfig(everything.level, current.properties)
    for name, given in config.items():
        if name == "all":
            continue
        current = result.get(name, PolicyConfig())
        result[name] = PolicyConfig(
            given.level or current.level, {**current.properties, **given.properties}
        )


def reconcile_policy_config(
    pack: str,
    policies: Sequence[PolicyInfo],
    initial: Mapping[str, PolicyConfig],
    configs: Sequence[tuple[Mapping[str, PolicyConfig], str]] = (),
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Policy name -> (level, properties): defaults < initialConfig < each user config, validated."""
    import jsonschema

    known = {policy.name for policy in policies}
    for config, source in configs:
        unknown = sorted(set(config) - known - {"all"})
        if unknown:  # the CLI would pass them on silently; a typo should not pass unnoticed
            raise PolicyConfigError(
                f"{source} names {', '.join(map(repr, unknown))}, which the pack {pack} does not "
                f"have; its policies are: {', '.join(sorted(known)) or '(none)'}"
            )
    result = {p.name: PolicyConfig(p.level, p.config_defaults) for p in policies}
    _apply(result, initial)
    for config, _ in configs:
        _apply(result, config)
    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    problems: list[str] = []
    name, _, version = pack.rpartition("@")
    for policy in policies:
        entry = result[policy.name]
        if policy.config_schema.get("properties") or policy.config_schema.get("required"):
            # analyzer/config.go convertSchema: the policy's schema as an object schema.
            schema = {"type": "object", **policy.config_schema}
            errors = jsonschema.Draft7Validator(schema).iter_errors(entry.properties)
            problems += cli_messages(name, version, policy.name, errors)
        resolved[policy.name] = (entry.level or policy.level, dict(entry.properties))
    if problems:  # update.go: every error of every policy, one line each
        raise PolicyConfigError("\n".join(problems))
    return resolved


def load_policy_config_file(path: Path) -> dict[str, PolicyConfig]:
    """A `--policy-pack-config FILE`; an empty file is no config, as in the CLI."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyConfigError(f"{path}: no such policy config file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyConfigError(f"{path}: cannot be read ({error})") from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyConfigError(f"{path}: not valid JSON ({error})") from None
    return parse_policy_config(document, source=str(path))


def pair_configs(
    pack_dirs: Sequence[Path], config_files: Sequence[Path]
) -> list[list[tuple[dict[str, PolicyConfig], str]]]:
    """`--policy-pack-config` files paired with `--policy-pack` folders by position, as the CLI does."""
    if len(config_files) > len(pack_dirs):
        raise PolicyConfigError(
            f"{len(config_files)} --policy-pack-config file(s) for {len(pack_dirs)} policy pack(s): "
            "they pair by position, one config per pack at most"
        )
    paired: list[list[tuple[dict[str, PolicyConfig], str]]] = [[] for _ in pack_dirs]
    for index, path in enumerate(config_files):
        paired[index].append((load_policy_config_file(path), str(path)))
    return paired
