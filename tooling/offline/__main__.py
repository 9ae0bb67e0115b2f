"""`python -m tooling.offline plan <env>` and `... policy-check <stack-export.json>`.

Exit codes: 0 = no mandatory violation; 1 = at least one mandatory violation; 2 = a usage or config
error, a program that raised, or a pack that could not run (nothing is written then). Mistakes end
in one message, never in this tool's own traceback; a program's exception is shown with its layer
and its own traceback; anything else is this tool's bug and says so. Text from users, programs and
packs is printed as plain text, never as rich markup. Temporary files live in a private folder that
is removed on every exit, Ctrl-C included (exit 130).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from shared.environment import command_line_wins, leftover_warning
from shared.layers import LAYER_NAMES, POLICY_PACK_DIR
from tooling import outputs

if TYPE_CHECKING:  # the CLI imports the engine only once arguments parse, so --help stays fast
    from tooling.offline.planner import PlanResult

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class UsageError(ValueError):
    """An argument that cannot work, found before anything runs."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.offline",
        description="Offline plan: every layer under Pulumi's mock engine, checked by the policy "
        "pack over the Analyzer protocol. No Pulumi CLI, no credentials, no cloud calls.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the layers of one environment and the pack")
    plan.add_argument("environment", help="dev, staging, prod or pr-<number>")
    plan.add_argument(
        "--layer",
        action="append",
        dest="layers",
        metavar="NAME",
        help=f"plan this layer and everything upstream of it (repeatable; one of {', '.join(LAYER_NAMES)})",
    )
    plan.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON report here")
    plan.add_argument(
        "--preview",
        action="store_true",
        help="computed outputs stay unknown, as in `pulumi preview`",
    )
    plan.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    plan.add_argument(
        "--config-file",
        type=Path,
        metavar="FILE",
        help="values over every layer's Pulumi.<env>.yaml, in a file shaped like one "
        "(`config:` of <layer>:<key>); e.g. the values users set, for CI",
    )
    _policy_pack_arguments(plan)
    plan.add_argument(
        "--stacks", type=Path, help="another folder of layer programs (default: stacks/)"
    )
    plan.add_argument(
        "--outputs",
        type=Path,
        metavar="DIR",
        help="where the layers' output files go, marked offline (default: outputs/)",
    )
    check = commands.add_parser(
        "policy-check", help="run the pack over a `pulumi stack export` file"
    )
    check.add_argument("export", type=Path, help="a `pulumi stack export` JSON file")
    check.add_argument("--env", help="environment (default: the stack name in the URNs)")
    check.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON report here")
    _policy_pack_arguments(check)
    return parser


def _policy_pack_arguments(parser: argparse.ArgumentParser) -> None:
    """`--policy-pack DIR` and `--policy-pack-config FILE`, repeatable and paired by position, as in
    `pulumi preview`; `--pack` is kept as an alias."""
    parser.add_argument(
        "--policy-pack",
        "--pack",
        dest="packs",
        type=Path,
        action="append",
        metavar="DIR",
        help="a policy pack folder (repeatable; default: policies/)",
    )
    parser.add_argument(
        "--policy-pack-config",
        dest="pack_configs",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="JSON config for the policy pack in the same position (repeatable)",
    )


def _write_outputs(result: PlanResult, environment: str, root: Path) -> None:
    """The same files a deploy writes, marked offline, so downstream tooling can be tested."""
    writer = outputs.OutputFileWriter(root, offline=True)
    for name, layer in result.layers.items():
        writer.write(environment, name, layer.outputs, layer.secret_outputs)


def _check_arguments(args: argparse.Namespace) -> None:
    """Mistakes visible in the arguments alone: refused before any layer or pack runs."""
    from tooling.offline.stack_config import stack_name_problem

    environment = args.environment if args.command == "plan" else args.env
    if environment is not None:
        problem = stack_name_problem(environment)
        if problem:
            raise UsageError(f"environment {environment!r}: {problem}")
    report: Path | None = args.json
    if report is not None:
        if report.is_dir():
            raise UsageError(f"--json {report}: is a folder; name a file in it")
        if not report.parent.is_dir():
            raise UsageError(f"--json {report}: the folder {report.parent} does not exist")


@contextmanager
def _private_tempdir() -> Iterator[None]:
    """Every temporary file (forked layer results, pack logs) in one folder, removed on any exit."""
    previous = tempfile.tempdir
    folder = tempfile.mkdtemp(prefix="offline-plan-")
    tempfile.tempdir = folder
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


def _error(console: Console, message: str) -> None:
    console.print(
        Text.assemble(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True
    )


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    args = _parser().parse_args(argv)
    # A shell starts a background job (`plan ... &`) with SIGINT ignored, and children inherit an
    # ignored signal: the packs would ignore the SIGINT that stops them, as the CLI stops them,
    # and be killed only after the stop timeout.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    out = console or Console()
    errors = Console(stderr=True) if console is None else console
    try:
        with _private_tempdir():
            return _run(args, out, errors)
    except KeyboardInterrupt:
        _error(errors, "interrupted; nothing was written")
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace, out: Console, errors: Console) -> int:
    try:
        _check_arguments(args)
    except UsageError as error:
        _error(errors, str(error))
        return EXIT_ERROR
    from tooling.offline.engine import ProgramError, StackConfigError
    from tooling.offline.planner import plan, policy_check
    from tooling.offline.report import render, write_json
    from tooling.offline.stack_config import read_config_overlay

    def warn(message: str) -> None:
        errors.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False)

    try:
        if args.command == "plan":
            # The command line names the environment (shared.environment's one rule): a leftover
            # ENVIRONMENT_SUFFIX is one warning here and hidden from the programs and the pack.
            overlay = read_config_overlay(args.config_file) if args.config_file else None
            with command_line_wins(args.environment, warn):
                result = plan(
                    args.environment,
                    layers=args.layers,
                    config_overrides=overlay,
                    pack_dir=None if args.no_policy else (args.packs or [POLICY_PACK_DIR]),
                    policy_config_files=args.pack_configs,
                    stacks_dir=args.stacks,
                    preview=args.preview,
                )
            subtitle = "preview (computed values unknown)" if args.preview else ""
            if args.preview:
                # Outputs hold values a deployment knows; a preview's are the unknown sentinel.
                subtitle += "; no output files written"
            else:
                _write_outputs(result, args.environment, args.outputs or outputs.OUTPUTS_DIR)
        else:
            # The pack takes the environment from the export's stack (or --env), never from the
            # variable; the one warning is said here, once the stack is known.
            result = policy_check(
                args.export,
                environment=args.env,
                pack_dir=args.packs or [POLICY_PACK_DIR],
                policy_config_files=args.pack_configs,
            )
            leftover = leftover_warning(result.environment, os.environ)
            if leftover:
                warn(leftover)
            subtitle = f"policy check of {args.export}"
        if args.json:
            write_json(result, args.json)
        render(result, out, subtitle=subtitle)
        if args.json:
            out.print(Text(f"JSON report: {args.json}"))
    except StackConfigError as error:
        _error(errors, error.user_message)
        return EXIT_ERROR
    except ProgramError as error:
        _error(errors, f"the {error.layer} layer (stack {error.stack}) raised {error.message}")
        errors.print(error.program_traceback, markup=False, highlight=False, soft_wrap=True)
        return EXIT_ERROR
    except (ValueError, RuntimeError, OSError) as error:
        # Every user mistake surfaces as one of these (PlanError, ConfigError, PolicyPackError,
        # StackExportError, StackConfigFileError, ...), each with a message that says what to fix.
        _error(errors, str(error))
        return EXIT_ERROR
    except Exception as error:
        _error(
            errors,
            f"internal error in the offline engine (a bug, not your mistake; please report it "
            f"with the traceback below): {type(error).__name__}: {error}",
        )
        errors.print(traceback.format_exc(), markup=False, highlight=False, soft_wrap=True)
        return EXIT_ERROR
    return EXIT_MANDATORY if result.mandatory else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
