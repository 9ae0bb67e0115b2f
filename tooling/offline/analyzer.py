"""The Analyzer gRPC client: policy packs run the way the Pulumi CLI runs them, as plugin
processes spoken to over gRPC.

Mirrors pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go` (start-up, ConfigureStack, the calls
and which UNIMPLEMENTED answers are tolerated). The pack's folder and start command are
`pack_project`; the policy config each Configure sends is `policy_config`.

One server serves a whole plan: the CLI starts one per stack operation, the offline plan re-sends
ConfigureStack and Configure per layer instead. The pack process gets the plan's stack name and the
union of every layer's config in its environment (keys are namespaced by layer, so they never clash).
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tooling import redaction
from tooling.offline.model import (
    ORGANIZATION,
    ROOT_STACK_TYPE,
    Resource,
    config_string,
    wire_value,
)
from tooling.offline.pack_process import PackProcess, PolicyPackError
from tooling.offline.pack_project import ENGINE_ADDRESS, load_pack_project, server_command
from tooling.offline.policy_config import (
    LEVEL_NUMBERS,
    LEVELS,
    PolicyConfig,
    PolicyInfo,
    reconcile_policy_config,
)

START_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 60.0
# Calls in flight at once: enough to keep the pack's worker threads busy, few enough that gRPC never
# queues past its deadline (all calls at once ended in CANCELLED at ~8,000 resources).
IN_FLIGHT = 32
# A stack this big has its per-resource calls spread over copies of the pack, one per core (at most
# MAX_COPIES): one Python pack serves about 2,000 Analyze calls/s, one core's worth. Each copy is
# started and configured exactly as the first; AnalyzeStack still goes to the first alone.
SPREAD_FROM = 5_000
MAX_COPIES = 4
# pulumi/pulumi sdk/go/common/util/rpcutil: MaxRPCMessageSize (an AnalyzeStack of a big stack).
MAX_MESSAGE_BYTES = 400 * 1024 * 1024
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory | remediate (a remediation that was applied)
    layer: str
    urn: str
    message: str
    pack: str = ""  # `<name>@<version>` of the pack that reported it
    # A remediation's properties before and after it (level remediate only), as the CLI shows them.
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory"


def _struct(values: Mapping[str, Any]) -> Any:
    """A Struct of plain values (resources hold wire values already: no second conversion)."""
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


# --- providers and the root stack, as the Pulumi engine sends them ---------------------------------


def default_provider(resource: Resource, stack: str, config: Mapping[str, Any]) -> Resource:
    """The default provider the Pulumi engine would create for this resource's package.

    Its inputs are the package's config (`aws:region` -> `region`), as the engine builds them.
    """
    package = resource.type.split(":", 1)[0]
    project = resource.urn.split("::")[1] if resource.urn.count("::") >= 3 else "project"
    inputs = {
        key.split(":", 1)[1]: value
        for key, value in config.items()
        if key.startswith(f"{package}:") and key.count(":") == 1
    }
    if package == "aws":
        inputs.setdefault("region", DEFAULT_REGION)
    urn = f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::default"
    return Resource(f"pulumi:providers:{package}", "default", urn, inputs, inputs)


def root_stack(project: str, stack: str, outputs: Mapping[str, Any]) -> Resource:
    urn = f"urn:pulumi:{stack}::{project}::{ROOT_STACK_TYPE}::{project}-{stack}"
    return Resource(ROOT_STACK_TYPE, f"{project}-{stack}", urn, {}, dict(outputs), custom=False)


# --- the server -----------------------------------------------------------------------------------


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
        self._arguments: dict[str, Any] = {
            "environment": environment,
            "project": project,
            "config": config,
            "preview": preview,
            "start_timeout": start_timeout,
            "call_timeout": call_timeout,
        }
        self._configured: dict[str, Any] | None = None  # the last configure()'s arguments
        self._copies: list[PolicyPackServer] = []
        self.project_file = load_pack_project(pack_dir)
        self.pack_dir = self.project_file.path
        self.environment, self.preview = environment, preview
        self.start_timeout, self.call_timeout = start_timeout, call_timeout
        command = server_command(self.project_file)
        # analyzer_plugin.go constructEnv: PULUMI_* always, PULUMI_NODEJS_* too for Node packs.
        identity = {
            "PROJECT": project,
            "STACK": environment,
            "ORGANIZATION": ORGANIZATION,
            "DRY_RUN": "true" if preview else "false",
        }
        env = {
            **os.environ,
            "PULUMI_CONFIG": json.dumps({k: config_string(v) for k, v in config.items()}),
            **{f"PULUMI_{k}": v for k, v in identity.items()},
        }
        if self.project_file.runtime == "nodejs":
            env.update({f"PULUMI_NODEJS_{k}": v for k, v in identity.items()})
        self._pack = PackProcess(command, cwd=self.pack_dir, env=env, name=str(self.pack_dir))
        self.process = self._pack.process
        self._stub: Any = None
        self._channel: Any = None
        self.name = self.version = ""
        self.policies: tuple[PolicyInfo, ...] = ()
        self.initial_config: dict[str, PolicyConfig] = {}
        self.supports_config = False
        self.remediating = False
        self._stack_config: dict[str, Any] = {}
        self._providers: dict[str, Any] = {}

    @property
    def label(self) -> str:
        """`name@version`, the version from PulumiPolicy.yaml first, as the CLI does."""
        return f"{self.name or self.pack_dir.name}@{self.version or '0.0.0'}"

    # --- lifecycle ----------------------------------------------------------------------------------

    def connect(self) -> None:
        """Wait for the port, then Handshake (UNIMPLEMENTED is fine, as in the CLI); idempotent."""
        if self._stub is not None:
            return
        import grpc
        from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

        port = self._read_port()
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._optional_call(
            "Handshake",
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=ENGINE_ADDRESS,
                root_directory=str(self.pack_dir),
                program_directory=str(self.pack_dir),
            ),
        )

    def _read_port(self) -> int:
        try:
            return self._pack.read_port(self.start_timeout)
        except PolicyPackError:
            self.stop()
            raise

    def _stderr_tail(self) -> str:
        return self._pack.stderr_tail()

    def stop(self) -> None:
        """SIGINT to the pack's process group, as the CLI does; SIGKILL only if it does not stop."""
        copies, self._copies = self._copies, []
        for copy in copies:
            copy.stop()
        if self._channel is not None:
            self._channel.close()
            self._channel = self._stub = None
        self._pack.stop()

    def _call(self, method: str, request: Any) -> Any:
        import grpc

        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as error:
            raise self._rpc_failure(method, error) from None

    def _optional_call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        """A call the CLI tolerates the pack not implementing: None when UNIMPLEMENTED."""
        import grpc

        timeout = timeout or self.call_timeout
        try:
            return getattr(self._stub, method)(request, timeout=timeout)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None
            raise self._rpc_failure(method, error, timeout) from None

    def _rpc_failure(
        self, method: str, error: Any, timeout: float | None = None
    ) -> PolicyPackError:
        import grpc

        code = error.code()
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return PolicyPackError(
                f"the policy pack {self.label} did not answer {method} within "
                f"{timeout or self.call_timeout:g} s (a policy that hangs?)"
            )
        # A Node exception or a Python one may quote the resource's properties, secrets included.
        details = redaction.current().text(str(error.details()))
        return PolicyPackError(
            f"the policy pack {self.label} failed in {method}: {code.name}: {details}"
            f"{self._stderr_tail()}"
        )

    # --- the protocol -------------------------------------------------------------------------------

    def _analyzer_info(self) -> None:
        from google.protobuf import empty_pb2, json_format

        if self.name:
            return
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self.name = info.name
        self.version = self.project_file.version or info.version
        self.supports_config = bool(info.supportsConfig)
        self.policies = tuple(
            PolicyInfo(
                name=p.name,
                level=LEVELS.get(p.enforcementLevel, "advisory"),
                config_schema=json_format.MessageToDict(p.configSchema)
                if p.HasField("configSchema")
                else {},
            )
            for p in info.policies
        )
        self.initial_config = {
            name: PolicyConfig(
                LEVELS.get(entry.enforcementLevel, "advisory"),
                json_format.MessageToDict(entry.properties),
            )
            for name, entry in info.initialConfig.items()
        }

    def configure(
        self,
        *,
        layer: str,
        stack_config: Mapping[str, Any] | None = None,
        secret_keys: Iterable[str] = (),
        policy_configs: Sequence[tuple[Mapping[str, PolicyConfig], str]] = (),
    ) -> None:
        """ConfigureStack first (config, secret keys, tags), then GetAnalyzerInfo, then Configure."""
        from pulumi.runtime.proto import analyzer_pb2

        self.connect()
        self._configured = {
            "layer": layer,
            "stack_config": stack_config,
            "secret_keys": tuple(secret_keys),
            "policy_configs": policy_configs,
        }
        for copy in self._copies:
            copy.configure(**self._configured)
        self._stack_config = dict(stack_config or {})
        self._providers.clear()
        self._optional_call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.environment,
                project=layer,
                organization=ORGANIZATION,
                dry_run=self.preview,
                config={k: config_string(v) for k, v in self._stack_config.items()},
                config_secret_keys=sorted(secret_keys),
                # The stack tags the CLI always sets (pkg/backend/stack.go GetEnvironmentTagsForCurrentStack).
                tags={"pulumi:project": layer, "pulumi:runtime": "python"},
            ),
        )
        self._analyzer_info()
        resolved = reconcile_policy_config(
            self.label, self.policies, self.initial_config, policy_configs
        )
        self.remediating = any(level == "remediate" for level, _ in resolved.values())
        if not self.supports_config:  # update.go: Configure only when the pack supports config
            return
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in resolved.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVEL_NUMBERS[level]
            # Always a Struct, even empty: the Node server reads `properties` unconditionally.
            entry.properties.SetInParent()
            entry.properties.update(wire_value(properties))
        self._call("Configure", request)

    def ready(self, layer: str) -> None:
        """Connected and configured (with the pack's own config when nobody configured it)."""
        self.connect()
        if not self.name:
            self.configure(layer=layer)

    def analyze_each(
        self,
        resources: Sequence[Resource],
        properties: Sequence[Mapping[str, Any]],
        providers: Mapping[str, Resource],
        layer: str,
    ) -> Iterator[list[Violation]]:
        """Analyze per resource, in order: each resource's violations, filed against it."""
        from pulumi.runtime.proto import analyzer_pb2

        requests = (
            analyzer_pb2.AnalyzeRequest(**self._request_fields(r, props, providers))
            for r, props in zip(resources, properties, strict=True)
        )
        for resource, response in zip(
            resources, self._stream("Analyze", requests, resources), strict=True
        ):
            # analyze_snapshot.go analyzeResource: OnPolicyViolation(r.URN, d), whatever d.URN says.
            yield self._violations(response, layer, _always(resource.urn))

    def analyze_whole_stack(
        self,
        resources: Sequence[Resource],
        providers: Mapping[str, Resource],
        layer: str,
        root_urn: str,
    ) -> list[Violation]:
        """AnalyzeStack once; a violation names its own resource if in the stack, else the root stack."""
        from pulumi.runtime.proto import analyzer_pb2

        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    **self._request_fields(r, r.outputs, providers),
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                    # As analyzer_plugin.go's AnalyzeStack: properties without dependencies skipped.
                    propertyDependencies={
                        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                        for key, urns in r.property_dependencies.items()
                        if urns
                    },
                )
                for r in resources
            ]
        )
        # One call over the whole stack: its deadline grows with the stack (the CLI sets none).
        response = self._optional_call(
            "AnalyzeStack",
            stack_request,
            timeout=self.call_timeout * max(1, len(resources) / 1000),
        )
        if response is None:
            return []
        known = {r.urn for r in resources}
        # analyze_snapshot.go resolveStackPolicyViolationURN
        return self._violations(response, layer, lambda urn: urn if urn in known else root_urn)

    def complete(
        self, resources: Sequence[Resource], layer: str, outputs: Mapping[str, Any]
    ) -> list[Resource]:
        """The stack as the Pulumi engine holds it: the root stack and default providers added if
        missing (Pulumi's mock runtime registers neither)."""
        everything = list(resources)
        if not any(r.is_root_stack for r in everything):
            everything.insert(0, root_stack(layer, self.environment, outputs))
        known = {r.urn for r in everything}
        for resource in list(everything):
            if resource.is_provider or resource.is_root_stack or not resource.custom:
                continue
            if resource.provider.rsplit("::", 1)[0] in known or _provider_urn(resource) in known:
                continue
            provider = default_provider(resource, self.environment, self._stack_config)
            if provider.urn not in known:
                everything.append(provider)
                known.add(provider.urn)
        return everything

    def spread_for(self, count: int) -> None:
        """Start and configure the copies a stack of `count` analyzed resources is spread over."""
        wanted = min(os.cpu_count() or 1, MAX_COPIES) if count >= SPREAD_FROM else 1
        if wanted <= 1 + len(self._copies) or self._configured is None:
            return
        started = [
            PolicyPackServer(self.pack_dir, **self._arguments)
            for _ in range(wanted - 1 - len(self._copies))
        ]
        self._copies.extend(started)  # stopped with this server, even if configuring one fails
        for copy in started:
            copy.configure(**self._configured)

    def _stream(self, method: str, requests: Iterator[Any], resources: Sequence[Resource]) -> Any:
        """Responses in request order, with at most IN_FLIGHT calls outstanding per pack copy.

        Calls go round-robin over this pack and its copies; each answer is independent of the
        others (the CLI, too, analyzes resources as their steps run, in no fixed order).
        """
        import grpc

        servers = [self, *self._copies]
        calls = [getattr(server._stub, method).future for server in servers]
        pending: deque[tuple[Any, PolicyPackServer]] = deque()
        index = 0
        for sent, request in enumerate(requests):
            turn = sent % len(servers)
            pending.append((calls[turn](request, timeout=self.call_timeout), servers[turn]))
            if len(pending) >= IN_FLIGHT * len(servers):
                yield self._result(*pending.popleft(), method, resources[index], grpc)
                index += 1
        while pending:
            yield self._result(*pending.popleft(), method, resources[index], grpc)
            index += 1

    @staticmethod
    def _result(
        future: Any, server: PolicyPackServer, method: str, resource: Resource, grpc: Any
    ) -> Any:
        try:
            return future.result()
        except grpc.RpcError as error:
            raise server._rpc_failure(f"{method} ({resource.urn})", error) from None

    def remediate(
        self,
        resources: Sequence[Resource],
        properties: Sequence[Mapping[str, Any]],
        providers: Mapping[str, Resource],
        layer: str,
        *,
        apply: bool = True,
    ) -> tuple[list[Mapping[str, Any]], list[list[Violation]]]:
        """Remediate per resource: the properties the next pack (and Analyze) sees, and per resource
        what was said. As step_generator.go: a remediation with a diagnostic is an advisory
        violation; one without replaces the properties (`apply`), or is only reported, as
        analyze_snapshot.go does for a snapshot.

        Skipped when no policy is configured at level remediate: the pack would answer every call
        with an empty response, so the result is the same and the plan makes half the calls.
        """
        from pulumi.runtime.proto import analyzer_pb2

        current = list(properties)
        said: list[list[Violation]] = [[] for _ in resources]
        if not self.remediating or not resources:
            return current, said
        requests = (
            analyzer_pb2.AnalyzeRequest(**self._request_fields(r, props, providers))
            for r, props in zip(resources, properties, strict=True)
        )
        probe = analyzer_pb2.AnalyzeRequest(
            **self._request_fields(resources[0], properties[0], providers)
        )
        if self._optional_call("Remediate", probe) is None:
            return current, said  # analyzer_plugin.go: a pack without Remediate remediates nothing
        for index, (resource, response) in enumerate(
            zip(resources, self._stream("Remediate", requests, resources), strict=True)
        ):
            for remediation in response.remediations:
                violation = self._remediation(remediation, resource, layer, current[index], apply)
                if violation is None:
                    continue
                if apply and violation.after is not None:
                    current[index] = violation.after
                said[index].append(violation)
        return current, said

    def _remediation(
        self,
        remediation: Any,
        resource: Resource,
        layer: str,
        properties: Mapping[str, Any],
        apply: bool,
    ) -> Violation | None:
        """One Remediate answer as step_generator.go takes it: a diagnostic is an advisory
        violation, new properties a remediation (with its before and after), neither is ignored."""
        from google.protobuf import json_format

        if remediation.diagnostic:
            message = remediation.diagnostic
            return Violation(
                remediation.policyName, "advisory", layer, resource.urn, message, self.label
            )
        if not remediation.HasField("properties"):
            return None
        verb = "remediated" if apply else "would remediate (not applied)"
        return Violation(
            remediation.policyName,
            "remediate",
            layer,
            resource.urn,
            f"{verb}: {remediation.description}",
            self.label,
            before=properties,
            after=json_format.MessageToDict(remediation.properties),
        )

    def _request_fields(
        self,
        resource: Resource,
        properties: Mapping[str, Any],
        providers: Mapping[str, Resource],
    ) -> dict[str, Any]:
        from pulumi.runtime.proto import analyzer_pb2

        fields: dict[str, Any] = {
            "type": resource.type,
            "properties": _struct(properties),
            "urn": resource.urn,
            "name": resource.name,
            "options": _options(resource, analyzer_pb2),
        }
        provider = providers.get(resource.provider.rsplit("::", 1)[0]) or providers.get(
            _provider_urn(resource)
        )
        if provider is not None:
            fields["provider"] = self._provider_message(provider)
        return fields

    def _provider_message(self, provider: Resource) -> Any:
        """Built once per provider: every resource of a stack shares a handful of them."""
        from pulumi.runtime.proto import analyzer_pb2

        message = self._providers.get(provider.urn)
        if message is None:
            message = analyzer_pb2.AnalyzerProviderResource(
                type=provider.type,
                properties=_struct(provider.inputs),
                urn=provider.urn,
                name=provider.name,
            )
            self._providers[provider.urn] = message
        return message

    def _violations(
        self, response: Any, layer: str, filed_against: Callable[[str], str]
    ) -> list[Violation]:
        return [
            Violation(
                policy=d.policyName,
                level=_reported_level(d.enforcementLevel),
                layer=layer,
                urn=filed_against(d.urn),
                message=d.message or d.description,
                pack=self.label,
            )
            for d in response.diagnostics
        ]


def _always(urn: str) -> Callable[[str], str]:
    return lambda _: urn


def _reported_level(level: int) -> str:
    """A violation still standing at level remediate is mandatory (analyze_snapshot.go
    analyzeResource: "downgrade" remediate to mandatory; stack policies likewise)."""
    name = LEVELS.get(level, "advisory")
    return "mandatory" if name == "remediate" else name


def _options(resource: Resource, analyzer_pb2: Any) -> Any:
    """AnalyzerResourceOptions as analyzer_plugin.go marshalResourceOptions fills them."""
    timeouts = resource.custom_timeouts
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=list(resource.ignore_changes),
        deleteBeforeReplace=bool(resource.delete_before_replace),
        deleteBeforeReplaceDefined=resource.delete_before_replace is not None,
        additionalSecretOutputs=list(resource.additional_secret_outputs),
        aliases=list(resource.aliases),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=timeouts.get("create", 0.0),
            update=timeouts.get("update", 0.0),
            delete=timeouts.get("delete", 0.0),
            read=timeouts.get("read", 0.0),
        ),
        parent=resource.parent,
    )


def _provider_urn(resource: Resource) -> str:
    """The URN of the default provider for this resource's package (see `default_provider`)."""
    parts = resource.urn.split("::")
    if len(parts) < 4:
        return ""
    package = resource.type.split(":", 1)[0]
    return f"{parts[0]}::{parts[1]}::pulumi:providers:{package}::default"


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


@contextmanager
def policy_packs(pack_dirs: Sequence[Path], **kwargs: Any) -> Iterator[list[PolicyPackServer]]:
    """Several packs started side by side (their start-up overlaps), all stopped on exit."""
    with ExitStack() as stack:
        yield [stack.enter_context(policy_pack(path, **kwargs)) for path in pack_dirs]


__all__ = [
    "PolicyPackError",
    "PolicyPackServer",
    "Violation",
    "policy_pack",
    "policy_packs",
]
