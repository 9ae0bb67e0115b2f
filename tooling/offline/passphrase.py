"""Pulumi's passphrase secrets provider, decrypt side: `secure:` config values read as the CLI reads them.

Mirrors pulumi/pulumi `pkg/secrets/passphrase/manager.go` (`symmetricCrypterFromPhraseAndState`,
`readPassphrase`) and `sdk/go/common/resource/config/crypt.go` (`NewSymmetricCrypterFromPassphrase`,
`symmetricCrypter.DecryptValue`): the key is PBKDF2-SHA256 of the passphrase over the stack file's
`encryptionsalt` salt, 1,000,000 iterations, 32 bytes; values are `v1:<nonce>:<AES-256-GCM
ciphertext>` in standard base64; the salt's own ciphertext must decrypt to "pulumi", or the
passphrase is wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

ITERATIONS = 1_000_000
KEY_BYTES = 32
CHECK_PLAINTEXT = "pulumi"

Decrypt = Callable[[str], str]


class PassphraseError(ValueError):
    """The passphrase or a ciphertext cannot be used; the message says which, never a secret."""


def passphrase_from(environ: Mapping[str, str]) -> str | None:
    """`readPassphrase` without the prompt: the variable, else the file (trimmed), else None."""
    if "PULUMI_CONFIG_PASSPHRASE" in environ:
        return environ["PULUMI_CONFIG_PASSPHRASE"]
    name = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if not name:
        return None
    try:
        return Path(name).read_text().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise PassphraseError(
            f"unable to read PULUMI_CONFIG_PASSPHRASE_FILE ({name}): {error}"
        ) from None


@cache  # 1,000,000 rounds take ~0.4 s; a plan asks once per layer
def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, ITERATIONS, KEY_BYTES)


def _decrypt(key: bytes, value: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parts = value.split(":")
    if len(parts) != 3:
        raise PassphraseError("bad value")
    if parts[0] != "v1":
        raise PassphraseError("unknown value version")
    try:
        nonce = base64.b64decode(parts[1], validate=True)
        ciphertext = base64.b64decode(parts[2], validate=True)
    except binascii.Error as error:
        raise PassphraseError(f"bad value: {error}") from None
    if len(nonce) != 12:  # Go's cipher.NewGCM nonce size
        raise PassphraseError("bad value: nonce size is incorrect")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, None).decode()
    except (InvalidTag, UnicodeDecodeError):
        raise PassphraseError("message authentication failed") from None


def decrypter(state: str, passphrase: str) -> Decrypt:
    """A decrypter for the stack whose `encryptionsalt` is `state`, checked against its passphrase."""
    parts = state.split(":", 2)
    if len(parts) != 3:
        raise PassphraseError("malformed encryptionsalt")
    if parts[0] != "v1":
        raise PassphraseError("unknown encryptionsalt version")
    try:
        salt = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise PassphraseError("malformed encryptionsalt") from None
    key = _key(passphrase, salt)
    try:
        check = _decrypt(key, parts[2])
    except PassphraseError:
        check = ""
    if check != CHECK_PLAINTEXT:
        raise PassphraseError(
            "incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase "
            "or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase"
        )
    return lambda value: _decrypt(key, value)


def stack_decrypter(state: object, environ: Mapping[str, str] | None = None) -> Decrypt | None:
    """The stack file's decrypter, or None when it cannot decrypt offline (no passphrase set, or
    the stack uses another secrets provider, which has no `encryptionsalt`)."""
    if not isinstance(state, str) or not state:
        return None
    passphrase = passphrase_from(os.environ if environ is None else environ)
    if passphrase is None:
        return None
    return decrypter(state, passphrase)
