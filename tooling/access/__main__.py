"""`python -m tooling.access <class>`: each CI role of the class, its effective permissions as a
table, its findings against the class's plan; writes each role's policies to
`access-<github environment>.json`. `--write` regenerates bootstrap/ci_grants.json from the plans.
Exit 0 clean, 1 a gap or an escalation, 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from shared.environment import ENVIRONMENT_CLASSES
from shared.layers import REPO_ROOT
from tooling import redaction
from tooling.access.bootstrap_plan import bootstrap_model, plan_class
from tooling.access.derive import derive
from tooling.access.report import check_class, findings_table, permissions_table

if TYPE_CHECKING:
    from tooling.offline import PlanResult

GRANTS_FILE = REPO_ROOT / "bootstrap" / "ci_grants.json"


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.access", description=__doc__)
    parser.add_argument("environment_class", nargs="?", help=", ".join(ENVIRONMENT_CLASSES))
    parser.add_argument("--write", action="store_true", help="regenerate bootstrap/ci_grants.json")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the policy JSON")
    parser.add_argument(
        "--values",
        type=Path,
        metavar="DIR",
        help="a folder of <environment>.yaml files whose values go over the stack files "
        "(as `plan --config-file` takes them): where the stack files still hold example values",
    )
    args = parser.parse_args(argv)
    out = console or Console()
    if args.values is not None and not args.values.is_dir():
        out.print(f"error: --values {args.values} is not a folder", markup=False)
        return 2

    try:
        return _run(args, out)
    except (ValueError, RuntimeError, OSError) as error:
        # A stack file or config the plan refuses (PlanError, ConfigError, a program's
        # StackConfigError), or an unreadable file: the message says what to fix.
        message = getattr(error, "user_message", "") or str(error)
        out.print(f"error: {redaction.current().terminal(message)}", markup=False, soft_wrap=True)
        return 2


def _run(args: argparse.Namespace, out: Console) -> int:
    def plan(environment_class: str) -> PlanResult:
        return plan_class(environment_class, values=args.values)

    if args.write:
        plans = {
            c: [r for layer in plan(c).layers.values() for r in layer.resources]
            for c in ENVIRONMENT_CLASSES
        }
        GRANTS_FILE.write_text(json.dumps(derive(plans), indent=1, sort_keys=True) + "\n")
        out.print(f"wrote {GRANTS_FILE.relative_to(REPO_ROOT)}")
        return 0
    if args.environment_class not in ENVIRONMENT_CLASSES:
        out.print(
            f"error: name one environment class ({', '.join(ENVIRONMENT_CLASSES)}), "
            f"not {args.environment_class!r}",
            markup=False,
        )
        return 2
    if not args.out.is_dir():
        out.print(f"error: --out {args.out} is not a folder", markup=False)
        return 2
    result = plan(args.environment_class)
    resources = [r for layer in result.layers.values() for r in layer.resources]
    stacks = [(layer, result.environment) for layer in result.layers]
    results = check_class(bootstrap_model(), args.environment_class, resources, stacks)
    for checked in results:
        out.print(permissions_table(checked.role))
        out.print(
            f"{checked.role.github_environment}: {len(checked.needed)} actions needed, "
            f"{len(checked.allowed)} allowed, {len(checked.findings)} finding(s)",
            markup=False,
        )
        path = args.out / f"access-{checked.role.github_environment}.json"
        path.write_text(json.dumps(list(checked.role.principal.policies), indent=1) + "\n")
        out.print(f"policy JSON: {path}", markup=False)
    findings = [f for checked in results for f in checked.findings]
    if findings:
        out.print(findings_table(findings))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
