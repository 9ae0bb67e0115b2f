"""The destructive-change guard over a change plan, configured per environment class.

`policies/config/changes/<class>.json` opts a class in (a class without the file has no guard):

    {"destructive": "mandatory", "broadening": "mandatory",
     "allow": {"<urn>": "why, and who reviewed it"}}

- `destructive`: replacing or deleting a resource that holds data (DATA_TYPES) — or a change that
  may replace one — is a violation at this level.
- `broadening`: changes that widen access, listed as `cdk deploy --require-approval broadening`
  lists them (new or wider IAM statements, trust policies, security-group rules, bucket, key and
  topic policies), are violations at this level.
- `allow`: the reviewed allowance. A URN listed here with a non-empty reason may be replaced,
  deleted or widened; the reason is printed with the change. Levels: mandatory, advisory, disabled.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from shared.aws.types import TYPES
from shared.layers import POLICY_PACK_DIR
from tooling.offline.changes import Change, ChangePlan
from tooling.redaction import is_secret

Level = Literal["mandatory", "advisory", "disabled"]
LEVELS: tuple[Level, ...] = ("mandatory", "advisory", "disabled")
GUARD_DIR = POLICY_PACK_DIR / "config" / "changes"

# Resources whose replacement or deletion loses data AWS holds for us (`holds_data` in the table).
DATA_TYPES: Mapping[str, str] = {
    token: entry.holds_data for token, entry in TYPES.items() if entry.holds_data
}
# Inputs holding an IAM-style JSON policy: (type, property) -> what it grants.
POLICY_INPUTS: Mapping[tuple[str, str], str] = {
    ("aws:iam/role:Role", "assumeRolePolicy"): "trust policy",
    ("aws:iam/rolePolicy:RolePolicy", "policy"): "IAM policy",
    ("aws:iam/policy:Policy", "policy"): "IAM policy",
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"): "bucket policy",
    ("aws:kms/key:Key", "policy"): "key policy",
    ("aws:sns/topicPolicy:TopicPolicy", "policy"): "topic policy",
    ("aws:secretsmanager/secretPolicy:SecretPolicy", "policy"): "secret policy",
}
ATTACHMENTS = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    }
)
RULE_RESOURCES = frozenset(
    {
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    }
)
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


class GuardConfigError(ValueError):
    """The class's guard file is not what the module docstring describes."""


@dataclass(frozen=True)
class GuardConfig:
    environment_class: str
    destructive: Level = "disabled"
    broadening: Level = "disabled"
    allow: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None


@dataclass(frozen=True)
class Finding:
    urn: str
    kind: Literal["destructive", "broadening"]
    message: str
    level: Level
    allowance: str = ""  # the reviewed reason, when the URN is allowed

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory" and not self.allowance


def load_guard_config(environment_class: str, folder: Path = GUARD_DIR) -> GuardConfig:
    path = folder / f"{environment_class}.json"
    if not path.is_file():
        return GuardConfig(environment_class)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GuardConfigError(f"{path}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise GuardConfigError(f"{path}: must be an object")
    unknown = sorted(set(document) - {"destructive", "broadening", "allow"})
    if unknown:
        raise GuardConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    levels: dict[str, Level] = {}
    for key in ("destructive", "broadening"):
        level = document.get(key, "disabled")
        if level not in LEVELS:
            raise GuardConfigError(
                f"{path}: {key} must be one of {', '.join(LEVELS)}, not {level!r}"
            )
        levels[key] = level
    allow = document.get("allow", {})
    if not isinstance(allow, dict) or not all(
        isinstance(k, str) and k.startswith("urn:pulumi:") and isinstance(v, str) and v.strip()
        for k, v in allow.items()
    ):
        raise GuardConfigError(
            f"{path}: allow must map URNs to a non-empty reason (why, and who reviewed it)"
        )
    return GuardConfig(
        environment_class,
        destructive=levels["destructive"],
        broadening=levels["broadening"],
        allow=dict(allow),
        source=path,
    )


# ---- broadening ----------------------------------------------------------------------------------


def _statements(document: Any) -> list[Mapping[str, Any]]:
    if is_secret(document):
        document = document.get("value")  # an export's encrypted one has only a ciphertext
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    if not isinstance(document, Mapping):
        return []
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def _canonical(statement: Mapping[str, Any]) -> str:
    def norm(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: norm(v) for k, v in sorted(value.items()) if k != "Sid"}
        if isinstance(value, list):
            return sorted(json.dumps(norm(v), sort_keys=True) for v in value)
        return [json.dumps(value)] if not isinstance(value, bool) else value

    return json.dumps(norm(statement), sort_keys=True)


def _label(statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    action = statement.get("Action", statement.get("NotAction", "?"))
    effect = statement.get("Effect", "Allow")
    return f"{effect} {sid + ': ' if sid else ''}{json.dumps(action)}"


def _widened_statements(old: Any, new: Any) -> list[str]:
    """Allow statements the new document adds (or changes), Deny statements it drops."""
    before = {_canonical(s): s for s in _statements(old)}
    after = {_canonical(s): s for s in _statements(new)}
    added = [
        _label(s)
        for k, s in after.items()
        if k not in before and s.get("Effect", "Allow") == "Allow"
    ]
    dropped = [_label(s) for k, s in before.items() if k not in after and s.get("Effect") == "Deny"]
    return added + [f"removed {d}" for d in dropped]


@dataclass(frozen=True)
class _Rule:
    protocol: str
    low: int
    high: int
    peer: str  # a CIDR, or a group / prefix-list id

    def covered_by(self, other: _Rule) -> bool:
        if other.protocol not in ("-1", self.protocol):
            return False
        if other.protocol != "-1" and not (other.low <= self.low and self.high <= other.high):
            return False
        try:
            mine, theirs = ipaddress.ip_network(self.peer), ipaddress.ip_network(other.peer)
        except ValueError:
            return self.peer == other.peer
        return mine.version == theirs.version and mine.subnet_of(theirs)  # type: ignore[arg-type]

    def __str__(self) -> str:
        ports = "all ports" if self.protocol == "-1" else f"{self.protocol} {self.low}-{self.high}"
        return f"{ports} from/to {self.peer}"


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _rule_resource(props: Mapping[str, Any]) -> list[_Rule]:
    peer = next(
        (
            str(props[k])
            for k in ("cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId")
            if props.get(k)
        ),
        "?",
    )
    return [
        _Rule(
            str(props.get("ipProtocol", "-1")),
            _int(props.get("fromPort"), 0),
            _int(props.get("toPort"), 65535),
            peer,
        )
    ]


def _inline_rules(entries: Any) -> list[_Rule]:
    rules: list[_Rule] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        peers = [
            *(entry.get("cidrBlocks") or []),
            *(entry.get("ipv6CidrBlocks") or []),
            *(entry.get("securityGroups") or []),
            *(entry.get("prefixListIds") or []),
        ]
        if entry.get("self"):
            peers.append("self")
        for peer in peers:
            rules.append(
                _Rule(
                    str(entry.get("protocol", "-1")),
                    _int(entry.get("fromPort"), 0),
                    _int(entry.get("toPort"), 65535),
                    str(peer),
                )
            )
    return rules


def _widened_rules(old: list[_Rule], new: list[_Rule]) -> list[str]:
    return [str(r) for r in new if not any(r.covered_by(o) for o in old)]


def broadening(change: Change) -> list[str]:
    """How a change widens access, in words (empty when it does not)."""
    if change.new is None or change.action == "same":
        return []
    new = change.new.inputs
    old = change.old.inputs if change.old is not None else {}
    found: list[str] = []
    for (type_, key), what in POLICY_INPUTS.items():
        if change.type == type_ and key in new:
            found += [f"{what}: {s}" for s in _widened_statements(old.get(key), new[key])]
    if change.type in ATTACHMENTS and (
        change.old is None or old.get("policyArn") != new.get("policyArn")
    ):
        found.append(f"attaches managed policy {new.get('policyArn')}")
    if change.type in RULE_RESOURCES:
        before = _rule_resource(old) if change.old is not None else []
        direction = "ingress" if "Ingress" in change.type else "egress"
        found += [f"{direction} rule: {r}" for r in _widened_rules(before, _rule_resource(new))]
    if change.type == SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            widened = _widened_rules(
                _inline_rules(old.get(direction)), _inline_rules(new.get(direction))
            )
            found += [f"{direction} rule: {r}" for r in widened]
    return found


# ---- the guard -----------------------------------------------------------------------------------


def _how_to_allow(config: GuardConfig, urn: str) -> str:
    where = config.source or GUARD_DIR / f"{config.environment_class}.json"
    return f'to allow it, add "{urn}": "<why; reviewed by>" to "allow" in {where}'


def _holds_data(change: Change) -> str | None:
    return DATA_TYPES.get(change.type)


def guard(plan: ChangePlan, config: GuardConfig) -> list[Finding]:
    """The guard's findings: destructive changes to data, then changes that widen access."""
    findings: list[Finding] = []
    for change in plan.changes:
        what = _holds_data(change)
        if what and change.destructive and config.destructive != "disabled":
            verb = {"may-replace": "may replace", "replace": "replaces", "delete": "deletes"}[
                change.action
            ]
            message = f"{verb} it, and with it {what}"
            allowance = config.allow.get(change.urn, "")
            if not allowance:
                message += f"; {_how_to_allow(config, change.urn)}"
            findings.append(
                Finding(change.urn, "destructive", message, config.destructive, allowance)
            )
    for change in plan.changes:
        widened = broadening(change)
        if not widened:
            continue
        level: Level = config.broadening if config.broadening != "disabled" else "advisory"
        allowance = config.allow.get(change.urn, "")
        message = "; ".join(widened)
        if level == "mandatory" and not allowance:
            message += f"; {_how_to_allow(config, change.urn)}"
        findings.append(Finding(change.urn, "broadening", message, level, allowance))
    return findings


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]
