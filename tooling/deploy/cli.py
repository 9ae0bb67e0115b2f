"""`python -m tooling.deploy <command> ...`: what the deploy-all, preview, destroy-all, cleanup-pr
and up nox sessions run. `destroy-all <env> --plan` only lists what a destroy would do, offline.

Exit codes: 0 done (for `--plan`: the destroy would finish), 1 a stack operation failed or was
not confirmed (for `--plan`: something would block or stop it), 2 a usage or set-up problem
(bad environment or layer name, no Pulumi CLI, no usable secrets provider, no AWS credentials, no
room in the account's quotas), reported in one message and before any stack is touched.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.environment import (
    Environment,
    EnvironmentNameError,
    classes_with,
    resolve_environment,
    stack_environment_name,
)
from shared.layers import LAYER_NAMES, LAYERS, STACKS_DIR, Layer, UnknownLayerError, get_layer
from tooling.deploy.destroy_plan import DestroyPlan, destroy_plan
from tooling.deploy.destroy_plan import render as render_destroy_plan
from tooling.deploy.orchestrator import (
    EXIT_INTERRUPTED,
    Deployer,
    DeployError,
    OfflinePlan,
    Orchestrator,
    SelectionError,
    select_layers,
)
from tooling.deploy.preflight import (
    PreflightError,
    check_aws_credentials,
    check_secrets,
    declared_secrets_providers,
    ensure_cli,
)
from tooling.offline.cli_yaml import StackDocument
from tooling.offline.stack_config import (
    StackConfigFileError,
    read_stack_file,
    stack_name_problem,
)
from tooling.outputs import OUTPUTS_DIR, OutputFileError, OutputFileWriter

if TYPE_CHECKING:  # pulumi.automation is imported only once a real deployer is needed
    from tooling.deploy.automation import AutomationDeployer

DeployerFactory = Callable[[Mapping[str, str], str], Deployer]
"""Builds the deployer once the checks passed: (environ, environment name) -> Deployer."""
QuotaCheck = Callable[[Mapping[str, str], Environment, Sequence[Layer]], None]
"""Raises PreflightError when the account has no room for what the layers create."""
DestroyPlanner = Callable[[Environment], DestroyPlan]
"""The destroy plan of an environment; raises DeployError when its offline plan fails."""


ONLY_LAYERS: dict[str, Any] = {
    "nargs": "+",
    "action": "extend",
    "default": [],
    "metavar": "LAYER",
    "choices": LAYER_NAMES,
    "help": "exactly these layers, in deploy order (their upstream must be deployed already)",
}
"""`--only`, the same in every command that takes it. The offline plan's `--layer` is another flag
because it means another thing: a layer plus everything upstream of it."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.deploy",
        description="Deploy, preview and destroy every layer of an environment, in order.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy-all", help="up every layer in order")
    deploy.add_argument("environment")
    pick = deploy.add_mutually_exclusive_group()
    pick.add_argument(
        "--from",
        dest="start_from",
        metavar="LAYER",
        choices=LAYER_NAMES,
        help="this layer and every later one in deploy order (to resume)",
    )
    pick.add_argument("--only", **ONLY_LAYERS)
    deploy.add_argument(
        "--yes", action="store_true", help="do not ask first (classes with confirm_deploy)"
    )
    deploy.add_argument("--show-secrets", action="store_true", help="write secrets in outputs/")

    up = commands.add_parser("up", help="up one layer (same checks as deploy-all)")
    up.add_argument("layer", choices=LAYER_NAMES)
    up.add_argument("environment")
    up.add_argument("--yes", action="store_true")
    up.add_argument("--show-secrets", action="store_true")

    preview = commands.add_parser("preview", help="preview every layer with the policy pack")
    preview.add_argument("environment")
    preview.add_argument("--only", **ONLY_LAYERS)

    destroy = commands.add_parser("destroy-all", help="destroy every layer, in reverse order")
    destroy.add_argument("environment")
    destroy.add_argument("--yes-destroy-prod", action="store_true")
    destroy.add_argument(
        "--plan",
        action="store_true",
        help="only list, offline, what would be deleted, kept and what would block",
    )

    cleanup = commands.add_parser("cleanup-pr", help="destroy and remove a PR environment")
    cleanup.add_argument("environment")
    return parser


def stack_files(name: str, stacks_dir: Path = STACKS_DIR) -> dict[str, StackDocument]:
    """Each layer's existing `Pulumi.<name>.yaml`, read as the CLI reads it: a file it would refuse
    (broken, not a mapping, not UTF-8), or one whose `environmentSuffix` renames the environment,
    stops here with one message naming the file."""
    found = {}
    for layer in LAYERS:
        path = stacks_dir / layer.name / f"Pulumi.{name}.yaml"
        document = read_stack_file(path, layer.name)
        if document is None:
            continue
        suffix = document.values.get(f"{layer.name}:environmentSuffix")
        try:
            stack_environment_name(name, None if suffix is None else suffix.text)
        except EnvironmentNameError as error:
            raise EnvironmentNameError(f"{path}: {layer.name}:environmentSuffix {error}") from None
        found[layer.name] = document
    return found


def declared_class(documents: Mapping[str, StackDocument]) -> str | None:
    """The `environmentClass` a custom-named environment's stack files declare, if any."""
    for layer, document in documents.items():
        declared = document.values.get(f"{layer}:environmentClass")
        if declared is not None:
            return declared.text
    return None


def show_offline_plan(environment: Environment, layers: Sequence[Layer]) -> None:
    """tooling.offline's plan of `layers` (with their upstream) and the pack, rendered as
    `nox -s plan` does; a failure becomes a DeployError with the plan's own message."""
    from rich.console import Console

    from tooling.offline import ProgramError, plan
    from tooling.offline.report import render

    try:
        result = plan(environment.name, layers=[layer.name for layer in layers])
    except ProgramError as error:
        raise DeployError(f"the {error.layer} layer raised {error.message}") from None
    except (ValueError, RuntimeError, OSError) as error:  # PlanError, PolicyPackError, ...
        raise DeployError(str(error)) from None
    render(result, Console(), subtitle="offline: not previewable yet")


def offline_destroy_plan(environment: Environment) -> DestroyPlan:
    """The destroy plan from the environment's offline plan (no policy pack: only the resources)."""
    from tooling.offline import ProgramError, plan

    try:
        result = plan(environment.name, pack_dir=None)
    except ProgramError as error:
        raise DeployError(f"the {error.layer} layer raised {error.message}") from None
    except (ValueError, RuntimeError, OSError) as error:  # PlanError, StackConfigError, ...
        raise DeployError(str(error)) from None
    return destroy_plan(
        environment.name, {name: layer.resources for name, layer in result.layers.items()}
    )


def check_deploy_quotas(
    environ: Mapping[str, str], environment: Environment, layers: Sequence[Layer]
) -> None:
    """Count what the layers create from their offline plan, compare with the account's quotas."""
    import botocore.exceptions
    import botocore.session

    from tooling.deploy.quotas import check_quotas, demand_of
    from tooling.offline import ProgramError, load_stack_config, plan

    try:
        result = plan(environment.name, layers=[layer.name for layer in layers], pack_dir=None)
        region = load_stack_config(layers[0].name, environment.name).get("aws:region")
    except ProgramError as error:
        raise PreflightError(f"the offline plan of {environment.name} failed: {error}") from None
    except (ValueError, RuntimeError, OSError) as error:
        raise PreflightError(str(error)) from None
    region = str(region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "")
    if not region:
        raise PreflightError(
            f"No AWS region for {environment.name}: set aws:region in the stack files or AWS_REGION."
        )
    resources = [r for layer in layers for r in result.layers[layer.name].resources]
    session = botocore.session.Session()
    try:
        check_quotas(
            demand_of(resources),
            environment=environment.name,
            region=region,
            ec2=session.create_client("ec2", region_name=region),
            service_quotas=session.create_client("service-quotas", region_name=region),
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise PreflightError(
            f"The quota check could not ask AWS ({error}). The deploy role needs "
            "ec2:DescribeAddresses, ec2:DescribeVpcs, ec2:DescribeNatGateways, "
            "ec2:DescribeSubnets and servicequotas:GetServiceQuota/GetAWSDefaultServiceQuota."
        ) from None


def automation_deployer(environ: Mapping[str, str], environment: str) -> AutomationDeployer:
    """The real deployer: checks the secrets provider, finds (or installs) the CLI, checks credentials."""
    from tooling.deploy import automation  # pulumi.automation only once it is needed

    declared = declared_secrets_providers(
        environment, {layer.name: layer.folder for layer in LAYERS}
    )
    check_secrets(
        automation.backend_url(environ),
        environ,
        declared,
        new_stacks=len(declared) < len(LAYERS),
    )
    home = Path(environ.get("HOME") or Path.home())
    cli = ensure_cli(environ, environment, install=functools.partial(automation.install_cli, home))
    check_aws_credentials(environ)
    backend = automation.backend_url(environ)
    if backend.startswith("file://"):  # Pulumi's file backend needs its folder to exist
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    return automation.AutomationDeployer(
        cli=cli, environ=environ, on_output=functools.partial(print, flush=True)
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    deployer_factory: DeployerFactory = automation_deployer,
    outputs_dir: Path = OUTPUTS_DIR,
    offline_plan: OfflinePlan = show_offline_plan,
    quota_check: QuotaCheck = check_deploy_quotas,
    stacks_dir: Path = STACKS_DIR,
    destroy_planner: DestroyPlanner = offline_destroy_plan,
) -> int:
    args = build_parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    say = functools.partial(print, flush=True)
    try:
        # shared.environment's one rule: the command line wins; a leftover ENVIRONMENT_SUFFIX
        # is one warning (automation sets it to this environment for the stacks it runs).
        name = args.environment.strip()
        problem = stack_name_problem(name) if name else None
        if problem:  # before its stack files are looked for: `dev/../x` names no file to read
            raise EnvironmentNameError(f"environment {name!r}: {problem}")
        resolution = resolve_environment(
            name,
            environment_class=declared_class(stack_files(name, stacks_dir)) if name else None,
            environ=environ,
        )
        if resolution.warning:
            print(f"warning: {resolution.warning}", file=sys.stderr)
        environment = resolution.environment
        layers: tuple[Layer, ...] = LAYERS
        if args.command == "deploy-all":
            layers = select_layers(start_from=args.start_from, only=args.only)
        elif args.command == "up":
            layers = (get_layer(args.layer),)
        elif args.command == "preview":
            layers = select_layers(only=args.only)
        if args.command == "destroy-all" and args.plan:
            planned = destroy_planner(environment)
            render_destroy_plan(planned, say)
            return 0 if planned.finishes else 1
        if args.command == "cleanup-pr" and not environment.profile.disposable:
            raise SelectionError(
                f"cleanup-pr only removes environments of a disposable class ({', '.join(classes_with(lambda p: p.disposable))}); "
                f"{environment.name} is {environment.environment_class}: use destroy-all"
            )
        writer = OutputFileWriter(outputs_dir, show_secrets=getattr(args, "show_secrets", False))
        # A corrupt output file would otherwise stop the run after its first `up`.
        writer.check(environment.name)
        deployer = deployer_factory(environ, environment.name)
        if args.command in ("deploy-all", "up"):
            quota_check(environ, environment, layers)
    except (
        EnvironmentNameError,
        UnknownLayerError,
        SelectionError,
        PreflightError,
        DeployError,
        StackConfigFileError,
        OutputFileError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted before any stack was touched", file=sys.stderr)
        return EXIT_INTERRUPTED

    orchestrator = Orchestrator(
        deployer=deployer, writer=writer, say=say, offline_plan=offline_plan
    )
    try:
        return _run(orchestrator, args, environment, layers)
    except DeployError as error:  # e.g. the backend refused even to look a stack up
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # deploy and destroy say what is done themselves; this is the rest
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(
    orchestrator: Orchestrator,
    args: argparse.Namespace,
    environment: Environment,
    layers: Sequence[Layer],
) -> int:
    if args.command in ("deploy-all", "up"):
        return orchestrator.deploy(
            environment,
            layers,
            yes=args.yes,
            resume=functools.partial(
                _resume_command,
                args.command,
                environment.name,
                bool(args.command == "up" or args.only),
            ),
        )
    if args.command == "preview":
        return orchestrator.preview(environment, layers)
    if args.command == "destroy-all":
        return orchestrator.destroy(environment, yes=args.yes_destroy_prod)
    return orchestrator.cleanup_pr(environment)


def _resume_command(command: str, environment: str, only: bool, remaining: Sequence[Layer]) -> str:
    if command == "up":
        return f"nox -s up -- {remaining[0].name} {environment}"
    if only:
        return f"nox -s deploy-all -- {environment} --only {' '.join(layer.name for layer in remaining)}"
    return f"nox -s deploy-all -- {environment} --from {remaining[0].name}"
