import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from shared.environment import Environment
from shared.layers import LAYER_NAMES, LAYERS, REPO_ROOT, Layer, with_upstream
from tests.tooling.deploy.offline_deployer import OfflineDeployer
from tooling.deploy.cli import QuotaCheck, main, show_offline_plan
from tooling.deploy.orchestrator import Deployer, DeployError, OfflinePlan, StackOutputs
from tooling.deploy.preflight import PreflightError


def no_quota_check(
    environ: Mapping[str, str], environment: Environment, layers: Sequence[Layer]
) -> None:
    pass


def no_offline_plan(environment: Environment, layers: Sequence[Layer]) -> None:
    print(f"(offline plan of {', '.join(layer.name for layer in layers)})")


def run(
    tmp_path: Path,
    deployer: OfflineDeployer,
    *argv: str,
    environ: Mapping[str, str] | None = None,
    quota_check: QuotaCheck = no_quota_check,
    offline_plan: OfflinePlan = no_offline_plan,
) -> int:
    def factory(environ: Mapping[str, str], environment: str) -> Deployer:
        return deployer

    return main(
        list(argv),
        environ=environ or {},
        deployer_factory=factory,
        outputs_dir=tmp_path,
        quota_check=quota_check,
        offline_plan=offline_plan,
    )


def test_deploy_all_writes_outputs_and_show_secrets_reveals_them(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    source = next(layer for layer in LAYERS if layer.secret_outputs)
    only = [layer.name for layer in with_upstream([source.name])]
    assert run(tmp_path, deployer, "deploy-all", "pr-3", "--only", *only, "--show-secrets") == 0
    flat = json.loads((tmp_path / "pr-3" / "flat-outputs.json").read_text())
    secret = f"{source.name}.{source.secret_outputs[0]}"
    assert flat[secret].startswith(f"{secret}@pr-3")  # the contract program's value


def test_a_failed_deploy_prints_the_exact_resume_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing, *after = LAYER_NAMES[-2:]
    deployer = OfflineDeployer(fail={failing: "boom"})
    assert run(tmp_path, deployer, "deploy-all", "dev") == 1
    assert f"Resume with: nox -s deploy-all -- dev --from {failing}" in capsys.readouterr().out

    assert run(tmp_path, deployer, "deploy-all", "dev", "--only", failing, *after) == 1
    only = " ".join((failing, *after))
    assert f"Resume with: nox -s deploy-all -- dev --only {only}" in capsys.readouterr().out

    assert run(tmp_path, deployer, "up", failing, "dev") == 1
    assert f"Resume with: nox -s up -- {failing} dev" in capsys.readouterr().out


def test_prod_confirmation_reads_stdin_and_yes_skips_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer = OfflineDeployer()
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    first, second = LAYER_NAMES[:2]
    assert run(tmp_path, deployer, "up", first, "prod") == 1
    assert deployer.calls == []

    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert run(tmp_path, deployer, "up", first, "prod") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run(tmp_path, deployer, "deploy-all", "prod", "--from", second, "--yes") == 0
    assert [layer for _, layer, _ in deployer.calls] == list(LAYER_NAMES)

    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    assert run(tmp_path, deployer, "destroy-all", "prod") == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("prod\n"))
    assert run(tmp_path, deployer, "destroy-all", "prod") == 0
    assert run(tmp_path, deployer, "destroy-all", "prod", "--yes-destroy-prod") == 0


def _commands_taking(flag: str) -> list[str]:
    import argparse

    from tooling.deploy.cli import build_parser

    subparsers = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    return [name for name, sub in subparsers.choices.items() if flag in sub._option_string_actions]


@pytest.mark.parametrize("command", _commands_taking("--only"))
def test_only_means_exactly_the_named_layers_in_every_command(tmp_path: Path, command: str) -> None:
    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, "deploy-all", "pr-9") == 0
    deployer.calls.clear()
    last = LAYER_NAMES[-1]
    assert run(tmp_path, deployer, command, "pr-9", "--only", last) == 0
    assert [layer for _, layer, _ in deployer.calls] == [last]  # none of its upstream


@pytest.mark.parametrize("command", _commands_taking("--only"))
def test_no_deploy_command_takes_the_plans_layer_flag(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--layer` means "and its upstream" in the offline plan: here it would mean something else.
    with pytest.raises(SystemExit) as stopped:
        run(tmp_path, OfflineDeployer(), command, "pr-9", "--layer", LAYER_NAMES[-1])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --layer" in capsys.readouterr().err


def test_preview_and_cleanup_pr(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, "preview", "pr-9", "--only", "network") == 0
    assert run(tmp_path, deployer, "deploy-all", "pr-9") == 0
    assert run(tmp_path, deployer, "cleanup-pr", "pr-9") == 0
    assert deployer.stacks == {}
    assert not (tmp_path / "pr-9").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["deploy-all", "prd"], "unknown environment 'prd'"),
        (
            ["cleanup-pr", "staging"],
            "cleanup-pr only removes environments of a disposable class (pr)",
        ),
        (["up", "network", "Dev!"], "invalid character '!' at position 3"),
        (["deploy-all", "dev/../../x"], "invalid character '/' at position 3"),
    ],
)
def test_user_mistakes_exit_2_with_one_message_and_touch_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, *argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert deployer.calls == []


def test_bad_layer_names_are_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["deploy-all", "dev", "--from", "dta"])
    assert raised.value.code == 2
    assert "invalid choice: 'dta'" in capsys.readouterr().err


def snapshot(*paths: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in paths:
        found[str(path)] = (
            sorted((str(p), p.stat().st_mtime_ns) for p in path.rglob("*"))
            if path.exists()
            else None
        )
    return found


def test_without_a_pulumi_cli_or_network_deploy_all_exits_2_and_changes_nothing(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    watched = (REPO_ROOT / ".pulumi-state", REPO_ROOT / "outputs", REPO_ROOT / "stacks")
    before = snapshot(*watched)
    environ = {
        "PATH": "",
        "HOME": str(home),
        # Were this machine online, the installer's download would still fail at once.
        "https_proxy": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "PULUMI_CONFIG_PASSPHRASE": "irrelevant",
    }

    result = subprocess.run(
        [sys.executable, "-m", "tooling.deploy", "deploy-all", "dev"],
        env=environ,
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard: the checks take about a second
    )

    assert result.returncode == 2, result.stderr
    assert "The Pulumi CLI is not installed" in result.stderr
    assert "curl -fsSL https://get.pulumi.com" in result.stderr
    assert "nox -s plan -- dev" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list(home.iterdir()) == []
    assert sorted(os.listdir(tmp_path)) == ["home"]
    assert snapshot(*watched) == before


def test_the_command_line_wins_over_a_leftover_suffix_with_one_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[str] = []

    def refuse(environ: Mapping[str, str], environment: str) -> Deployer:
        seen.append(environment)
        raise PreflightError("stop here")

    code = main(["preview", "prod"], environ={"ENVIRONMENT_SUFFIX": "dev"}, deployer_factory=refuse)
    assert code == 2 and seen == ["prod"]
    err = capsys.readouterr().err
    assert err.count("ENVIRONMENT_SUFFIX=dev") == 1 and "'prod'" in err


def test_preview_of_a_layer_not_deployed_yet_shows_its_real_offline_plan_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployer = OfflineDeployer()
    assert (
        run(
            tmp_path,
            deployer,
            "preview",
            "pr-3",
            "--only",
            "network",
            offline_plan=show_offline_plan,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert deployer.calls == [] and deployer.stacks == {}
    assert "not previewable yet: stack(s) network of pr-3 do not exist yet" in out
    assert "network (stack pr-3)" in out
    assert "aws:ec2/vpc:Vpc" in out
    assert "Previewed: none. Not previewable yet: network. Failed: none." in out


def test_a_quota_shortfall_exits_2_before_any_stack_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[tuple[str, list[str]]] = []

    def no_room(
        environ: Mapping[str, str], environment: Environment, layers: Sequence[Layer]
    ) -> None:
        asked.append((environment.name, [layer.name for layer in layers]))
        raise PreflightError("- Elastic IPs: pr-4 adds 2, 5 of 5 are in use (quota L-0263D0A3).")

    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, "deploy-all", "pr-4", quota_check=no_room) == 2
    assert asked == [("pr-4", list(LAYER_NAMES))]
    assert deployer.calls == []
    assert not (tmp_path / "pr-4").exists()
    err = capsys.readouterr().err
    assert err.count("L-0263D0A3") == 1 and "Traceback" not in err


class UnreachableBackend(OfflineDeployer):
    """A backend that refuses even to look a stack up (e.g. a read-only role on an empty prefix)."""

    def exists(self, layer: Layer, environment: Environment) -> bool:
        raise DeployError("the state backend has no .pulumi/meta.yaml yet")


@pytest.mark.parametrize(
    "argv",
    [["preview", "pr-5"], ["deploy-all", "pr-5", "--from", "data"], ["destroy-all", "pr-5"]],
)
def test_a_backend_error_outside_a_stack_operation_is_one_message_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert run(tmp_path, UnreachableBackend(), *argv) == 1
    err = capsys.readouterr().err
    assert err == "error: the state backend has no .pulumi/meta.yaml yet\n"


COMMANDS = (
    ("deploy-all", "{env}", "--yes"),
    ("up", "network", "{env}", "--yes"),
    ("preview", "{env}"),
    ("destroy-all", "{env}", "--yes-destroy-prod"),
    ("cleanup-pr", "{env}"),
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_environment_is_a_usage_error_even_with_the_variable_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...], blank: str
) -> None:
    # A script's unset $ENV with ENVIRONMENT_SUFFIX=prod left in the shell must not reach prod.
    deployer = OfflineDeployer()
    argv = [part.format(env=blank) for part in command]
    assert run(tmp_path, deployer, *argv, environ={"ENVIRONMENT_SUFFIX": "prod"}) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no environment given") and err.count("\n") == 1
    assert deployer.calls == [] and list(tmp_path.iterdir()) == []


def stack_tree(tmp_path: Path, layer: str, content: bytes) -> Path:
    stacks = tmp_path / "stacks"
    for name in LAYER_NAMES:
        (stacks / name).mkdir(parents=True)
    (stacks / layer / "Pulumi.dev.yaml").write_bytes(content)
    return stacks


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"config:\n  network:environmentSuffix: prod\n", "differs from the stack's environment"),
        (b"config:\n  aws:region: [us-east-1\n", "not valid YAML"),
        (b"- config\n- aws:region\n", "expected the stack file to be a mapping"),
        (b"config:\n  aws:region: \xff\xfe\n", "not UTF-8 text"),
        (b"config:\n  aws:region: " + b"[" * 5000 + b"]" * 5000 + b"\n", "line 2"),
    ],
    ids=["renamed", "broken", "list", "not-utf8", "deep"],
)
def test_a_stack_file_the_cli_would_refuse_stops_deploy_all_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    stacks = stack_tree(tmp_path, "network", content)
    deployer = OfflineDeployer()
    code = main(
        ["deploy-all", "dev"],
        environ={},
        deployer_factory=lambda environ, environment: deployer,
        outputs_dir=tmp_path / "outputs",
        quota_check=no_quota_check,
        stacks_dir=stacks,
    )
    err = capsys.readouterr().err
    assert code == 2 and deployer.calls == []
    assert err.startswith(f"error: {stacks / 'network' / 'Pulumi.dev.yaml'}: ")
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "content", [b"{", b'{"layer": "data"', b"[]", b'{"layer": "data"}', b"\xff"]
)
def test_a_corrupt_output_file_stops_the_run_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    broken = tmp_path / "dev" / "data.json"
    broken.parent.mkdir()
    broken.write_bytes(content)
    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, "deploy-all", "dev") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {broken}: ") and err.count("\n") == 1
    assert deployer.calls == []


def test_ctrl_c_during_a_layer_prints_what_is_done_and_how_to_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Interrupted(OfflineDeployer):
        def up(self, layer: Layer, environment: Environment) -> StackOutputs:
            if layer.name == second:
                raise KeyboardInterrupt
            return super().up(layer, environment)

    first, second = LAYER_NAMES[:2]
    assert run(tmp_path, Interrupted(), "deploy-all", "dev") == 130
    out = capsys.readouterr().out
    assert f"interrupted during {second} (dev)" in out
    assert f"Done: {first}. Not finished: {', '.join(LAYER_NAMES[1:])}." in out
    assert f"Resume with: nox -s deploy-all -- dev --from {second}" in out


def test_ctrl_c_at_the_prod_prompt_or_during_a_preview_ends_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class CtrlC(io.StringIO):
        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", CtrlC())
    deployer = OfflineDeployer()
    assert run(tmp_path, deployer, "deploy-all", "prod") == 1
    assert "Nothing deployed to prod" in capsys.readouterr().out and deployer.calls == []

    class SlowPreview(OfflineDeployer):
        def exists(self, layer: Layer, environment: Environment) -> bool:
            raise KeyboardInterrupt

    assert run(tmp_path, SlowPreview(), "preview", "dev") == 130
    assert capsys.readouterr().err == "\ninterrupted\n"
