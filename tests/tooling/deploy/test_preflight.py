import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import botocore.credentials
import pytest

from tooling.deploy import automation
from tooling.deploy.preflight import (
    PULUMI_VERSION,
    PreflightError,
    check_aws_credentials,
    check_secrets,
    declared_secrets_providers,
    ensure_cli,
    installer_reachable,
    locate_cli,
)

CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # nothing listens there: every download fails at once


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho v3.272.0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_locate_cli_looks_on_path_then_in_pulumis_install_folders(tmp_path: Path) -> None:
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    assert locate_cli({"PATH": str(bin_dir), "HOME": str(home)}) is None

    versioned = executable(home / ".pulumi" / "versions" / PULUMI_VERSION / "bin" / "pulumi")
    assert locate_cli({"PATH": "", "HOME": str(home)}) == versioned
    installed = executable(home / ".pulumi" / "bin" / "pulumi")
    assert locate_cli({"PATH": "", "HOME": str(home)}) == installed
    on_path = executable(bin_dir / "pulumi")
    assert locate_cli({"PATH": str(bin_dir), "HOME": str(home)}) == on_path


def never(name: str) -> Callable[[], Path]:
    def fail() -> Path:
        raise AssertionError(f"{name} must not be called")

    return fail


def test_offline_the_install_is_not_even_attempted(tmp_path: Path) -> None:
    with pytest.raises(PreflightError) as raised:
        ensure_cli(
            {"PATH": "", "HOME": str(tmp_path)},
            "dev",
            install=never("install"),
            reachable=lambda: False,
        )
    message = str(raised.value)
    assert "The Pulumi CLI is not installed" in message
    assert f"--version {PULUMI_VERSION}" in message
    assert "nox -s plan -- dev" in message


def test_a_failing_install_is_reported_with_its_reason(tmp_path: Path) -> None:
    def broken() -> Path:
        raise OSError("403 Forbidden")

    with pytest.raises(PreflightError, match="installing it failed: 403 Forbidden"):
        ensure_cli(
            {"PATH": "", "HOME": str(tmp_path)}, "dev", install=broken, reachable=lambda: True
        )


def test_a_hanging_install_is_abandoned_after_the_timeout(tmp_path: Path) -> None:
    release = threading.Event()

    def hangs() -> Path:
        release.wait(30)
        return Path("/never")

    start = time.monotonic()
    try:
        with pytest.raises(PreflightError, match="installing it took over 0 s"):
            ensure_cli(
                {"PATH": "", "HOME": str(tmp_path)},
                "dev",
                install=hangs,
                reachable=lambda: True,
                install_timeout=0.2,
            )
    finally:
        release.set()
    assert time.monotonic() - start < 10


def test_a_successful_install_gives_the_installed_cli(tmp_path: Path) -> None:
    cli = tmp_path / "pulumi"
    assert (
        ensure_cli(
            {"PATH": "", "HOME": str(tmp_path)}, "dev", install=lambda: cli, reachable=lambda: True
        )
        == cli
    )


def test_the_real_pulumi_install_fails_fast_without_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Forced past the reachability probe: PulumiCommand.install itself must fail, not hang.
    monkeypatch.setenv("https_proxy", CLOSED_PORT_PROXY)
    monkeypatch.setenv("HTTPS_PROXY", CLOSED_PORT_PROXY)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with pytest.raises(PreflightError, match="installing it failed"):
        ensure_cli(
            {"PATH": "", "HOME": str(tmp_path)},
            "dev",
            install=lambda: automation.install_cli(tmp_path),
            reachable=lambda: True,
            install_timeout=60,
        )
    assert not (tmp_path / ".pulumi" / "versions" / PULUMI_VERSION / "bin" / "pulumi").exists()


def test_the_reachability_probe_answers_false_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", CLOSED_PORT_PROXY)
    monkeypatch.setenv("HTTPS_PROXY", CLOSED_PORT_PROXY)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert installer_reachable(timeout=2) is False


def test_the_file_backend_needs_a_passphrase(tmp_path: Path) -> None:
    backend = "file:///repo/.pulumi-state"
    with pytest.raises(PreflightError, match="set PULUMI_CONFIG_PASSPHRASE"):
        check_secrets(backend, {})
    with pytest.raises(PreflightError, match="which does not exist"):
        check_secrets(backend, {"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "missing")})
    (tmp_path / "passphrase").write_text("x")
    environ = {"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "passphrase")}
    assert check_secrets(backend, environ) == "passphrase"
    assert check_secrets(backend, {"PULUMI_CONFIG_PASSPHRASE": "s3cret"}) == "passphrase"
    assert check_secrets("https://api.pulumi.com", {}) == "the service's"


@pytest.mark.parametrize("backend", ["file:///repo/.pulumi-state", "s3://state-bucket/dev"])
@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u00a0 "])
def test_an_empty_or_blank_passphrase_is_refused(backend: str, blank: str) -> None:
    with pytest.raises(PreflightError, match="PULUMI_CONFIG_PASSPHRASE is set but empty"):
        check_secrets(backend, {"PULUMI_CONFIG_PASSPHRASE": blank})


@pytest.mark.parametrize("backend", ["file:///repo/.pulumi-state", "s3://state-bucket/dev"])
def test_an_empty_passphrase_is_refused(tmp_path: Path, backend: str) -> None:
    # The CLI reads the variable first even when empty: a file beside it does not help.
    (tmp_path / "passphrase").write_text("x")
    with pytest.raises(PreflightError, match="set but empty"):
        check_secrets(
            backend,
            {
                "PULUMI_CONFIG_PASSPHRASE": "",
                "PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "passphrase"),
            },
        )
    (tmp_path / "blank").write_text("\n")
    with pytest.raises(PreflightError, match="is empty"):
        check_secrets(backend, {"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "blank")})


def test_an_s3_backend_needs_a_passphrase_or_a_kms_secrets_provider() -> None:
    backend = "s3://state-bucket/staging?region=eu-west-1"
    with pytest.raises(PreflightError, match="PULUMI_SECRETS_PROVIDER=awskms://") as raised:
        check_secrets(backend, {})
    assert backend in str(raised.value)
    kms = "awskms://alias/platform-secrets-staging?region=eu-west-1"
    # In CI the passphrase secret of a KMS environment is unset and expands to "": not needed.
    assert check_secrets(backend, {"PULUMI_SECRETS_PROVIDER": kms}) == kms
    assert check_secrets(backend, {"PULUMI_SECRETS_PROVIDER": kms, "PULUMI_CONFIG_PASSPHRASE": ""})
    assert check_secrets(backend, {"PULUMI_CONFIG_PASSPHRASE": "s3cret"}) == "passphrase"
    # An empty provider variable is an unset one: the passphrase is needed again.
    with pytest.raises(PreflightError, match="set but empty"):
        check_secrets(backend, {"PULUMI_SECRETS_PROVIDER": "", "PULUMI_CONFIG_PASSPHRASE": ""})
    with pytest.raises(PreflightError, match="not a secrets provider Pulumi knows"):
        check_secrets(backend, {"PULUMI_SECRETS_PROVIDER": "kms:alias/x"})


def test_existing_stacks_keep_the_provider_their_stack_file_records(tmp_path: Path) -> None:
    kms = "awskms://alias/platform-secrets-prod?region=us-east-1"
    folders = {name: tmp_path / name for name in ("network", "data", "app")}
    for folder in folders.values():
        folder.mkdir()
    (folders["network"] / "Pulumi.prod.yaml").write_text(f"secretsprovider: {kms}\n")
    (folders["data"] / "Pulumi.prod.yaml").write_text("encryptionsalt: v1:abc\nconfig: {}\n")
    (folders["app"] / "Pulumi.prod.yaml").write_text("config:\n  app:desiredCount: 2\n")

    declared = declared_secrets_providers("prod", folders)

    assert declared == {"network": kms, "data": "passphrase"}
    backend = "s3://state-bucket/prod"
    # data's stack is a passphrase stack: the KMS variable does not change that.
    with pytest.raises(PreflightError, match="set PULUMI_CONFIG_PASSPHRASE"):
        check_secrets(backend, {"PULUMI_SECRETS_PROVIDER": kms}, declared, new_stacks=True)
    only_kms = {"network": kms}
    assert check_secrets(backend, {}, only_kms, new_stacks=False) == kms


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS credentials anywhere, and a test failure if botocore tried instance metadata."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("instance metadata was contacted")

    monkeypatch.setattr(botocore.credentials.InstanceMetadataProvider, "load", no_network)
    monkeypatch.setattr(botocore.credentials.ContainerProvider, "load", no_network)
    return tmp_path


def test_missing_aws_credentials_are_reported_without_a_network_call(no_aws: Path) -> None:
    with pytest.raises(PreflightError, match="No AWS credentials found"):
        check_aws_credentials({})


def test_credentials_from_the_environment_or_a_profile_are_found(
    no_aws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (no_aws / "credentials").write_text(
        "[deployer]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "deployer")
    assert check_aws_credentials({}) == "shared-credentials-file"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert check_aws_credentials({}) == "env"


def test_container_credentials_are_trusted_without_fetching_them(no_aws: Path) -> None:
    environ = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}
    assert check_aws_credentials(environ) == "container-role"
