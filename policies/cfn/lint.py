"""The one place cfn-lint runs: its rules over a template, cached, with the excluded rules and why.

cfn-lint is imported lazily: it pulls in sympy and takes 1.5-3 s, which a pack start must not pay
when nothing needs linting. Findings are cached by the hash of (cfn-lint version, excluded rules,
region, template), in memory and on disk (`$AWS_PLATFORM_CACHE_DIR`, else
`$XDG_CACHE_HOME/aws-platform`, else `~/.cache/aws-platform`, under `cfn-lint/`): the errors and
warnings policies share one lint, and an unchanged layer is never linted again on this machine, so
a repeated plan never imports cfn-lint. When the disk cache holds nothing for this cfn-lint yet, the
pack imports it on a background thread at start-up (`warm_in_background`), overlapping the engine
running the layer programs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal, NoReturn

Level = Literal["error", "warning", "informational"]

# Rules that cannot apply to a translation of a Pulumi plan. The one documented place.
EXCLUDED_RULES: Mapping[str, str] = {
    "W3010": (
        "hard-coded availability zones: Pulumi resolves the zones at plan time (the network "
        "layer asks AWS for them), so the template always carries concrete zone names"
    ),
    "W1011": (
        "Ref a parameter for a secret: the template's only parameter is the translation's "
        "placeholder for values unknown during preview, never a secret"
    ),
}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    level: Level
    message: str
    path: tuple[str | int, ...]  # from the template root: ("Resources", logical id, ...)


def level_of(rule_id: str) -> Level:
    return {"E": "error", "W": "warning"}.get(rule_id[:1], "informational")  # type: ignore[return-value]


def _config(region: str) -> Any:
    from cfnlint.api import ManualArgs

    return ManualArgs(regions=[region], ignore_checks=sorted(EXCLUDED_RULES))


@cache
def _runner(region: str) -> tuple[Any, Any]:
    """cfn-lint's config and rule set, loaded once per region. `cfnlint.api.lint` builds a new
    Runner (every rule module and its schemas loaded again) unless handed a `RulesCollection`,
    which `Runner.rules` is not; so the template goes to `run_template_by_data`, as `lint` does."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    config = ConfigMixIn(**_config(region))
    return config, Runner(config).rules


def _lint(document: str, region: str) -> tuple[Finding, ...]:
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(document)
    if errors or template is None:
        matches = list(errors or ())
    else:
        config, rules = _runner(region)
        matches = list(run_template_by_data(template, config, rules))
    return tuple(
        # A decoding error (E0000) has no path: it is about the whole template.
        Finding(m.rule.id, level_of(m.rule.id), m.message, tuple(getattr(m, "path", None) or ()))
        for m in matches
    )


def cache_dir() -> Path:
    """Where findings are kept between processes; one file per template, named by its key."""
    root = os.environ.get("AWS_PLATFORM_CACHE_DIR") or (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws-platform"
    )
    return Path(root) / "cfn-lint" / version("cfn-lint")


def _key(document: str, region: str) -> str:
    excluded = ",".join(sorted(EXCLUDED_RULES))
    return hashlib.sha256(f"{excluded}\0{region}\0{document}".encode()).hexdigest()


def _read(path: Path) -> tuple[Finding, ...] | None:
    try:
        rows = json.loads(path.read_text())
        return tuple(Finding(r[0], r[1], r[2], tuple(r[3])) for r in rows)
    except (OSError, ValueError, TypeError, IndexError):
        return None  # missing or unreadable: lint again


def _write(path: Path, findings: tuple[Finding, ...]) -> None:
    rows = [[f.rule_id, f.level, f.message, list(f.path)] for f in findings]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(rows, out)
        os.replace(temporary, path)  # readers see a whole file or none
    except OSError:
        pass  # a read-only or full disk only costs the next lint


@cache
def _cached(key: str, document: str, region: str) -> tuple[Finding, ...]:
    path = cache_dir() / f"{key}.json"
    found = _read(path)
    if found is None:
        warmed.wait()  # a warm-up in flight finishes first: one import, never two at once
        found = _lint(document, region)
        _write(path, found)
    return found


# cfn-lint's cost grows faster than the template (1,000 resources: 15 s, 2,000: 50 s here). A bigger
# stack is linted in parts of at most this many resources, each distinct resource once. The
# translation's resources never refer to one another; what cfn-lint compares across resources
# (unique names per type, E3019; overlapping subnets, E3060) is kept by putting resources of one
# type side by side and two of any identical ones in the same part.
PART_SIZE = 200


def lint_template(template: Mapping[str, Any], region: str) -> tuple[Finding, ...]:
    """cfn-lint's findings for `template` in `region`, without the excluded rules."""
    if len(template.get("Resources") or {}) <= PART_SIZE:
        document = json.dumps(template, sort_keys=True)
        return _cached(_key(document, region), document, region)
    return _lint_in_parts(template, region)


def _lint_in_parts(template: Mapping[str, Any], region: str) -> tuple[Finding, ...]:
    resources: Mapping[str, Any] = template["Resources"]
    alike: dict[str, list[str]] = {}  # a resource's JSON -> the logical ids of every identical one
    for logical_id, body in resources.items():
        alike.setdefault(json.dumps(body, sort_keys=True), []).append(logical_id)
    # Who a finding on a linted resource stands for: the first of identical resources itself, the
    # second all the others (what cfn-lint says of a duplicate it says of each further one).
    stands_for: dict[str, list[str]] = {}
    groups = sorted(alike.values(), key=lambda ids: str(resources[ids[0]].get("Type")))
    for ids in groups:
        stands_for[ids[0]] = ids[:1]
        if len(ids) > 1:
            stands_for[ids[1]] = ids[1:]
    frame = {k: v for k, v in template.items() if k not in ("Parameters", "Resources")}
    parameters: Mapping[str, Any] = template.get("Parameters") or {}
    found: list[Finding] = []
    part: dict[str, Any] = {}
    for index, ids in enumerate(groups):
        part.update((logical_id, resources[logical_id]) for logical_id in ids[:2])
        if index + 1 < len(groups) and len(part) + 2 <= PART_SIZE:
            continue
        text = json.dumps(part)
        used = {n: p for n, p in parameters.items() if json.dumps({"Ref": n}) in text}
        document = {**frame, **({"Parameters": used} if used else {}), "Resources": part}
        for finding in lint_template(document, region):
            path = finding.path
            linted = _logical_id(finding)
            if linted not in stands_for:
                found.append(finding)
                continue
            found.extend(
                replace(
                    finding,
                    path=(path[0], logical_id, *path[2:]),
                    message=finding.message.replace(linted, logical_id),
                )
                for logical_id in stands_for[linted]
            )
        part = {}
    order = {logical_id: index for index, logical_id in enumerate(resources)}
    return tuple(sorted(found, key=lambda finding: order.get(_logical_id(finding), -1)))


def _logical_id(finding: Finding) -> str:
    """The resource a finding is about, or "" for one about the template as a whole."""
    path = finding.path
    return str(path[1]) if len(path) > 1 and path[0] == "Resources" else ""


warmed = threading.Event()  # set whenever no warm-up is in flight
warmed.set()
_started = threading.Lock()
_warming = threading.Event()  # set once a warm-up was started in this process


def _warm(region: str) -> None:
    try:
        empty = {"Resources": {"Warm": {"Type": "AWS::SNS::Topic", "Properties": {}}}}
        _lint(json.dumps(empty), region)  # imports cfn-lint and loads its rule set and schemas
    except Exception:  # warming is an optimisation: the real lint reports any failure
        pass
    finally:
        warmed.set()


def warm_in_background(region: str | None) -> None:
    """Import cfn-lint and load its rules on a daemon thread, once per process, unless the disk
    cache already holds findings of this cfn-lint (then a plan most likely lints nothing).

    The pack process waits idle while the engine runs the layer programs; this overlaps cfn-lint's
    start-up (the largest part of its cost) with that wait.
    """
    directory = cache_dir()
    if directory.is_dir() and any(directory.glob("*.json")):
        return
    with _started:
        if _warming.is_set():
            return
        _warming.set()
        warmed.clear()
    threading.Thread(target=_warm, args=(region or "us-east-1",), daemon=True).start()


def exit_once_served() -> NoReturn:
    """End the pack process at once when its server returned (the engine's SIGINT stops it).

    Tearing down an interpreter that imported cfn-lint (sympy, the rule set, its schemas) takes
    about 0.5 s here, and the engine waits for the pack to exit. Nothing is left to do by then: the
    disk cache is written before each answer, and the standard streams are flushed here.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
