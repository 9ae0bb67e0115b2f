"""Checks before any stack is touched: the Pulumi CLI, the secrets provider, AWS credentials.

Each failure is a PreflightError whose message says what is missing and how to get it; the CLI turns
it into exit code 2. No check here makes a network call, except the one attempt to install the
missing CLI, which first probes whether the installer's host answers at all and is then bounded
by a timeout, so an offline machine fails in seconds instead of hanging.
"""

from __future__ import annotations

import os
import shutil
import threading
import urllib.request
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path

PULUMI_VERSION = version("pulumi")
INSTALLER_URL = "https://get.pulumi.com/"
CONTAINER_CREDENTIAL_VARS = (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class PreflightError(Exception):
    """Something the deployment needs is missing; the message is the whole explanation."""


def locate_cli(environ: Mapping[str, str]) -> Path | None:
    """`pulumi` on PATH, else where Pulumi's installer and `PulumiCommand.install` put it."""
    found = shutil.which("pulumi", path=environ.get("PATH", ""))
    if found:
        return Path(found)
    home = Path(environ.get("HOME") or Path.home())
    for candidate in (
        home / ".pulumi" / "bin" / "pulumi",
        home / ".pulumi" / "versions" / PULUMI_VERSION / "bin" / "pulumi",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def installer_reachable(timeout: float = 3.0) -> bool:
    """Whether Pulumi's download host answers at all: offline, this fails in well under a second."""
    request = urllib.request.Request(INSTALLER_URL, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except Exception:  # DNS, refused, proxy, TLS, timeout: all mean "cannot install from here"
        return False


def missing_cli_message(environment: str, reason: str) -> str:
    return (
        f"The Pulumi CLI is not installed ({reason}).\n"
        f"Install Pulumi {PULUMI_VERSION}:  curl -fsSL https://get.pulumi.com | sh -s -- "
        f"--version {PULUMI_VERSION}\n"
        "(or see https://www.pulumi.com/docs/iac/download-install/), then run this again.\n"
        f"Without the CLI, `nox -s plan -- {environment}` plans every layer offline, with the "
        "policy pack."
    )


def ensure_cli(
    environ: Mapping[str, str],
    environment: str,
    *,
    install: Callable[[], Path],
    reachable: Callable[[], bool] = installer_reachable,
    install_timeout: float = 300.0,
) -> Path:
    """The CLI's path; installs the pinned version when absent and possible, else PreflightError."""
    found = locate_cli(environ)
    if found is not None:
        return found
    if not reachable():
        raise PreflightError(
            missing_cli_message(
                environment, "not on PATH nor in ~/.pulumi, and no network to install it"
            )
        )
    outcome: list[Path | BaseException] = []

    def attempt() -> None:
        try:
            outcome.append(install())
        except BaseException as error:  # reported below, in the caller's thread
            outcome.append(error)

    # PulumiCommand.install downloads without a timeout; a daemon thread bounds it.
    worker = threading.Thread(target=attempt, name="pulumi-install", daemon=True)
    worker.start()
    worker.join(install_timeout)
    if not outcome:
        raise PreflightError(
            missing_cli_message(environment, f"installing it took over {install_timeout:.0f} s")
        )
    result = outcome[0]
    if isinstance(result, BaseException):
        raise PreflightError(missing_cli_message(environment, f"installing it failed: {result}"))
    return result


SECRETS_PROVIDER_VAR = "PULUMI_SECRETS_PROVIDER"
KMS_SCHEMES = ("awskms://", "gcpkms://", "azurekeyvault://", "hashivault://")


def _is_service_backend(backend_url: str) -> bool:
    """Pulumi Cloud (or a self-hosted service): its own secrets provider is the default."""
    return backend_url.startswith(("https://", "http://"))


def declared_secrets_providers(
    environment: str, layer_folders: Mapping[str, Path]
) -> dict[str, str]:
    """The secrets provider each layer's existing `Pulumi.<environment>.yaml` records: the CLI
    writes `secretsprovider` when a stack is created with `--secrets-provider`, and only an
    `encryptionsalt` for a passphrase stack. Layers whose file records neither are left out.
    A file the CLI could not load raises StackConfigFileError (a ValueError) naming it."""
    from tooling.offline.stack_config import read_stack_file

    found = {}
    for layer, folder in layer_folders.items():
        document = read_stack_file(folder / f"Pulumi.{environment}.yaml", layer)
        if document is None:
            continue
        if document.secrets_provider:
            found[layer] = str(document.secrets_provider)
        elif document.encryption_salt:
            found[layer] = "passphrase"
    return found


def check_secrets(
    backend_url: str,
    environ: Mapping[str, str],
    declared: Mapping[str, str] | None = None,
    *,
    new_stacks: bool = True,
) -> str:
    """How stack secrets will be encrypted; PreflightError when that cannot work.

    `PULUMI_SECRETS_PROVIDER` (e.g. `awskms://alias/<name>?region=<region>`) is used for stacks
    created from now on; an existing stack keeps the provider its `Pulumi.<env>.yaml` declares
    (`declared`, per layer; `new_stacks`: some layer has no stack file yet). Anything that ends up on the passphrase provider (the default of the
    file and s3:// backends) needs a passphrase that is not empty: Pulumi accepts an empty one, and
    in CI a missing secret expands to exactly that. An empty `PULUMI_SECRETS_PROVIDER` counts as
    unset, for the same reason.
    """
    wanted = environ.get(SECRETS_PROVIDER_VAR, "").strip()
    if wanted and wanted != "passphrase" and not wanted.startswith(KMS_SCHEMES):
        raise PreflightError(
            f"{SECRETS_PROVIDER_VAR}={wanted!r} is not a secrets provider Pulumi knows: use "
            "`passphrase` or a KMS URL such as awskms://alias/<name>?region=<region>."
        )
    providers = set((declared or {}).values())
    if new_stacks or not providers:
        providers.add(wanted or "default")
    service = _is_service_backend(backend_url)
    needs_passphrase = any(p == "passphrase" or (p == "default" and not service) for p in providers)
    kind = ", ".join(sorted(p for p in providers if p != "default")) or (
        "the service's" if service else "passphrase"
    )
    if not needs_passphrase:
        return kind
    if "PULUMI_CONFIG_PASSPHRASE" in environ:
        # The CLI reads this variable first whenever it is set, even empty
        # (pulumi/pulumi pkg/secrets/passphrase/manager.go): a file set beside it is ignored.
        # Blanks alone protect nothing either, and read as empty in a log or a settings page.
        if environ["PULUMI_CONFIG_PASSPHRASE"].strip():
            return "passphrase"
        raise PreflightError(
            "PULUMI_CONFIG_PASSPHRASE is set but empty (or only blanks). Pulumi would encrypt the "
            "stack's secrets with it (in CI, a missing secret expands to an empty one). Set the "
            f"real passphrase, or use a KMS key: {SECRETS_PROVIDER_VAR}=awskms://alias/<name>"
            "?region=<region> (docs/ci.md)."
        )
    passphrase_file = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if passphrase_file:
        path = Path(passphrase_file)
        if not path.is_file():
            raise PreflightError(
                f"PULUMI_CONFIG_PASSPHRASE_FILE points to {passphrase_file}, which does not exist."
            )
        if not path.read_text().strip():
            raise PreflightError(
                f"PULUMI_CONFIG_PASSPHRASE_FILE ({passphrase_file}) is empty: an empty "
                "passphrase protects nothing. Put the passphrase in it."
            )
        return "passphrase"
    if backend_url.startswith("file://"):
        raise PreflightError(
            f"The local file backend ({backend_url}) encrypts stack secrets with a passphrase: set "
            "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) and keep it; every later "
            "run needs the same one. Or set PULUMI_BACKEND_URL to another backend."
        )
    raise PreflightError(
        f"The backend {backend_url} keeps stack secrets encrypted by the stack's secrets provider, "
        f"which is the passphrase here: set PULUMI_CONFIG_PASSPHRASE, or a KMS key with "
        f"{SECRETS_PROVIDER_VAR}=awskms://alias/<name>?region=<region> (the bootstrap project "
        "creates one; docs/ci.md)."
    )


def check_aws_credentials(environ: Mapping[str, str]) -> str:
    """How botocore would find credentials (env, profile, SSO, web identity...); PreflightError if not.

    The instance-metadata and container providers are left out: asking them is a network call.
    Container credentials are trusted when their endpoint variable is set.
    """
    import botocore.session

    for name in CONTAINER_CREDENTIAL_VARS:
        if environ.get(name):
            return "container-role"
    session = botocore.session.Session()
    resolver = session.get_component("credential_provider")
    for name in ("iam-role", "container-role"):
        resolver.remove(name)
    try:
        credentials = resolver.load_credentials()
    except Exception as error:  # a broken profile or credential_process
        raise PreflightError(f"AWS credentials could not be loaded: {error}") from None
    if credentials is None:
        raise PreflightError(
            "No AWS credentials found (environment variables, shared credentials/config files, "
            "SSO or web identity). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or in CI assume a role through OIDC. (EC2 instance roles are not probed: that would "
            "be a network call; export credentials from them instead.)"
        )
    return str(credentials.method)
