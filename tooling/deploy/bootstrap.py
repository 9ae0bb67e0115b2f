"""`python -m tooling.deploy.bootstrap [--stack account]`: the bootstrap project planned offline.

Like `nox -s plan` for the layers: the program runs under Pulumi's mocks (tooling.offline's
run_layer), its resources go through the policy pack over the Analyzer protocol (evaluate) with
the stack's config, whose `bootstrap:environmentClass: prod` gives it the prod class's rules, the
strictest, as under `pulumi preview --policy-pack policies`. Exit 0 clean, 1 a mandatory violation, 2 a config or program error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

from shared.layers import POLICY_PACK_DIR, REPO_ROOT
from tooling.offline import LayerResult, ProgramError, Violation, evaluate, run_layer

BOOTSTRAP_DIR = REPO_ROOT / "bootstrap"
PROJECT = "bootstrap"
STACK = "account"


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
    stack: str = STACK, *, folder: Path = BOOTSTRAP_DIR, pack_dir: Path = POLICY_PACK_DIR
) -> tuple[LayerResult, list[Violation]]:
    config = stack_config(stack, folder)
    result = run_layer(PROJECT, stack, config=config, program_dir=folder)
    violations = evaluate(
        result.resources, stack, layer=PROJECT, pack_dir=pack_dir, stack_config=config
    )
    return result, violations


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.deploy.bootstrap",
        description="Plan the bootstrap project offline and check it with the policy pack.",
    )
    parser.add_argument("--stack", default=STACK)
    args = parser.parse_args(argv)
    try:
        result, violations = plan_bootstrap(args.stack)
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
