"""The thin adapter to Pulumi's Automation API: the only module that imports `pulumi.automation`.

One LocalWorkspace per layer (`work_dir=stacks/<layer>`, so the project's own `Pulumi.yaml` and
`Pulumi.<env>.yaml` are used, exactly as a plain `pulumi up` in that folder would), stack name =
environment name, the policy pack on every `up` and `preview`. The pack reads its class's
`policies/config/<class>.json` itself and reports the levels as its policies' defaults, which the
CLI keeps when no `--policy-pack-config` overrides them (pulumi/pulumi pkg/engine/update.go
`LoadLocalPolicyPackAnalyzers`, pkg/resource/analyzer/config.go `ReconcilePolicyPackConfig`): so
no config file is passed here. Automation API errors become DeployError with a plain message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi._version import version as SDK_VERSION

from shared.environment import Environment
from shared.layers import POLICY_PACK_DIR, REPO_ROOT, Layer
from tooling.deploy.orchestrator import (
    DeployError,
    DestroyReport,
    StackMissingError,
    StackOutputs,
)
from tooling.deploy.preflight import SECRETS_PROVIDER_VAR

DEFAULT_BACKEND_URL = f"file://{REPO_ROOT / '.pulumi-state'}"
REGION_KEY = "aws:region"


def backend_url(environ: Mapping[str, str]) -> str:
    """`PULUMI_BACKEND_URL` when set (S3, Pulumi Cloud, ...), else the git-ignored local state folder."""
    return environ.get("PULUMI_BACKEND_URL") or DEFAULT_BACKEND_URL


def cli_command(cli: Path) -> auto.PulumiCommand:
    """The Automation API's handle on the CLI at `cli`; checks its version.

    `PulumiCommand` runs `<root>/bin/pulumi`, or `pulumi` from PATH without a root. An install
    (`~/.pulumi/bin/pulumi`, `/usr/local/bin/pulumi`) has that shape; a version manager's shim
    (asdf's `~/.asdf/shims/pulumi`, mise's) does not, and is what PATH finds, so it runs by name.
    """
    root = str(cli.parent.parent) if cli.parent.name == "bin" else None
    try:
        return auto.PulumiCommand(root=root, version=SDK_VERSION)
    except auto.InvalidVersionError as error:
        raise DeployError(f"the Pulumi CLI at {cli} cannot be used: {error}") from None
    except subprocess.CalledProcessError as error:  # its own reason went to stderr already
        raise DeployError(
            f"the Pulumi CLI at {cli} cannot be used: `pulumi version` failed (exit code "
            f"{error.returncode}); a version manager's shim needs a Pulumi version selected "
            "(asdf set / mise use)"
        ) from None
    except OSError as error:
        raise DeployError(f"the Pulumi CLI at {cli} cannot be run: {error.strerror}") from None


def install_cli(home: Path) -> Path:
    """Download the CLI matching the SDK pin into `~/.pulumi/versions/<version>` (needs the internet)."""
    root = home / ".pulumi" / "versions" / str(SDK_VERSION)
    command = auto.PulumiCommand.install(root=str(root), version=SDK_VERSION)
    return Path(command.command)


class AutomationDeployer:
    """The Deployer the orchestrator drives for real deployments."""

    def __init__(
        self,
        *,
        cli: Path,
        environ: Mapping[str, str],
        on_output: Callable[[str], None] = print,
    ) -> None:
        self.command = cli_command(cli)
        self.backend_url = backend_url(environ)
        self.on_output = on_output
        self._environ = environ

    def env_vars(self, environment: Environment | None) -> dict[str, str]:
        """What every Pulumi command for this stack sees, on top of the inherited environment
        (`None`: a command about no one stack, such as listing them)."""
        env_vars = {
            "PULUMI_BACKEND_URL": self.backend_url,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # A CI checkout's Pulumi.<env>.yaml lacks the secretsprovider/encryptedkey lines the
            # CLI wrote when the stack was created elsewhere: use the provider recorded in the
            # state then, instead of silently making a new passphrase one (pulumi/pulumi
            # sdk/go/common/env/env.go, pkg/cmd/pulumi/stack/secrets.go: FallbackToState).
            "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",
        }
        if environment is not None:
            # The stack name is the environment; an ENVIRONMENT_SUFFIX left in a shell must not win.
            env_vars["ENVIRONMENT_SUFFIX"] = environment.name
        for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
            if name in self._environ:
                env_vars[name] = self._environ[name]
        return env_vars

    def options(self, environment: Environment) -> auto.LocalWorkspaceOptions:
        # Only used when a stack is created (`pulumi stack init --secrets-provider`); an existing
        # stack keeps the provider its Pulumi.<env>.yaml records. Empty (an unset CI variable)
        # means the backend's default, as preflight.check_secrets assumed.
        provider = self._environ.get(SECRETS_PROVIDER_VAR, "").strip() or None
        return auto.LocalWorkspaceOptions(
            env_vars=self.env_vars(environment),
            pulumi_command=self.command,
            secrets_provider=provider,
        )

    def _stack(self, layer: Layer, environment: Environment, *, create: bool) -> auto.Stack:
        open_stack = auto.create_or_select_stack if create else auto.select_stack
        stack = open_stack(
            environment.name, work_dir=str(layer.folder), opts=self.options(environment)
        )
        if create and REGION_KEY not in stack.get_all_config():
            # A new stack (a PR environment has no Pulumi.<env>.yaml) would otherwise deploy to
            # whatever region the shell's AWS settings name, or fail without one.
            region = self._environ.get("AWS_REGION") or self._environ.get("AWS_DEFAULT_REGION")
            if not region:
                raise DeployError(
                    f"no AWS region for {environment.name}: set aws:region in "
                    f"stacks/{layer.name}/Pulumi.{environment.name}.yaml, or AWS_REGION; a new "
                    "stack never defaults to us-east-1"
                )
            stack.set_config(REGION_KEY, auto.ConfigValue(region))
        return stack

    def exists(self, layer: Layer, environment: Environment) -> bool:
        try:
            with _plain_errors("stack select", layer, environment):
                self._stack(layer, environment, create=False)
        except StackMissingError:
            return False
        return True

    def up(self, layer: Layer, environment: Environment) -> StackOutputs:
        with _plain_errors("up", layer, environment):
            stack = self._stack(layer, environment, create=True)
            result = stack.up(
                policy_packs=[str(POLICY_PACK_DIR)],
                on_output=self.on_output,
            )
        return StackOutputs(
            values={name: output.value for name, output in result.outputs.items()},
            secret=frozenset(name for name, output in result.outputs.items() if output.secret),
        )

    def preview(self, layer: Layer, environment: Environment) -> None:
        # select, never create: previews run with a read-only role, and a stack created here
        # would exist empty and make the next layer's references resolve to nothing.
        with _plain_errors("preview", layer, environment):
            stack = self._stack(layer, environment, create=False)
            stack.preview(
                policy_packs=[str(POLICY_PACK_DIR)],
                on_output=self.on_output,
            )

    def destroy(
        self, layer: Layer, environment: Environment, *, remove_stack: bool
    ) -> DestroyReport:
        with _plain_errors("destroy", layer, environment):
            stack = self._stack(layer, environment, create=False)
            # Protected resources stay (and are reported); `pulumi destroy` would fail on them.
            stack.destroy(exclude_protected=True, on_output=self.on_output)
            protected = _protected_urns(stack.export_stack().deployment or {})
            if remove_stack and not protected:
                stack.workspace.remove_stack(environment.name)
        return DestroyReport(protected=protected)

    def stack_names(self, layer: Layer) -> tuple[str, ...]:
        """Every stack of the layer's project in the state backend (`pulumi stack ls`)."""
        try:
            workspace = auto.LocalWorkspace(
                work_dir=str(layer.folder),
                pulumi_command=self.command,
                env_vars=self.env_vars(None),
            )
            stacks = workspace.list_stacks()
        except auto.CommandError as error:
            raise DeployError(
                f"pulumi stack ls failed for stacks/{layer.name}: {_stderr(error)}"
            ) from None
        # Pulumi Cloud names a stack `<org>/<project>/<stack>`, the file and S3 backends by its name.
        return tuple(summary.name.rsplit("/", 1)[-1] for summary in stacks)


def _protected_urns(deployment: Mapping[str, Any]) -> tuple[str, ...]:
    resources = deployment.get("resources") or []
    return tuple(str(r.get("urn", "")) for r in resources if r.get("protect"))


@contextmanager
def _plain_errors(operation: str, layer: Layer, environment: Environment) -> Iterator[None]:
    where = f"stack {environment.name} of stacks/{layer.name}"
    try:
        yield
    except auto.StackNotFoundError:
        raise StackMissingError(f"{where} does not exist") from None
    except auto.ConcurrentUpdateError as error:
        raise DeployError(
            f"another update of {where} is in progress (Pulumi's lock): {_stderr(error)}. Wait "
            f"for it to finish; if it crashed, `cd stacks/{layer.name} && pulumi cancel -s "
            f"{environment.name}` (Pulumi Cloud) or remove the lock the message names (file/S3)."
        ) from None
    except auto.CommandError as error:
        reason = _stderr(error)
        # A StackReference to a stack that does not exist yet: pulumi/pulumi
        # pkg/backend/backend.go answers "unknown stack"; the upstream was never deployed here.
        if operation == "preview" and "unknown stack" in reason:
            raise StackMissingError(
                f"{where} reads a stack that does not exist: {reason}"
            ) from None
        # The DIY backend writes this file on its first use of an empty prefix
        # (pulumi/pulumi pkg/backend/diy/meta.go, ensurePulumiMeta): a read-only role cannot.
        if ".pulumi/meta.yaml" in reason:
            raise DeployError(
                f"the state backend has no .pulumi/meta.yaml yet and this role may not write it "
                f"({reason}). `pulumi up` of the bootstrap writes it under every class's prefix "
                "(docs/ci.md); or run one deploy with the environment's deploy role first."
            ) from None
        raise DeployError(f"pulumi {operation} failed for {where}: {reason}") from None


def _stderr(error: auto.CommandError) -> str:
    """The last lines Pulumi wrote to stderr: the reason, without the command's full transcript."""
    # CommandError keeps only str(CommandResult): "\n code: N\n stdout: ...\n stderr: ...".
    text = str(error)
    _, marker, stderr = text.partition("\n stderr: ")
    lines = [line.strip() for line in (stderr if marker else text).splitlines() if line.strip()]
    return " / ".join(lines[-5:]) or "(no message; see the output above)"
