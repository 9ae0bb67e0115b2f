"""The Automation API adapter, with `pulumi.automation`'s entry points replaced by recording doubles."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from pulumi import automation as auto
from pulumi._version import version as SDK_VERSION
from pulumi.automation._cmd import CommandResult

from shared.environment import parse_environment
from shared.layers import POLICY_PACK_DIR, REPO_ROOT, STACKS_DIR, get_layer
from tooling.deploy import automation
from tooling.deploy.orchestrator import DeployError, StackMissingError

DEV = parse_environment("dev")
STAGING = parse_environment("staging")
CLI = Path("/opt/pulumi/bin/pulumi")


class FakeCommand:
    def __init__(self, root: str | None = None, version: Any = None) -> None:
        self.root, self.version = root, version
        self.command = f"{root}/bin/pulumi"


class FakeWorkspace:
    def __init__(self) -> None:
        self.removed: list[str] = []

    def remove_stack(self, name: str) -> None:
        self.removed.append(name)


class FakeStack:
    def __init__(self, resources: list[dict[str, Any]] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.workspace = FakeWorkspace()
        self.resources = resources or []
        self.config: dict[str, auto.ConfigValue] = {}

    def get_all_config(self) -> dict[str, auto.ConfigValue]:
        return dict(self.config)

    def set_config(self, key: str, value: auto.ConfigValue) -> None:
        self.config[key] = value

    def up(self, **kwargs: Any) -> Any:
        self.calls.append(("up", kwargs))
        kwargs["on_output"]("Updating (dev)")
        outputs = {
            "db_endpoint": auto.OutputValue("db.example", False),
            "db_master_secret_arn": auto.OutputValue("arn:secret", True),
        }
        return auto.UpResult("", "", None, outputs)  # type: ignore[arg-type]

    def preview(self, **kwargs: Any) -> None:
        self.calls.append(("preview", kwargs))

    def destroy(self, **kwargs: Any) -> None:
        self.calls.append(("destroy", kwargs))

    def export_stack(self) -> auto.Deployment:
        return auto.Deployment(version=3, deployment={"resources": self.resources})


class Recorder:
    """Stands in for create_or_select_stack / select_stack: records what the adapter asked for."""

    def __init__(self, stack: FakeStack | None = None, error: Exception | None = None) -> None:
        self.stack = stack or FakeStack()
        self.error = error
        self.calls: list[dict[str, Any]] = []

    def __call__(self, stack_name: str, **kwargs: Any) -> FakeStack:
        self.calls.append({"stack_name": stack_name, **kwargs})
        if self.error is not None:
            raise self.error
        return self.stack


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recording = Recorder()
    monkeypatch.setattr(auto, "create_or_select_stack", recording)
    monkeypatch.setattr(auto, "select_stack", recording)
    monkeypatch.setattr(auto, "PulumiCommand", FakeCommand)
    return recording


def error(kind: type[auto.CommandError], stderr: str) -> auto.CommandError:
    return kind(CommandResult(stdout="", stderr=stderr, code=255))


def test_up_selects_the_environment_stack_in_the_layer_folder_with_the_default_backend(
    recorder: Recorder,
) -> None:
    lines: list[str] = []
    deployer = automation.AutomationDeployer(
        cli=CLI,
        environ={"PULUMI_CONFIG_PASSPHRASE": "s3cret", "AWS_REGION": "us-east-1"},
        on_output=lines.append,
    )

    outputs = deployer.up(get_layer("data"), DEV)

    (call,) = recorder.calls
    assert call["stack_name"] == "dev"
    assert call["work_dir"] == str(STACKS_DIR / "data")
    opts: auto.LocalWorkspaceOptions = call["opts"]
    assert opts.env_vars == {
        "PULUMI_BACKEND_URL": f"file://{REPO_ROOT}/.pulumi-state",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "ENVIRONMENT_SUFFIX": "dev",
        "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",
        "PULUMI_CONFIG_PASSPHRASE": "s3cret",
    }
    assert isinstance(opts.pulumi_command, FakeCommand)
    assert opts.pulumi_command.root == "/opt/pulumi"
    ((operation, kwargs),) = recorder.stack.calls
    assert operation == "up"
    assert kwargs["policy_packs"] == [str(POLICY_PACK_DIR)]
    assert "policy_pack_configs" not in kwargs  # the pack reads its class's config itself
    assert lines == ["Updating (dev)"]
    assert outputs.values == {"db_endpoint": "db.example", "db_master_secret_arn": "arn:secret"}
    assert outputs.secret == {"db_master_secret_arn"}


def test_a_set_backend_url_wins_and_no_policy_config_file_is_passed(recorder: Recorder) -> None:
    deployer = automation.AutomationDeployer(
        cli=CLI,
        environ={"PULUMI_BACKEND_URL": "s3://state-bucket", "PULUMI_CONFIG_PASSPHRASE_FILE": "/p"},
    )

    deployer.preview(get_layer("network"), STAGING)

    opts = recorder.calls[0]["opts"]
    assert opts.env_vars["PULUMI_BACKEND_URL"] == "s3://state-bucket"
    assert opts.env_vars["PULUMI_CONFIG_PASSPHRASE_FILE"] == "/p"
    assert "PULUMI_CONFIG_PASSPHRASE" not in opts.env_vars
    ((operation, kwargs),) = recorder.stack.calls
    assert operation == "preview"
    assert kwargs["policy_packs"] == [str(POLICY_PACK_DIR)]
    # Only the pack reads policies/config/<class>.json: passing it again as --policy-pack-config
    # would make a second reader that must agree with the first.
    assert "policy_pack_configs" not in kwargs


def test_destroy_keeps_protected_resources_and_then_keeps_the_stack(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    recorder.stack.resources = [
        {"urn": "urn:pulumi:prod::data::aws:rds/cluster:Cluster::db", "protect": True},
        {"urn": "urn:pulumi:prod::data::pulumi:pulumi:Stack::data-prod"},
    ]
    deployer = automation.AutomationDeployer(cli=CLI, environ={})

    report = deployer.destroy(get_layer("data"), DEV, remove_stack=True)

    assert report.protected == ("urn:pulumi:prod::data::aws:rds/cluster:Cluster::db",)
    assert recorder.stack.calls[0][0] == "destroy"
    assert recorder.stack.calls[0][1]["exclude_protected"] is True
    assert recorder.stack.workspace.removed == []


def test_destroy_with_remove_removes_an_emptied_stack(recorder: Recorder) -> None:
    deployer = automation.AutomationDeployer(cli=CLI, environ={})

    report = deployer.destroy(get_layer("app"), parse_environment("pr-7"), remove_stack=True)

    assert report.protected == ()
    assert recorder.calls[0]["stack_name"] == "pr-7"
    assert recorder.stack.workspace.removed == ["pr-7"]


def test_exists_asks_select_stack_and_maps_stack_not_found(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    deployer = automation.AutomationDeployer(cli=CLI, environ={})
    assert deployer.exists(get_layer("network"), DEV) is True
    missing = Recorder(error=error(auto.StackNotFoundError, "error: no stack named 'dev' found"))
    monkeypatch.setattr(auto, "select_stack", missing)
    assert deployer.exists(get_layer("network"), DEV) is False


@pytest.mark.parametrize(
    ("kind", "stderr", "expected"),
    [
        (
            auto.ConcurrentUpdateError,
            "error: the stack is currently locked by 1 lock(s). Either wait for the other "
            "process(es) to end or delete the lock file with `pulumi cancel`.",
            "another update of stack dev of stacks/app is in progress (Pulumi's lock): error: "
            "the stack is currently locked by 1 lock(s).",
        ),
        (
            auto.CommandError,
            "warning: something\nerror: preview failed",
            "pulumi up failed for stack dev of stacks/app: warning: something / error: preview failed",
        ),
    ],
)
def test_automation_errors_become_plain_deploy_errors(
    monkeypatch: pytest.MonkeyPatch,
    recorder: Recorder,
    kind: type[auto.CommandError],
    stderr: str,
    expected: str,
) -> None:
    monkeypatch.setattr(auto, "create_or_select_stack", Recorder(error=error(kind, stderr)))
    deployer = automation.AutomationDeployer(cli=CLI, environ={})

    with pytest.raises(DeployError) as raised:
        deployer.up(get_layer("app"), DEV)

    assert expected in str(raised.value)
    assert raised.value.__cause__ is None
    assert "Traceback" not in str(raised.value)


def test_an_incompatible_cli_is_a_deploy_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_old(root: str | None = None, version: Any = None) -> None:
        raise auto.InvalidVersionError("Minimum version requirement failed")

    monkeypatch.setattr(auto, "PulumiCommand", too_old)
    with pytest.raises(DeployError, match="cannot be used: Minimum version"):
        automation.AutomationDeployer(cli=CLI, environ={})


def test_preview_only_selects_the_stack_and_never_creates_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    selected = Recorder()
    created = Recorder(error=AssertionError("a preview must not create a stack"))
    monkeypatch.setattr(auto, "select_stack", selected)
    monkeypatch.setattr(auto, "create_or_select_stack", created)
    monkeypatch.setattr(auto, "PulumiCommand", FakeCommand)
    deployer = automation.AutomationDeployer(cli=CLI, environ={})

    deployer.preview(get_layer("app"), DEV)

    assert created.calls == []
    assert [call["stack_name"] for call in selected.calls] == ["dev"]
    assert selected.calls[0]["work_dir"] == str(STACKS_DIR / "app")
    assert [operation for operation, _ in selected.stack.calls] == ["preview"]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            error(auto.StackNotFoundError, "error: no stack named 'pr-7' found"),
            "stack pr-7 of stacks/app does not exist",
        ),
        (
            error(
                auto.CommandError,
                'error: preview failed: unknown stack "organization/data/pr-7"',
            ),
            "stack pr-7 of stacks/app reads a stack that does not exist",
        ),
    ],
)
def test_a_missing_stack_or_upstream_makes_preview_say_not_previewable(
    monkeypatch: pytest.MonkeyPatch,
    recorder: Recorder,
    failure: auto.CommandError,
    message: str,
) -> None:
    monkeypatch.setattr(auto, "select_stack", Recorder(error=failure))
    deployer = automation.AutomationDeployer(cli=CLI, environ={})

    with pytest.raises(StackMissingError, match=message):
        deployer.preview(get_layer("app"), parse_environment("pr-7"))


def test_a_kms_secrets_provider_is_given_to_stacks_created_from_now_on(recorder: Recorder) -> None:
    kms = "awskms://alias/platform-secrets-pr?region=us-east-1"
    deployer = automation.AutomationDeployer(
        cli=CLI, environ={"PULUMI_SECRETS_PROVIDER": kms, "AWS_REGION": "us-east-1"}
    )
    deployer.up(get_layer("network"), DEV)
    assert recorder.calls[0]["opts"].secrets_provider == kms

    unset = automation.AutomationDeployer(
        cli=CLI, environ={"PULUMI_SECRETS_PROVIDER": "", "AWS_REGION": "us-east-1"}
    )
    unset.up(get_layer("network"), DEV)
    assert recorder.calls[1]["opts"].secrets_provider is None


@pytest.mark.parametrize(
    ("environ", "region"),
    [
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
        ({"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-2"),
    ],
)
def test_a_new_stack_gets_aws_region(
    recorder: Recorder, environ: dict[str, str], region: str
) -> None:
    deployer = automation.AutomationDeployer(cli=CLI, environ=environ)

    deployer.up(get_layer("network"), parse_environment("pr-7"))

    assert {k: (v.value, v.secret) for k, v in recorder.stack.config.items()} == {
        "aws:region": (region, False)
    }


def test_a_new_stack_without_any_region_is_refused_never_us_east_1(recorder: Recorder) -> None:
    deployer = automation.AutomationDeployer(cli=CLI, environ={})
    with pytest.raises(DeployError, match="no AWS region for pr-7: set aws:region in"):
        deployer.up(get_layer("network"), parse_environment("pr-7"))
    assert "aws:region" not in recorder.stack.config


def test_a_stack_with_a_region_keeps_it(recorder: Recorder) -> None:
    recorder.stack.config["aws:region"] = auto.ConfigValue("ap-southeast-2")
    deployer = automation.AutomationDeployer(cli=CLI, environ={"AWS_REGION": "eu-west-2"})

    deployer.up(get_layer("network"), DEV)

    assert recorder.stack.config["aws:region"].value == "ap-southeast-2"


def test_a_backend_whose_meta_file_this_role_cannot_write_says_what_seeds_it(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    # What the CLI prints when opening an empty S3 prefix with a read-only role
    # (pulumi/pulumi pkg/backend/diy/meta.go wraps the write error as `write ".pulumi/meta.yaml"`).
    stderr = (
        'error: write ".pulumi/meta.yaml": blob (key ".pulumi/meta.yaml") (code=PermissionDenied): '
        "operation error S3: PutObject, https response error StatusCode: 403, api error "
        "AccessDenied: Access Denied"
    )
    monkeypatch.setattr(auto, "select_stack", Recorder(error=error(auto.CommandError, stderr)))
    deployer = automation.AutomationDeployer(cli=CLI, environ={})
    with pytest.raises(DeployError, match=r"no \.pulumi/meta\.yaml yet") as raised:
        deployer.exists(get_layer("network"), parse_environment("pr-4"))
    assert "`pulumi up` of the bootstrap writes it" in str(raised.value)


def shim(folder: Path, script: str) -> Path:
    """A version manager's shim: a script in a folder that is not `<root>/bin`."""
    folder.mkdir(parents=True)
    path = folder / "pulumi"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def test_a_pulumi_reached_through_an_asdf_or_mise_shim_runs_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = shim(tmp_path / ".asdf" / "shims", f"echo v{SDK_VERSION}")
    monkeypatch.setenv("PATH", f"{cli.parent}:/usr/bin:/bin")
    command = automation.cli_command(cli)
    assert command.command == "pulumi" and str(command.version) == str(SDK_VERSION)


def test_a_shim_without_a_selected_version_is_a_deploy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = shim(
        tmp_path / "mise" / "shims",
        "echo 'mise ERROR No version is set for shim: pulumi' >&2; exit 126",
    )
    monkeypatch.setenv("PATH", f"{cli.parent}:/usr/bin:/bin")
    with pytest.raises(DeployError, match=r"`pulumi version` failed \(exit code 126\)"):
        automation.cli_command(cli)


class FakeLocalWorkspace:
    """Stands in for LocalWorkspace: records how it was opened, lists the given stacks."""

    opened: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        FakeLocalWorkspace.opened.append(kwargs)

    def list_stacks(self) -> list[auto.StackSummary]:
        return [
            auto.StackSummary(name, current=False, update_in_progress=False)
            for name in ("dev", "pr-12", "acme/data/pr-13")
        ]


def test_stack_names_lists_the_layers_stacks_in_the_backend(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeLocalWorkspace.opened = []
    monkeypatch.setattr(auto, "LocalWorkspace", FakeLocalWorkspace)
    deployer = automation.AutomationDeployer(cli=CLI, environ={"PULUMI_BACKEND_URL": "s3://state"})

    # Pulumi Cloud's names are `<org>/<project>/<stack>`: the stack name is the last part.
    assert deployer.stack_names(get_layer("data")) == ("dev", "pr-12", "pr-13")

    (opened,) = FakeLocalWorkspace.opened
    assert opened["work_dir"] == str(STACKS_DIR / "data")
    assert opened["env_vars"]["PULUMI_BACKEND_URL"] == "s3://state"
    assert "ENVIRONMENT_SUFFIX" not in opened["env_vars"]  # about no one environment


def test_a_failing_stack_listing_is_a_deploy_error(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing(FakeLocalWorkspace):
        def list_stacks(self) -> list[auto.StackSummary]:
            raise error(auto.CommandError, "error: access denied to s3://state")

    monkeypatch.setattr(auto, "LocalWorkspace", Failing)
    deployer = automation.AutomationDeployer(cli=CLI, environ={})
    with pytest.raises(DeployError) as raised:
        deployer.stack_names(get_layer("network"))
    assert str(raised.value) == (
        "pulumi stack ls failed for stacks/network: error: access denied to s3://state"
    )
