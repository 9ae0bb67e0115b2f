"""The policy pack, run the way the Pulumi CLI runs it: a plugin process spoken to over gRPC.

The CLI starts `python -u -m pulumi.policy <engine-address> <pack-dir>` in the pack folder, reads the
port the pack prints, then calls Handshake, GetAnalyzerInfo, ConfigureStack, Configure, per resource
Remediate and Analyze, and AnalyzeStack once with every resource. `PolicyPackServer` does exactly
that, so what passes here is what the pack would decide inside `pulumi preview`.

One server serves a whole plan: ConfigureStack and Configure are re-sent per layer. pulumi-policy's
Python server takes project/stack/config from the environment it was started with (it uses only the
tags from ConfigureStack), so the pack process gets the plan's stack name and the union of every
layer's config (keys are namespaced by layer, so they never clash).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shared.layers import POLICY_PACK_DIR
from tooling.offline.engine import ORGANIZATION, Resource, config_string
from tooling.offline.mocks import UNKNOWN, wire_value

START_TIMEOUT_SECONDS = 30.0
CALL_TIMEOUT_SECONDS = 30.0
# The CLI passes its engine address; a Python pack never dials it, so any address will do.
ENGINE_ADDRESS = "127.0.0.1:0"
LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
LEVEL_NUMBERS = {name: number for number, name in LEVELS.items()}
NOT_ANALYZED_PREFIXES = ("pulumi:pulumi:Stack", "pulumi:providers:")


class PolicyPackError(RuntimeError):
    """The pack could not be started, configured or asked: the message says which and why."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory | remediate (a remediation that was applied)
    layer: str
    urn: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory"


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    level: str
    config_defaults: dict[str, Any]


def environment_class_of(environment: str) -> str:
    """dev/staging/prod/pr for a plain environment name; custom names need their config (see plan)."""
    from shared.environment import parse_environment

    return parse_environment(environment).environment_class


def policy_config_file(pack_dir: Path, environment_class: str) -> Path:
    return pack_dir / "config" / f"{environment_class}.json"


def load_policy_config(pack_dir: Path, environment_class: str) -> dict[str, Any]:
    """The `--policy-pack-config` document for this environment class, or {} when the pack has none."""
    path = policy_config_file(pack_dir, environment_class)
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise PolicyPackError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise PolicyPackError(f"{path}: must be a JSON object of policy name -> config")
    return document


def resolve_policy_config(
    policies: Sequence[PolicyInfo], document: Mapping[str, Any], *, source: str = "policy config"
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Policy name -> (enforcement level, properties), as the CLI resolves `--policy-pack-config`.

    Precedence: the policy's own entry, then `all`, then the level the pack declares; properties are
    the schema defaults overlaid with the policy's entry.
    """
    known = {policy.name for policy in policies}
    unknown = sorted(set(document) - known - {"all"})
    if unknown:
        raise PolicyPackError(
            f"{source} names {', '.join(map(repr, unknown))}, which the pack does not have; "
            f"its policies are: {', '.join(sorted(known)) or '(none)'}"
        )
    default_level = document.get("all")
    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    for policy in policies:
        entry = document.get(policy.name)
        level = policy.level if default_level is None else str(default_level)
        properties = dict(policy.config_defaults)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, dict):
            level = str(entry.get("enforcementLevel", level))
            properties.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        if level not in LEVEL_NUMBERS:
            raise PolicyPackError(
                f"{source}: enforcement level {level!r} for {policy.name!r} is not one of "
                f"{', '.join(LEVEL_NUMBERS)}"
            )
        resolved[policy.name] = (level, properties)
    return resolved


def _struct(values: Mapping[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(wire_value(values))
    return struct


class PolicyPackServer:
    """A running policy pack; use `policy_pack(...)` to get one that is always stopped."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        environment: str,
        project: str,
        config: Mapping[str, Any],
        preview: bool,
        start_timeout: float = START_TIMEOUT_SECONDS,
        call_timeout: float = CALL_TIMEOUT_SECONDS,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.environment, self.preview = environment, preview
        self.start_timeout, self.call_timeout = start_timeout, call_timeout
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        env = {
            **os.environ,
            "PULUMI_CONFIG": json.dumps({k: config_string(v) for k, v in config.items()}),
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": environment,
            "PULUMI_ORGANIZATION": ORGANIZATION,
            "PULUMI_DRY_RUN": "true" if preview else "false",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._stub: Any = None
        self._channel: Any = None
        self.name = self.version = ""
        self.policies: tuple[PolicyInfo, ...] = ()
        self.remediating = False

    # --- lifecycle ----------------------------------------------------------------------------------

    def connect(self) -> None:
        """Wait for the port, then Handshake and GetAnalyzerInfo (idempotent)."""
        if self._stub is not None:
            return
        import grpc
        from google.protobuf import empty_pb2
        from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

        port = self._read_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        try:
            self._call(
                "Handshake",
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address=ENGINE_ADDRESS,
                    root_directory=str(self.pack_dir),
                    program_directory=str(self.pack_dir),
                ),
            )
        except PolicyPackError as error:
            if "UNIMPLEMENTED" not in str(
                error
            ):  # Python packs do not implement it; the CLI agrees
                raise
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        from google.protobuf import json_format

        self.name, self.version = info.name, info.version
        self.policies = tuple(
            PolicyInfo(
                name=p.name,
                level=LEVELS.get(p.enforcementLevel, "advisory"),
                config_defaults={
                    key: schema["default"]
                    for key, schema in json_format.MessageToDict(p.configSchema.properties).items()
                    if isinstance(schema, dict) and "default" in schema
                },
            )
            for p in info.policies
        )

    def _read_port(self) -> int:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(self.start_timeout):
                message = (
                    f"the policy pack in {self.pack_dir} did not start within "
                    f"{self.start_timeout:g} s (no port printed); is its __main__.py blocking "
                    f"before PolicyPack(...)?{self._stderr_tail()}"
                )
                self.stop()
                raise PolicyPackError(message)
        line = self.process.stdout.readline().decode(errors="replace").strip()
        if not line.isdigit():
            self.process.wait(timeout=self.start_timeout)
            if "Missing policies argument" in self._stderr_tail():
                raise PolicyPackError(
                    f"the policy pack in {self.pack_dir} has no policies: pulumi-policy refuses "
                    "PolicyPack(policies=[]) and so would `pulumi preview --policy-pack`. Add "
                    "policies, or plan without them (--no-policy)"
                )
            raise PolicyPackError(
                f"the policy pack in {self.pack_dir} failed to load "
                f"(exit code {self.process.returncode}){self._stderr_tail()}"
            )
        return int(line)

    def _stderr_tail(self, lines: int = 20) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return ("\n" + "\n".join(text.splitlines()[-lines:])) if text else ""

    def stop(self) -> None:
        """SIGINT, as the CLI does: the pack's server stops cleanly. Kill only if it does not."""
        if self._channel is not None:
            self._channel.close()
            self._channel = self._stub = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if not self._stderr.closed:
            self._stderr.close()

    def _call(self, method: str, request: Any) -> Any:
        import grpc

        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as error:
            raise self._rpc_failure(method, error) from None

    def _rpc_failure(self, method: str, error: Any) -> PolicyPackError:
        import grpc

        code = error.code()
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return PolicyPackError(
                f"the policy pack did not answer {method} within {self.call_timeout:g} s "
                "(a policy that hangs?)"
            )
        return PolicyPackError(
            f"the policy pack failed in {method}: {code.name}: {error.details()}"
            f"{self._stderr_tail()}"
        )

    # --- the protocol -------------------------------------------------------------------------------

    def configure(
        self, *, layer: str, policy_config: Mapping[str, Any], source: str = "policy config"
    ) -> None:
        """ConfigureStack for this layer's stack, then Configure with the environment's config."""
        from pulumi.runtime.proto import analyzer_pb2

        self.connect()
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.environment,
                project=layer,
                organization=ORGANIZATION,
                dry_run=self.preview,
            ),
        )
        resolved = resolve_policy_config(self.policies, policy_config, source=source)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in resolved.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVEL_NUMBERS[level]
            entry.properties.update(wire_value(properties))
        self._call("Configure", request)
        self.remediating = any(level == "remediate" for level, _ in resolved.values())

    def analyze(self, resources: Sequence[Resource], *, layer: str) -> list[Violation]:
        """Remediate and Analyze per resource, then AnalyzeStack once; every result as a Violation."""
        import grpc
        from pulumi.runtime.proto import analyzer_pb2

        self.connect()
        analyzed = [r for r in resources if not r.type.startswith(NOT_ANALYZED_PREFIXES)]
        violations: list[Violation] = []
        properties = self._remediate(analyzed, layer, violations)
        # Futures keep the pack's worker threads busy; results are read back in resource order.
        analyses = [
            self._stub.Analyze.future(
                analyzer_pb2.AnalyzeRequest(**self._request_fields(r, props)),
                timeout=self.call_timeout,
            )
            for r, props in zip(analyzed, properties, strict=True)
        ]
        for resource, future in zip(analyzed, analyses, strict=True):
            try:
                response = future.result()
            except grpc.RpcError as error:
                raise self._rpc_failure(f"Analyze ({resource.urn})", error) from None
            violations.extend(self._violations(response, layer, resource.urn))
        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    **self._request_fields(r, r.outputs),
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                )
                for r in analyzed
            ]
        )
        violations.extend(self._violations(self._call("AnalyzeStack", stack_request), layer, ""))
        return violations

    def _remediate(
        self, analyzed: Sequence[Resource], layer: str, violations: list[Violation]
    ) -> list[Mapping[str, Any]]:
        """Remediate per resource; the (possibly rewritten) properties Analyze must see.

        Skipped when no policy is configured at level remediate: the pack would answer every call
        with an empty response, so the result is the same and the plan makes half the calls.
        """
        import grpc
        from google.protobuf import json_format
        from pulumi.runtime.proto import analyzer_pb2

        properties: list[Mapping[str, Any]] = [r.inputs for r in analyzed]
        if not self.remediating:
            return properties
        futures = [
            self._stub.Remediate.future(
                analyzer_pb2.AnalyzeRequest(**self._request_fields(r, r.inputs)),
                timeout=self.call_timeout,
            )
            for r in analyzed
        ]
        for index, (resource, future) in enumerate(zip(analyzed, futures, strict=True)):
            try:
                response = future.result()
            except grpc.RpcError as error:
                raise self._rpc_failure(f"Remediate ({resource.urn})", error) from None
            for remediation in response.remediations:
                if remediation.diagnostic:
                    violations.append(
                        Violation(
                            remediation.policyName,
                            "advisory",
                            layer,
                            resource.urn,
                            remediation.diagnostic,
                        )
                    )
                if remediation.HasField("properties"):
                    properties[index] = json_format.MessageToDict(remediation.properties)
                    violations.append(
                        Violation(
                            remediation.policyName,
                            "remediate",
                            layer,
                            resource.urn,
                            f"remediated: {remediation.description}",
                        )
                    )
        return properties

    @staticmethod
    def _request_fields(resource: Resource, properties: Mapping[str, Any]) -> dict[str, Any]:
        from pulumi.runtime.proto import analyzer_pb2

        return {
            "type": resource.type,
            "properties": _struct(properties),
            "urn": resource.urn,
            "name": resource.name,
            "options": analyzer_pb2.AnalyzerResourceOptions(
                protect=resource.protect, parent=resource.parent
            ),
        }

    @staticmethod
    def _violations(response: Any, layer: str, default_urn: str) -> list[Violation]:
        return [
            Violation(
                policy=d.policyName,
                level=LEVELS.get(d.enforcementLevel, "advisory"),
                layer=layer,
                urn=d.urn or default_urn,
                message=d.message or d.description,
            )
            for d in response.diagnostics
        ]


@contextmanager
def policy_pack(
    pack_dir: Path,
    *,
    environment: str,
    project: str,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    start_timeout: float = START_TIMEOUT_SECONDS,
    call_timeout: float = CALL_TIMEOUT_SECONDS,
) -> Iterator[PolicyPackServer]:
    """A started pack (process launched at once, connected on first use), always stopped on exit."""
    server = PolicyPackServer(
        pack_dir,
        environment=environment,
        project=project,
        config=config or {},
        preview=preview,
        start_timeout=start_timeout,
        call_timeout=call_timeout,
    )
    try:
        yield server
    finally:
        server.stop()


def evaluate(
    resources: Sequence[Resource],
    environment: str,
    *,
    layer: str,
    pack_dir: Path = POLICY_PACK_DIR,
    policy_config: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> list[Violation]:
    """Run the pack over one layer's resources through the Analyzer protocol; every result, in order.

    `policy_config` defaults to `<pack_dir>/config/<environment class>.json` when that file exists.
    """
    source = "policy config"
    if policy_config is None:
        klass = environment_class_of(environment)
        policy_config = load_policy_config(pack_dir, klass)
        source = str(policy_config_file(pack_dir, klass))
    with policy_pack(pack_dir, environment=environment, project=layer, preview=preview) as server:
        server.configure(layer=layer, policy_config=policy_config, source=source)
        return server.analyze(resources, layer=layer)


__all__ = [
    "UNKNOWN",
    "PolicyPackError",
    "PolicyPackServer",
    "Violation",
    "evaluate",
    "load_policy_config",
    "policy_pack",
]
