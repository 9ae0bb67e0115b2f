"""`python -m tooling.offline plan <env>` and `... policy-check <stack-export.json>`.

Exit codes: 0 = no mandatory violation; 1 = at least one mandatory violation (with `--access`, or
an access finding: a gap or an escalation of the class's CI roles); 2 = a usage or config
error, a program that raised, or a pack that could not run (nothing is written then). Mistakes end
in one message, never in this tool's own traceback; a program's exception is shown with its layer
and its own traceback; anything else is this tool's bug and says so. Text from users, programs and
packs is printed as plain text, never as rich markup, and without control characters; every secret
the run learns is masked from everything it prints or writes (tooling.redaction). Temporary files
live in a private folder that is removed on every exit, Ctrl-C (exit 130) and SIGTERM (exit 143)
included; the packs, and everything in their process groups, are stopped then too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from shared.environment import ACCEPTED_FORMS, command_line_wins, leftover_warning
from shared.layers import LAYER_NAMES, POLICY_PACK_DIR
from tooling import outputs, redaction
from tooling.terminal import plain_text_only

if TYPE_CHECKING:  # the CLI imports the planner only once arguments parse, so --help stays fast
    from tooling.offline.change_guard import GuardConfig
    from tooling.offline.changes import DeployedState
    from tooling.offline.layer_runner import ProgramError
    from tooling.offline.planner import PlanResult

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM: unwinds like Ctrl-C, so every pack is stopped and every temporary file removed."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a caller in a thread keeps its own
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


JSON_HELP = "also write the JSON report here (`-`: to stdout, the table then goes to stderr)"
STDOUT = Path("-")


class UsageError(ValueError):
    """An argument that cannot work, found before anything runs."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.offline",
        description="Offline plan: every layer under Pulumi's mock runtime, checked by the policy "
        "pack over the Analyzer protocol. No Pulumi CLI, no credentials, no cloud calls.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the layers of one environment and the pack")
    _plan_arguments(plan)
    check = commands.add_parser(
        "policy-check", help="run the pack over a `pulumi stack export` file"
    )
    check.add_argument("export", type=Path, help="a `pulumi stack export` JSON file")
    check.add_argument("--env", help="environment (default: the stack name in the URNs)")
    check.add_argument("--json", type=Path, metavar="FILE", help=JSON_HELP)
    _policy_pack_arguments(check)
    return parser


def _plan_arguments(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("environment", help=ACCEPTED_FORMS)
    plan.add_argument(
        "--layer",
        action="append",
        dest="layers",
        metavar="NAME",
        help="plan this layer and everything upstream of it, whose outputs answer its stack "
        f"references (repeatable; one of {', '.join(LAYER_NAMES)}). Not deploy's --only: that "
        "takes exactly the named layers",
    )
    plan.add_argument("--json", type=Path, metavar="FILE", help=JSON_HELP)
    plan.add_argument(
        "--preview",
        action="store_true",
        help="computed outputs stay unknown, as in `pulumi preview`",
    )
    plan.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    plan.add_argument(
        "--against",
        type=Path,
        action="append",
        metavar="STATE",
        help="also plan the changes to a deployed state: a `pulumi stack export` file per layer, "
        "or a folder of <layer>.json (repeatable); the class's change guard applies",
    )
    plan.add_argument(
        "--changes-json",
        type=Path,
        metavar="FILE",
        help="with --against: also write the change plan and the guard's findings here",
    )
    plan.add_argument(
        "--access",
        action="store_true",
        help="also check the CI role of the class against the plan (docs/access.md)",
    )
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
    if report is not None and report != STDOUT:
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
        Text.assemble(("error:", "bold red"), " ", redaction.current().terminal(message)),
        highlight=False,
        soft_wrap=True,
    )


def _print_traceback(console: Console, text: str) -> None:
    console.print(redaction.current().terminal(text), markup=False, highlight=False, soft_wrap=True)


def _program_error(errors: Console, error: ProgramError) -> None:
    where = f"the {error.layer} layer (stack {error.stack})"
    if not error.program_traceback:  # a pulumi.RunError: its message is the whole story
        _error(errors, f"{where} failed: {error.message}")
        return
    _error(errors, f"{where} raised {error.message}")
    _print_traceback(errors, error.program_traceback)


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    args = _parser().parse_args(argv)
    # A shell starts a background job (`plan ... &`) with SIGINT ignored, and children inherit an
    # ignored signal: the packs would ignore the SIGINT that stops them, as the CLI stops them,
    # and be killed only after the stop timeout.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    errors = Console(stderr=True) if console is None else console
    # `--json -` keeps stdout for the JSON alone (`| jq`): the table goes to stderr.
    out = console or (errors if getattr(args, "json", None) == STDOUT else Console())
    try:
        with (
            _sigterm_unwinds(),
            redaction.masking(),
            plain_text_only(out, errors),
            _private_tempdir(),
        ):
            return _run(args, out, errors)
    except Terminated:
        _error(errors, "terminated; the policy packs were stopped and temporary files removed")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _error(errors, "interrupted; nothing was written")
        return EXIT_INTERRUPTED


def _write_report(result: PlanResult, target: Path | None) -> None:
    from tooling.offline.report import json_text, write_json

    if target == STDOUT:
        sys.stdout.write(json_text(result))
        sys.stdout.flush()
    elif target is not None:
        write_json(result, target)


def _run(args: argparse.Namespace, out: Console, errors: Console) -> int:
    try:
        _check_arguments(args)
    except UsageError as error:
        _error(errors, str(error))
        return EXIT_ERROR
    from tooling.offline.layer_runner import ProgramError, StackConfigError
    from tooling.offline.report import render

    def warn(message: str) -> None:
        shown = escape(redaction.current().terminal(message))
        errors.print(f"[yellow]warning:[/yellow] {shown}", highlight=False)

    try:
        state = _against(args)
        if args.command == "plan":
            result, subtitle = _plan(args, warn)
        else:
            result, subtitle = _policy_check(args, warn)
        _write_report(result, args.json)
        render(result, out, subtitle=subtitle)
        if args.json and args.json != STDOUT:
            out.print(Text(redaction.current().terminal(f"JSON report: {args.json}")))
        blocked = state is not None and _change_plan(result, state, out, args.changes_json)
        clean = args.command != "plan" or not args.access or _access_clean(result, args, out)
    except StackConfigError as error:
        _error(errors, error.user_message)
        return EXIT_ERROR
    except ProgramError as error:
        _program_error(errors, error)
        return EXIT_ERROR
    except (ValueError, RuntimeError, OSError) as error:
        # Every user mistake surfaces as one of these (PlanError, ConfigError, PolicyPackError,
        # StackExportError, StackConfigFileError, ...), each with a message that says what to fix.
        _error(errors, str(error))
        return EXIT_ERROR
    except Exception as error:
        _error(
            errors,
            f"internal error in the offline planner (a bug, not your mistake; please report it "
            f"with the traceback below): {type(error).__name__}: {error}",
        )
        _print_traceback(errors, traceback.format_exc())
        return EXIT_ERROR
    return EXIT_MANDATORY if result.mandatory or blocked or not clean else EXIT_OK


def _plan(args: argparse.Namespace, warn: Callable[[str], None]) -> tuple[PlanResult, str]:
    """`plan`: the result, written to the output files unless a preview, and the report's subtitle."""
    from tooling.offline.planner import plan
    from tooling.offline.report import plan_secrets
    from tooling.offline.stack_config import read_config_overlay

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
    redaction.remember(plan_secrets(result))  # for the output files, too
    if not args.preview:
        _write_outputs(result, args.environment, args.outputs or outputs.OUTPUTS_DIR)
        return result, ""
    # Outputs hold values a deployment knows; a preview's are the unknown sentinel.
    return result, "preview (computed values unknown); no output files written"


def _policy_check(args: argparse.Namespace, warn: Callable[[str], None]) -> tuple[PlanResult, str]:
    """`policy-check`: the packs over an export, and the report's subtitle."""
    from tooling.offline.planner import policy_check

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
    return result, f"policy check of {args.export}"


def _against(args: argparse.Namespace) -> DeployedState | None:
    """The deployed state of `plan --against`: a bad state or guard file stops before any layer."""
    if args.command != "plan" or not args.against:
        if getattr(args, "changes_json", None) is not None:
            raise UsageError("--changes-json needs --against <state>")
        return None
    from tooling.offline.changes import read_state

    if args.preview:
        # A deployed resource's values are known to `pulumi preview`; under the mocks' preview
        # they would be unknown, and every reference to them would look like a change.
        raise UsageError("--against plans with the deployed values: leave out --preview")
    report: Path | None = args.changes_json
    if report is not None and (report.is_dir() or not report.parent.is_dir()):
        raise UsageError(f"--changes-json {report}: name a file in an existing folder")
    state = read_state(args.against, args.environment)
    _guard_config(args.environment)
    return state


def _guard_config(environment: str) -> GuardConfig:
    from shared.environment import parse_environment
    from tooling.offline.change_guard import load_guard_config

    return load_guard_config(parse_environment(environment).environment_class)


def _change_plan(
    result: PlanResult, state: DeployedState, out: Console, report: Path | None
) -> bool:
    """The change plan against the deployed state, and the class's guard over it: True when the
    guard blocks a change."""
    from tooling.offline.change_guard import blocking, guard
    from tooling.offline.change_report import render_changes, write_changes_json
    from tooling.offline.changes import plan_changes
    from tooling.offline.report import plan_secrets

    changes = plan_changes(result.layers, state)
    findings = guard(changes, _guard_config(result.environment))
    secrets = plan_secrets(result)
    render_changes(changes, findings, out, environment=result.environment, secrets=secrets)
    if report is not None:
        write_changes_json(changes, findings, report, secrets=secrets)
        out.print(Text(f"change plan JSON: {report}"))
    return bool(blocking(findings))


def _access_clean(result: PlanResult, args: argparse.Namespace, out: Console) -> bool:
    """The access check of the planned class (tooling/access): False on a gap or an escalation."""
    from shared.config import declared_environment
    from tooling.access.bootstrap_plan import bootstrap_model
    from tooling.access.report import check_class, findings_table
    from tooling.offline.stack_config import read_stack_config

    layer = next(iter(result.layers))
    raw = read_stack_config(layer, result.environment, stacks_dir=args.stacks).values
    environment_class = declared_environment(layer, raw, result.environment).environment_class
    resources = [r for layer in result.layers.values() for r in layer.resources]
    stacks = [(layer, result.environment) for layer in result.layers]
    checked = check_class(bootstrap_model(), environment_class, resources, stacks)
    findings = [f for role in checked for f in role.findings]
    for role in checked:
        out.print(
            f"access: {role.role.github_environment} needs {len(role.needed)} actions, is "
            f"allowed {len(role.allowed)}, {len(role.findings)} finding(s)",
            markup=False,
        )
    if findings:
        out.print(findings_table(findings))
    return not findings


if __name__ == "__main__":
    sys.exit(main())
