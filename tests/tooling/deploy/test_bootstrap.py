"""`python -m tooling.deploy.bootstrap`: the refusals and choices of the bootstrap program, planned
offline under Pulumi's mocks with stack-config overrides."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.layers import REPO_ROOT
from tests.bootstrap.planned import REPOSITORY, ROLE, planned, resources, trust
from tooling.deploy import bootstrap
from tooling.offline import StackConfigError
from tooling.offline.mocks import ACCOUNT_ID

# One xdist worker runs the tests that share tests/bootstrap/planned.py (--dist loadgroup): the
# bootstrap is planned once, not once per worker.
pytestmark = pytest.mark.xdist_group("bootstrap-plan")

GITHUB_PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"


def stack_folder(tmp_path: Path, **config: str) -> Path:
    """A copy of bootstrap/ whose `account` stack file holds `config` on top of the shipped one."""
    folder = tmp_path / "bootstrap"
    shutil.copytree(REPO_ROOT / "bootstrap", folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "Pulumi.account.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"].update({f"bootstrap:{key}": value for key, value in config.items()})
    path.write_text(yaml.safe_dump(document))
    return folder


def test_the_shipped_example_repository_is_refused_in_one_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = yaml.safe_load((REPO_ROOT / "bootstrap" / "Pulumi.account.yaml").read_text())
    assert shipped["config"]["bootstrap:repository"] == "example-org/aws-platform"
    with pytest.raises(StackConfigError, match="it is the example value"):
        bootstrap.plan_bootstrap()
    assert bootstrap.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bootstrap:repository = 'example-org/aws-platform' is invalid")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_real_repository_plans_and_creates_githubs_oidc_provider() -> None:
    (provider,) = [r for r in resources() if r.type == OIDC_PROVIDER]
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    for role in (r for r in resources() if r.type == ROLE):
        assert f"repo:{REPOSITORY}:" in json.dumps(trust(role))


def test_an_existing_github_oidc_provider_is_adopted_not_created_again(tmp_path: Path) -> None:
    folder = stack_folder(
        tmp_path, repository=REPOSITORY, githubOidcProviderArn=GITHUB_PROVIDER_ARN
    )
    result, violations = bootstrap.plan_bootstrap(folder=folder)
    assert [r for r in result.resources if r.type == OIDC_PROVIDER] == []
    roles = [r for r in result.resources if r.type == ROLE]
    assert len(roles) == len([r for r in resources() if r.type == ROLE])
    for role in roles:
        (statement,) = trust(role)["Statement"]
        assert statement["Principal"]["Federated"] == GITHUB_PROVIDER_ARN
    assert [v for v in violations if v.blocking] == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com",
        f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/gitlab.com",
        "token.actions.githubusercontent.com",
    ],
)
def test_an_oidc_provider_arn_that_is_not_this_accounts_github_one_is_refused(
    tmp_path: Path, arn: str
) -> None:
    folder = stack_folder(tmp_path, repository=REPOSITORY, githubOidcProviderArn=arn)
    with pytest.raises(StackConfigError, match=f"can only be {GITHUB_PROVIDER_ARN}"):
        bootstrap.plan_bootstrap(folder=folder)


def test_every_state_prefix_is_seeded_with_the_diy_backends_meta_file() -> None:
    """A read-only preview role cannot write `.pulumi/meta.yaml`, which the CLI's first login to an
    empty prefix writes (pulumi/pulumi pkg/backend/diy/meta.go): each class's prefix gets it."""
    result, _ = planned()
    objects = {r.inputs["key"]: r.inputs for r in result.resources if r.type == OBJECT}
    bucket = result.outputs["state_bucket"]
    prefixes = {
        url.removeprefix(f"s3://{bucket}/").split("?")[0]
        for url in result.outputs["backend_urls"].values()
    }
    assert set(objects) == {f"{prefix}/.pulumi/meta.yaml" for prefix in prefixes}
    for inputs in objects.values():
        assert yaml.safe_load(inputs["content"]) == {"version": 1}
        assert inputs["serverSideEncryption"] == "aws:kms"


class FakePulumi:
    """Two backends' stacks as export documents; records every command with its backend."""

    def __init__(self, stacks: dict[str, dict[str, str]]) -> None:
        self.stacks = stacks
        self.calls: list[tuple[tuple[str, ...], str]] = []

    def __call__(self, command: bootstrap.PulumiRun) -> subprocess.CompletedProcess[str]:
        self.calls.append((command.args, command.backend))
        stacks = self.stacks.setdefault(command.backend, {})
        args, out = list(command.args), ""
        name = args[args.index("--stack") + 1] if "--stack" in args else args[-1]
        if args[:2] == ["stack", "init"]:
            if name in stacks:
                return subprocess.CompletedProcess(
                    args, 255, "", f"error: stack '{name}' already exists"
                )
            stacks[name] = json.dumps({"version": 3, "deployment": {}})
        elif name not in stacks:
            return subprocess.CompletedProcess(
                args, 255, "", f"error: no stack named '{name}' found"
            )
        elif args[:2] == ["stack", "output"]:
            out = json.dumps({"state_bucket": "platform-account-state"})
        elif args[:2] == ["stack", "export"] and "--file" in args:
            Path(args[args.index("--file") + 1]).write_text(stacks[name])
        elif args[:2] == ["stack", "export"]:
            out = stacks[name]
        elif args[:2] == ["stack", "import"]:
            stacks[name] = Path(args[args.index("--file") + 1]).read_text()
        return subprocess.CompletedProcess(args, 0, out, "")


STATE = json.dumps(
    {"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:account::bootstrap::x$y"}]}}
)
TARGET = "s3://platform-account-state/bootstrap?region=us-east-1"


def test_the_state_moves_to_the_buckets_bootstrap_prefix_each_command_on_its_own_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakePulumi({bootstrap.LOCAL_BACKEND_URL: {"account": STATE}})
    assert bootstrap.main(["--move-state"], environ={}, run=fake) == 0
    assert fake.stacks[TARGET]["account"] == STATE
    backends = [(args[:2], backend) for args, backend in fake.calls]
    assert backends == [
        (("stack", "output"), bootstrap.LOCAL_BACKEND_URL),
        (("stack", "export"), bootstrap.LOCAL_BACKEND_URL),
        (("stack", "init"), TARGET),
        (("stack", "import"), TARGET),
        (("stack", "export"), TARGET),
    ]
    out = capsys.readouterr().out
    assert f"export PULUMI_BACKEND_URL='{TARGET}'" in out
    assert ".pulumi-state/.pulumi/stacks/bootstrap" in out


def test_a_stack_already_at_the_target_stops_the_move_before_any_import(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = FakePulumi({bootstrap.LOCAL_BACKEND_URL: {"account": STATE}, TARGET: {"account": "{}"}})
    assert bootstrap.main(["--move-state"], environ={}, run=fake) == 2
    assert fake.stacks[TARGET]["account"] == "{}"
    assert not any(args[:2] == ("stack", "import") for args, _ in fake.calls)
    err = capsys.readouterr().err
    assert err.startswith("error: creating stack account failed") and "already exists" in err


def test_each_pulumi_command_gets_its_backend_whatever_the_shell_exported(tmp_path: Path) -> None:
    """`PULUMI_BACKEND_URL` beats `pulumi login`: the live file backend left exported from the
    stack's creation must not reach `stack init` or `stack import`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text('#!/bin/sh\nprintf %s "$PULUMI_BACKEND_URL"\n')
    (bin_dir / "pulumi").chmod(0o755)
    environ = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PULUMI_BACKEND_URL": bootstrap.LOCAL_BACKEND_URL,
    }
    run = bootstrap.pulumi_runner(environ, folder=tmp_path)
    done = run(bootstrap.PulumiRun(("stack", "init", "account"), TARGET))
    assert done.stdout == TARGET
