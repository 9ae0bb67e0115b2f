"""Stack config as the Pulumi CLI would hand it to a program: `stacks/<layer>/Pulumi.<env>.yaml`.

Every value is the text the CLI gives the program (see tooling.offline.cli_yaml): unquoted `yes` is
"yes" and `30` is "30", so the offline plan validates exactly what the program will read at `pulumi
up`. Keys without a namespace belong to the project (the layer), as in the CLI. `secure:` values are
decrypted as the CLI decrypts them when the stack uses the passphrase provider and
`PULUMI_CONFIG_PASSPHRASE` (or `_FILE`) is set; they are then validated and handed to the program
as secrets. Otherwise (another secrets provider, no passphrase) their plaintext is unknown offline:
they are `secure_keys`, which the planner hands the program as set and secret with an unknown value
(`shared.config.UNDECRYPTED`), and the plan says so once. Pass the plaintext as a config override
to check it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.layers import LAYER_NAMES, STACKS_DIR, get_layer
from tooling.offline.cli_yaml import CliYamlError, StackDocument, read_stack_document
from tooling.offline.passphrase import Decrypt, PassphraseError, stack_decrypter

# pulumi/pulumi `sdk/go/common/tokens/stack_name.go` `ParseStackName`.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]*")
STACK_NAME_MAX = 100


def stack_name_problem(name: str) -> str | None:
    """Why the CLI would refuse `name` as a stack (environment) name, or None; checked up front."""
    if not name:
        return "a stack name may not be empty"
    if len(name) > STACK_NAME_MAX:
        return f"a stack name cannot exceed {STACK_NAME_MAX} characters"
    valid = _STACK_NAME.match(name)
    end = valid.end() if valid else 0
    if end != len(name):
        return (
            "a stack name may only contain alphanumeric, hyphens, underscores, or periods: "
            f"invalid character {name[end]!r} at position {end}"
        )
    return None


class StackConfigFileError(ValueError):
    """A `Pulumi.<env>.yaml` that cannot be read; the message names the file."""


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]  # every value whose plaintext is known, as the program's text
    secure_keys: tuple[str, ...]  # `secure:` values not decrypted offline, left out of values
    path: Path | None
    # Every `secure:` key: secrets for the program and the pack, decrypted (with the stack's
    # passphrase, `tooling/offline/passphrase.py`) or not.
    secret_keys: tuple[str, ...] = ()


def stack_file(layer: str, environment: str, stacks_dir: Path | None = None) -> Path:
    folder = (stacks_dir or STACKS_DIR) / get_layer(layer).name
    return folder / f"Pulumi.{environment}.yaml"


def namespaced(layer: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`key` -> `<layer>:key`, as the CLI does for keys without a namespace."""
    return {(key if ":" in key else f"{layer}:{key}"): value for key, value in values.items()}


def read_stack_file(path: Path, project: str) -> StackDocument | None:
    """A `Pulumi.<stack>.yaml` of `project` as the CLI loads it (None when it does not exist);
    StackConfigFileError names the file and, where it can, the line."""
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
        _check_size(path, data)
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise StackConfigFileError(
            f"{path}: not UTF-8 text at line {line}, column {column} (byte {error.start} is "
            f"{data[error.start]:#04x})"
        ) from None
    except OSError as error:
        raise StackConfigFileError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        return read_stack_document(text, project)
    except CliYamlError as error:
        raise StackConfigFileError(f"{path}: {error}") from None


# A stack file holds tens of short values; AWS takes none longer than a few KiB (a policy
# document, 6,144 characters). A file this big is a mistake, refused before YAML parses it.
MAX_STACK_FILE_BYTES = 1024 * 1024


def _check_size(path: Path, data: bytes) -> None:
    if len(data) <= MAX_STACK_FILE_BYTES:
        return
    lines = data.split(b"\n")
    longest = max(range(len(lines)), key=lambda index: len(lines[index]))
    raise StackConfigFileError(
        f"{path}: {len(data):,} bytes, over the {MAX_STACK_FILE_BYTES:,} a stack file may have "
        f"(line {longest + 1} alone is {len(lines[longest]):,} bytes)"
    )


def read_stack_config(
    layer: str, environment: str, *, stacks_dir: Path | None = None
) -> StackConfig:
    """The layer's config for `environment` (empty when the file does not exist)."""
    path = stack_file(layer, environment, stacks_dir)
    document = read_stack_file(path, get_layer(layer).name)
    if document is None:
        return StackConfig(values={}, secure_keys=(), path=None)
    parsed = document.values
    values = {key: value.text for key, value in parsed.items() if not value.secure}
    secret = tuple(key for key, value in parsed.items() if value.secure)
    decrypt = _decrypter(path, document.encryption_salt) if secret else None
    for key in secret:
        if decrypt is not None and not parsed[key].object:  # in an object: unknown offline
            try:
                values[key] = decrypt(parsed[key].text)
            except PassphraseError as error:
                raise StackConfigFileError(f"{path}: {key}: {error}") from None
    secure = tuple(key for key in secret if key not in values)
    return StackConfig(values=values, secure_keys=secure, path=path, secret_keys=secret)


def _decrypter(path: Path, salt: object) -> Decrypt | None:
    """The stack's passphrase decrypter, when a passphrase is set (as the CLI reads it)."""
    try:
        return stack_decrypter(salt)
    except PassphraseError as error:
        raise StackConfigFileError(f"{path}: {error}") from None


def load_stack_config(
    layer: str, environment: str, *, stacks_dir: Path | None = None
) -> dict[str, str]:
    """`<layer>:<key>` -> the program's text from `Pulumi.<environment>.yaml`, without `secure:` ones."""
    return read_stack_config(layer, environment, stacks_dir=stacks_dir).values


PROVIDER_NAMESPACE = "aws"  # the provider every layer configures (aws:region)


def read_config_overlay(path: Path) -> dict[str, dict[str, str]]:
    """`layer -> {<namespace>:<key>: value}` from a file shaped like a stack file, whose values
    go over every layer's `Pulumi.<env>.yaml` (`plan --config-file`): `<layer>:` keys to that
    layer, provider keys such as `aws:region` to every layer. No `secure:` values: an overlay
    holds stand-ins, never secrets."""
    try:
        document = read_stack_document(path.read_text(encoding="utf-8"), project="")
    except (OSError, UnicodeDecodeError) as error:
        raise StackConfigFileError(f"{path}: cannot be read ({error})") from None
    except CliYamlError as error:
        raise StackConfigFileError(f"{path}: {error}") from None
    overlay: dict[str, dict[str, str]] = {name: {} for name in LAYER_NAMES}
    for key, value in document.values.items():
        namespace = key.split(":", 1)[0]
        if value.secure:
            raise StackConfigFileError(f"{path}: {key}: an overlay holds no secrets")
        if namespace not in (*LAYER_NAMES, PROVIDER_NAMESPACE):
            raise StackConfigFileError(
                f"{path}: {key}: name a layer ({', '.join(LAYER_NAMES)}) or "
                f"{PROVIDER_NAMESPACE}: before the key"
            )
        for name in [namespace] if namespace in LAYER_NAMES else LAYER_NAMES:
            overlay[name][key] = value.text
    return {name: values for name, values in overlay.items() if values}
