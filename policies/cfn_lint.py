"""The one place cfn-lint runs: its rules over a template, cached, with the excluded rules and why.

cfn-lint is imported lazily (it takes about half a second and the pack must start fast) and can be
warmed in a background thread while the layer programs run (`warm_in_background`). Results are
cached by the template's hash and region, so the errors and warnings policies, and a second
evaluation of an unchanged layer, lint once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

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
def _rules(region: str) -> Any:
    """cfn-lint's rule set, loaded once: `lint()` without `rules` reloads every rule module per
    call (about half of a layer's lint time)."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(**_config(region))).rules


def _lint(document: str, region: str) -> tuple[Finding, ...]:
    from cfnlint.api import lint

    matches = lint(document, rules=_rules(region), config=_config(region))
    return tuple(
        Finding(m.rule.id, level_of(m.rule.id), m.message, tuple(m.path or ())) for m in matches
    )


@cache
def _cached(digest: str, document: str, region: str) -> tuple[Finding, ...]:
    del digest  # the cache key; the document itself is the input
    return _lint(document, region)


def lint_template(template: Mapping[str, Any], region: str) -> tuple[Finding, ...]:
    """cfn-lint's findings for `template` in `region`, without the excluded rules."""
    document = json.dumps(template, sort_keys=True)
    digest = hashlib.sha256(f"{region}\0{document}".encode()).hexdigest()
    warmed.wait()  # a warm-up in flight finishes first: one import, never two at once
    return _cached(digest, document, region)


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
    """Import cfn-lint and load its rules on a daemon thread, once per process.

    The pack process waits idle while the engine runs the layer programs; this overlaps cfn-lint's
    start-up (the largest part of its cost) with that wait.
    """
    with _started:
        if _warming.is_set():
            return
        _warming.set()
        warmed.clear()
    threading.Thread(target=_warm, args=(region or "us-east-1",), daemon=True).start()
