"""The conformance harness: programs under the offline planner, packs over the Analyzer protocol.

Pulumi's own policy tests (pulumi-policy `tests/integration/integration_test.go`, pulumi
`pkg/testing/pulumi-test-language/tests/policy_*.go`) are carried over as cases: the same programs
(as data, see programs/resources), the same pack behaviour (packs/python and packs/node, written
anew), the same expected violations, levels, failures and config errors. Every pack process is
started once per session and reconfigured per case, as the offline plan reconfigures per layer;
every program runs once per session, whichever runtime's pack checks it.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tooling.offline.analysis import analyze_stack
from tooling.offline.analyzer import PolicyPackServer, Violation, policy_pack
from tooling.offline.layer_runner import run_layer
from tooling.offline.model import LayerResult
from tooling.offline.policy_config import parse_policy_config

HERE = Path(__file__).resolve().parent
PACKS = HERE / "packs"
PROGRAM = HERE / "programs" / "resources"
NODE_MODULES = HERE.parents[1] / "tests" / "fixtures" / "node_policy_pack" / "node_modules"
STACK = "test"
RUNTIMES = ("python", "node")


def urn(project: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{project}::{type_}::{name}"


def root(project: str) -> str:
    """The root stack's URN, as the engine names it (resource.DefaultRootStackURN)."""
    return urn(project, "pulumi:pulumi:Stack", f"{project}-{STACK}")


@dataclass(frozen=True)
class Found:
    """One violation as a case expects it: policy, level, the URN it is filed against, and text
    the message ends with."""

    policy: str
    level: str
    urn: str
    message: str = ""

    def matches(self, violation: Violation) -> bool:
        return (violation.policy, violation.level, violation.urn) == (
            self.policy,
            self.level,
            self.urn,
        ) and violation.message.endswith(self.message)


def node_ready() -> bool:
    return shutil.which("node") is not None and (NODE_MODULES / "@pulumi" / "policy").is_dir()


class Packs:
    """Pack processes by (runtime, pack, pack level), started on first use, stopped at the end."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._servers: dict[tuple[str, str, str], PolicyPackServer] = {}

    def get(self, runtime: str, name: str, level: str = "") -> PolicyPackServer:
        key = (runtime, name, level)
        if key not in self._servers:
            if runtime == "node" and not node_ready():
                pytest.fail(
                    "the Node.js conformance packs need `node` and `npm ci --prefix "
                    "tests/fixtures/node_policy_pack` (CI does both)"
                )
            # The packs name no virtualenv (the CLI then runs PULUMI_PYTHON_CMD); the Node packs
            # resolve @pulumi/policy from the fixture pack's installed node_modules. Set only
            # while a pack starts: left set, they would reach every later test of the worker.
            environ = {"PULUMI_PYTHON_CMD": sys.executable, "NODE_PATH": str(NODE_MODULES)}
            if level:
                environ["CONFORMANCE_PACK_LEVEL"] = level
            with pytest.MonkeyPatch.context() as patch:
                for variable, value in environ.items():
                    patch.setenv(variable, value)
                self._servers[key] = self._stack.enter_context(
                    policy_pack(PACKS / runtime / name, environment=STACK, project="conformance")
                )
                self._servers[key].connect()  # started with the variable still set
        return self._servers[key]


@pytest.fixture(scope="session")
def packs() -> Iterator[Packs]:
    with ExitStack() as stack:
        yield Packs(stack)


@pytest.fixture(scope="session")
def program() -> Any:
    """`program(project, resources, preview=False)`: the data program run once under the engine."""
    cache: dict[str, LayerResult] = {}

    def run(
        project: str, resources: Sequence[Mapping[str, Any]], preview: bool = False
    ) -> LayerResult:
        key = json.dumps([project, resources, preview], sort_keys=True)
        if key not in cache:
            cache[key] = run_layer(
                project,
                STACK,
                config={f"{project}:resources": list(resources), "aws:region": "us-west-2"},
                program_dir=PROGRAM,
                preview=preview,
            )
        return cache[key]

    return run


def check(
    servers: Sequence[PolicyPackServer],
    result: LayerResult,
    configs: Sequence[Mapping[str, Any] | None] = (),
    *,
    stack_config: Mapping[str, Any] | None = None,
) -> list[Violation]:
    """Every pack over one program's stack, as one `pulumi up --policy-pack ...` would."""
    for index, server in enumerate(servers):
        document = configs[index] if index < len(configs) else None
        parsed = (
            [] if document is None else [(parse_policy_config(document, source="case"), "case")]
        )
        server.configure(
            layer=result.layer,
            stack_config=stack_config or {"aws:region": "us-west-2"},
            policy_configs=parsed,
        )
    return analyze_stack(servers, result.resources, layer=result.layer, outputs=result.outputs)


def configure_error(server: PolicyPackServer, document: Mapping[str, Any]) -> str:
    """The message configuring a pack with `document` fails with ("" when it does not)."""
    from tooling.offline.policy_config import PolicyConfigError

    try:
        server.configure(
            layer="conformance",
            policy_configs=[(parse_policy_config(document, source="case"), "case")],
        )
    except PolicyConfigError as error:
        return str(error)
    return ""
