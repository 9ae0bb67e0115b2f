"""`python -m tooling.access <class>`: the class's roles, their findings, their policies as JSON
(`access-<role>.json`); `--write` regenerates bootstrap/ci_grants.json from the plans.
Exit 0 clean, 1 a gap or an escalation, 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from shared.environment import ENVIRONMENT_CLASSES
from shared.layers import REPO_ROOT
from tooling.access.check import escalations, gaps, pulumi_needs
from tooling.access.derive import derive
from tooling.access.grants import example_environment
from tooling.access.model import read_model
from tooling.access.needs import resource_needs
from tooling.deploy.bootstrap import BOOTSTRAP_DIR, stack_config
from tooling.offline import plan, run_layer

GRANTS_FILE = REPO_ROOT / "bootstrap" / "ci_grants.json"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.access", description=__doc__)
    parser.add_argument("environment_class", nargs="?")
    parser.add_argument("--write", action="store_true", help="regenerate bootstrap/ci_grants.json")
    args = parser.parse_args(argv)
    if args.write:
        plans = {
            c: [
                r
                for layer in plan(example_environment(c), pack_dir=None).layers.values()
                for r in layer.resources
            ]
            for c in ENVIRONMENT_CLASSES
        }
        GRANTS_FILE.write_text(json.dumps(derive(plans), indent=1, sort_keys=True) + "\n")
        print(f"wrote {GRANTS_FILE.relative_to(REPO_ROOT)}")
        return 0
    if args.environment_class not in ENVIRONMENT_CLASSES:
        print(f"name an environment class: {', '.join(ENVIRONMENT_CLASSES)}", file=sys.stderr)
        return 2
    environment_class: str = args.environment_class
    result = plan(example_environment(environment_class), pack_dir=None)
    resources = [r for layer in result.layers.values() for r in layer.resources]
    stacks = [(layer, result.environment) for layer in result.layers]
    bootstrap = run_layer("bootstrap", "account", config=stack_config(), program_dir=BOOTSTRAP_DIR)
    model = read_model(bootstrap.resources, bootstrap.outputs)
    found = 0
    for role in model.roles.values():
        if role.environment_class != environment_class:
            continue
        operations = ("create", "read", "update", "delete") if role.deploys else ("read",)
        needs, _, _ = resource_needs(resources, operations)  # type: ignore[arg-type]
        wanted = [*needs, *pulumi_needs(model, role, stacks)]
        findings = [*gaps(model, role, wanted), *escalations(model, role)]
        allowed_actions = sorted({n.action for n in wanted})
        print(
            f"{role.github_environment}: {len(allowed_actions)} actions needed, {len(findings)} finding(s)"
        )
        for action in allowed_actions:
            print(f"  {action}")
        for finding in findings:
            print(f"  {finding}")
        out = REPO_ROOT / f"access-{role.github_environment}.json"
        out.write_text(json.dumps(list(role.principal.policies), indent=1) + "\n")
        found += len(findings)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
