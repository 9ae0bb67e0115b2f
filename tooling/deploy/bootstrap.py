"""`nox -s bootstrap`: the bootstrap project planned offline, or its state moved into its bucket.

Like `nox -s plan` for the layers: the program runs under Pulumi's mocks (tooling.offline's
run_layer), its resources go through the policy pack over the Analyzer protocol (evaluate) with
the stack's config, whose `bootstrap:environmentClass: prod` gives it the prod class's rules, the
strictest, as under `pulumi preview --policy-pack policies`. Exit 0 clean, 1 a mandatory violation, 2 a config or program error.

`--move-state` moves the bootstrap's own state from the local file backend it was created with to
the `bootstrap/` prefix of the bucket it created (docs/ci.md, step 4). Every Pulumi command gets
its backend in `PULUMI_BACKEND_URL`: that variable wins over `pulumi login`, so a value left in
the shell from step 3 would otherwise send `stack init` and `stack import` to the file backend.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from shared.layers import POLICY_PACK_DIR, REPO_ROOT
from tooling.offline import (
    LayerResult,
    ProgramError,
    StackConfigError,
    Violation,
    evaluate,
    run_layer,
)

BOOTSTRAP_DIR = REPO_ROOT / "bootstrap"
PROJECT = "bootstrap"
STACK = "account"
# Where docs/ci.md step 3 creates the stack (tooling.deploy.automation's default backend).
LOCAL_BACKEND_URL = f"file://{REPO_ROOT / '.pulumi-state'}"
# The prefix of the state bucket no CI role reaches (bootstrap/access.py).
STATE_PREFIX = "bootstrap"


class BootstrapConfigError(ValueError):
    pass


def stack_config(stack: str = STACK, folder: Path = BOOTSTRAP_DIR) -> dict[str, object]:
    path = folder / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise BootstrapConfigError(f"{path} does not exist: copy Pulumi.{STACK}.yaml and edit it")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise BootstrapConfigError(f"{path} is not valid YAML: {error}") from None
    config = document.get("config") if isinstance(document, dict) else None
    return dict(config or {})


def plan_bootstrap(
    stack: str = STACK,
    *,
    folder: Path = BOOTSTRAP_DIR,
    pack_dir: Path = POLICY_PACK_DIR,
    overrides: Mapping[str, object] | None = None,
) -> tuple[LayerResult, list[Violation]]:
    """The stack's config, with `overrides` (`bootstrap:<key>` -> value) on top, planned and checked."""
    config = {**stack_config(stack, folder), **(overrides or {})}
    result = run_layer(PROJECT, stack, config=config, program_dir=folder)
    violations = evaluate(
        result.resources, stack, layer=PROJECT, pack_dir=pack_dir, stack_config=config
    )
    return result, violations


class MoveError(RuntimeError):
    """A step of the state move failed; the message says which and what is left where."""


@dataclass(frozen=True)
class PulumiRun:
    """One Pulumi command of the move, and the backend it must reach."""

    args: tuple[str, ...]
    backend: str


Runner = Callable[[PulumiRun], subprocess.CompletedProcess[str]]


def pulumi_runner(environ: Mapping[str, str], folder: Path = BOOTSTRAP_DIR) -> Runner:
    """Runs `pulumi` in the bootstrap folder with the command's backend, whatever the shell says."""

    def run(command: PulumiRun) -> subprocess.CompletedProcess[str]:
        env = {**environ, "PULUMI_BACKEND_URL": command.backend, "PULUMI_SKIP_UPDATE_CHECK": "1"}
        return subprocess.run(
            ["pulumi", *command.args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    return run


def _checked(run: Runner, command: PulumiRun, what: str) -> str:
    done = run(command)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise MoveError(
            f"{what} failed ({command.backend}): {reason[-1] if reason else 'no output'}"
        )
    return done.stdout


def _urns(export: str) -> list[str]:
    deployment = json.loads(export).get("deployment") or {}
    return sorted(str(r.get("urn")) for r in deployment.get("resources") or [])


def move_state(
    run: Runner,
    *,
    stack: str = STACK,
    source: str = LOCAL_BACKEND_URL,
    region: str,
    workdir: Path,
) -> str:
    """Export `stack` from `source`, create and import it under the state bucket's bootstrap
    prefix, and check the copy holds the same resources. Returns the target backend URL."""
    outputs = json.loads(
        _checked(
            run,
            PulumiRun(("stack", "output", "--stack", stack, "--json"), source),
            "reading the outputs",
        )
    )
    bucket = outputs.get("state_bucket")
    if not bucket:
        raise MoveError(
            f"stack {stack} at {source} has no state_bucket output: run `pulumi up` first"
        )
    target = f"s3://{bucket}/{STATE_PREFIX}?region={region}"
    if target == source:
        raise MoveError(f"the state is already at {target}")
    export_file = workdir / f"{stack}.json"
    _checked(
        run,
        PulumiRun(("stack", "export", "--stack", stack, "--file", str(export_file)), source),
        "exporting the state",
    )
    source_urns = _urns(export_file.read_text())
    _checked(run, PulumiRun(("stack", "init", stack), target), f"creating stack {stack}")
    _checked(
        run,
        PulumiRun(("stack", "import", "--stack", stack, "--file", str(export_file)), target),
        "importing the state",
    )
    copied = _checked(
        run, PulumiRun(("stack", "export", "--stack", stack), target), "reading it back"
    )
    if _urns(copied) != source_urns:
        raise MoveError(
            f"the copy at {target} does not hold the {len(source_urns)} resources of {source}: "
            "keep the local state and compare `pulumi stack export` of both"
        )
    return target


def _move(args: argparse.Namespace, environ: Mapping[str, str], run: Runner | None) -> int:
    config = stack_config(args.stack)
    region = config.get("aws:region")
    if not region:
        raise BootstrapConfigError(f"Pulumi.{args.stack}.yaml sets no aws:region")
    with tempfile.TemporaryDirectory() as workdir:
        target = move_state(
            run or pulumi_runner(environ),
            stack=args.stack,
            source=args.source,
            region=str(region),
            workdir=Path(workdir),
        )
    print(f"stack {args.stack} is now at {target}, with the same resources as at {args.source}.")
    print(f"From now on: export PULUMI_BACKEND_URL='{target}' before any command in bootstrap/.")
    if args.source.startswith("file://"):
        local = Path(args.source.removeprefix("file://")) / ".pulumi" / "stacks" / PROJECT
        print(f"Then remove the local copy: rm -r '{local}'")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """`nox -s bootstrap`'s arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m tooling.deploy.bootstrap",
        description="Plan the bootstrap project offline and check it with the policy pack.",
    )
    parser.add_argument("--stack", default=STACK)
    parser.add_argument(
        "--move-state",
        action="store_true",
        help="move the stack's state from --from to the bootstrap/ prefix of its state bucket",
    )
    parser.add_argument(
        "--from",
        dest="source",
        default=LOCAL_BACKEND_URL,
        metavar="BACKEND_URL",
        help=f"where the state is now (default: {LOCAL_BACKEND_URL})",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    run: Runner | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    if args.move_state:
        try:
            return _move(args, os.environ if environ is None else environ, run)
        except (MoveError, BootstrapConfigError, ValueError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    try:
        result, violations = plan_bootstrap(args.stack)
    except StackConfigError as error:
        print(f"error: {error.user_message}", file=sys.stderr)
        return 2
    except ProgramError as error:
        print(f"error: the bootstrap program raised {error.message}", file=sys.stderr)
        print(error.program_traceback, file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"bootstrap (stack {args.stack}), planned offline: {len(result.resources)} resources")
    for type_, count in sorted(Counter(r.type for r in result.resources).items()):
        print(f"  {count:3d}  {type_}")
    for name, value in sorted(result.outputs.items()):
        print(f"output {name}: {value}")
    for violation in violations:
        print(f"[{violation.level}] {violation.policy}: {violation.message}")
    blocking = [v for v in violations if v.blocking]
    print(f"policy pack: {len(violations)} finding(s), {len(blocking)} mandatory")
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
