"""Stack files read as the CLI reads them, through the plan: what passes here passes at `pulumi up`."""

import re
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from shared.environment import CLASSES
from shared.layers import LAYER_NAMES
from tests.conftest import DEPLOY_VALUES_DIR
from tooling.offline import load_stack_config, plan
from tooling.offline.__main__ import main
from tooling.offline.planner import PlanError
from tooling.offline.stack_config import (
    StackConfigFileError,
    read_config_overlay,
    read_stack_config,
)

from .conftest import FIXTURE_PACK


def write_config(stacks: Path, layer: str, environment: str, text: str) -> Path:
    path = stacks / layer / f"Pulumi.{environment}.yaml"
    path.write_text(text)
    return path


def test_values_are_the_programs_text_and_secure_values_are_left_out(
    fixture_stacks: Path,
) -> None:
    config = load_stack_config("data", "prod", stacks_dir=fixture_stacks)
    assert config == {"aws:region": "eu-west-1", "data:backupRetentionDays": "30"}
    assert read_stack_config("data", "prod", stacks_dir=fixture_stacks).secure_keys == (
        "data:owner",
    )
    assert load_stack_config("data", "pr-9", stacks_dir=fixture_stacks) == {}


def test_keys_without_a_namespace_belong_to_the_layer(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    write_config(tmp_path, "app", "dev", "config:\n  cpu: 512\n  aws:region: us-west-2\n")
    assert load_stack_config("app", "dev", stacks_dir=tmp_path) == {
        "app:cpu": "512",
        "aws:region": "us-west-2",
    }


def test_an_unquoted_yes_fails_the_plan_as_it_fails_pulumi_up(stacks_copy: Path) -> None:
    # PyYAML reads `yes` as true; the CLI hands the program the string "yes", which it refuses.
    write_config(stacks_copy, "data", "prod", "config:\n  data:deletionProtection: yes\n")
    with pytest.raises(PlanError, match=r"data:deletionProtection = 'yes' is invalid"):
        plan("prod", layers=["data"], stacks_dir=stacks_copy, pack_dir=None)


def test_an_encrypted_value_never_fails_the_plan_as_a_placeholder(stacks_copy: Path) -> None:
    write_config(
        stacks_copy,
        "observability",
        "dev",
        "config:\n  observability:alarmEmail:\n    secure: v1:Zm9v:YmFy\n",
    )
    result = plan("dev", stacks_dir=stacks_copy, pack_dir=None)
    assert "observability" in result.layers
    assert any("observability:alarmEmail" in note for note in result.notes)
    assert "v1:Zm9v:YmFy" not in " ".join(result.notes)


def test_a_decrypted_value_is_validated(stacks_copy: Path) -> None:
    # The plaintext, when known (here as an override), is checked like any other value.
    with pytest.raises(PlanError, match=r"observability:alarmEmail"):
        plan(
            "dev",
            layers=["observability"],
            stacks_dir=stacks_copy,
            pack_dir=None,
            config_overrides={"observability": {"alarmEmail": "not-an-email"}},
        )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"- a\n- b\n", "expected the stack file to be a mapping"),
        (b"config:\n  30: x\n", "key '30' is not a string"),
        (
            b"config:\n  data:owner: caf\xe9\n",
            "not UTF-8 text at line 2, column 18 (byte 25 is 0xe9)",
        ),
        (b"config:\n  data:owner: [\n", "not valid YAML"),
    ],
)
def test_a_malformed_stack_file_is_one_message_naming_it(
    stacks_copy: Path, outputs_dir: Path, text: bytes, problem: str
) -> None:
    path = stacks_copy / "data" / "Pulumi.prod.yaml"
    path.write_bytes(text)
    with pytest.raises(StackConfigFileError, match=f"^{re.escape(str(path))}: ") as caught:
        read_stack_config("data", "prod", stacks_dir=stacks_copy)
    assert problem in str(caught.value)
    buffer = StringIO()
    code = main(
        ["plan", "prod", "--stacks", str(stacks_copy), "--no-policy"],
        console=Console(file=buffer, width=300),
    )
    assert code == 2
    assert str(path) in buffer.getvalue() and problem in buffer.getvalue()
    assert "Traceback" not in buffer.getvalue()
    assert not outputs_dir.exists()


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["plan", ""], "a stack name may not be empty"),
        (["plan", " "], "invalid character ' ' at position 0"),
        (["plan", "dev "], "invalid character ' ' at position 3"),
        (["plan", "dev/x"], "invalid character '/' at position 3"),
        (["policy-check", "missing.json", "--env", ""], "a stack name may not be empty"),
        (["policy-check", "missing.json", "--env", "  "], "invalid character ' ' at position 0"),
    ],
)
def test_blank_or_invalid_environment_names_are_refused_before_any_layer_runs(
    tmp_path: Path,
    outputs_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    problem: str,
) -> None:
    import tooling.offline.planner

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a layer ran")

    monkeypatch.setattr(tooling.offline.planner, "warm", must_not_run)
    monkeypatch.setattr(tooling.offline.planner, "read_stack_config", must_not_run)
    buffer = StringIO()
    extra = ["--stacks", str(tmp_path)] if argv[0] == "plan" else []  # never read
    code = main(
        [*argv, *extra, "--pack", str(FIXTURE_PACK)], console=Console(file=buffer, width=300)
    )
    assert code == 2
    assert problem in buffer.getvalue() and "Traceback" not in buffer.getvalue()
    assert not outputs_dir.exists()


def test_a_config_file_overlay_goes_to_its_layer_and_provider_keys_to_every_layer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("config:\n  app:domainName: acme-platform.io\n  aws:region: eu-west-1\n")
    overlay = read_config_overlay(path)
    assert overlay["app"] == {"app:domainName": "acme-platform.io", "aws:region": "eu-west-1"}
    assert all(values["aws:region"] == "eu-west-1" for values in overlay.values())
    assert set(overlay) == set(LAYER_NAMES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config:\n  domainName: x.io\n", "name a layer"),
        ("config:\n  ap:domainName: x.io\n", "name a layer"),
        ("config:\n  app:domainName:\n    secure: AAAA\n", "an overlay holds no secrets"),
        ("config: [1]\n", "must be a mapping"),
    ],
)
def test_a_config_file_overlay_that_cannot_work_is_one_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    with pytest.raises(StackConfigFileError) as raised:
        read_config_overlay(path)
    assert message in str(raised.value) and str(path) in str(raised.value)


REFUSING = [
    name for name, info in CLASSES.items() if info.named and info.profile.refuse_placeholders
]


@pytest.mark.parametrize("environment", REFUSING)
def test_the_committed_examples_are_refused_and_the_users_values_plan(
    environment: str, tmp_path: Path
) -> None:
    out = StringIO()
    console = Console(file=out, width=200)
    args = ["plan", environment, "--no-policy", "--outputs", str(tmp_path)]
    assert main(args, console=console) == 2
    text = out.getvalue()
    assert re.search(r"is invalid: a placeholder: .*RFC 2606|example zone id", text)
    assert re.search(rf"set this key in stacks/\w+/Pulumi\.{environment}\.yaml", text)

    values = DEPLOY_VALUES_DIR / f"{environment}.yaml"
    assert main([*args, "--config-file", str(values)], console=console) == 0
