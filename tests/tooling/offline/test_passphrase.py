"""`secure:` config values decrypted as the CLI decrypts them, validated, and never shown."""

import base64
import hashlib
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rich.console import Console

from tooling.offline import plan
from tooling.offline.__main__ import main
from tooling.offline.passphrase import PassphraseError, decrypter, passphrase_from
from tooling.offline.planner import PlanError
from tooling.offline.report import render, to_json
from tooling.offline.stack_config import StackConfigFileError, read_stack_config

from .conftest import FIXTURES

REPO = FIXTURES.parents[1]
# Written by the Pulumi CLI itself: pulumi/pulumi tests/roundtrip/roundtrip_test.go
# (TestConfigRoundtripComments), whose passphrase is the test's name.
SALT = "v1:ThS5UPxP9qc=:v1:UZYAXF+ylaJ0rGhv:9OTvBnOEDFgxs7btjzSu+LZ470vLpg=="
PASSPHRASE = "TestConfigRoundtripComments"
CIPHERTEXT = "v1:T1ftqhY0hqr+EJK6:+jvd5PMecFx80tcavzuZY4tLatgIfoe/xR72GA=="
PLAINTEXT = "secret-value"


def encrypt(value: str, nonce: bytes = b"n" * 12) -> str:
    """What `pulumi config set --secret` writes under SALT and PASSPHRASE."""
    salt = base64.b64decode(SALT.split(":")[1])
    key = hashlib.pbkdf2_hmac("sha256", PASSPHRASE.encode(), salt, 1_000_000, 32)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def test_the_cli_s_own_ciphertext_decrypts() -> None:
    assert decrypter(SALT, PASSPHRASE)(CIPHERTEXT) == PLAINTEXT
    assert encrypt(PLAINTEXT, base64.b64decode("T1ftqhY0hqr+EJK6")) == CIPHERTEXT


@pytest.mark.parametrize(
    ("state", "passphrase", "message"),
    [
        (SALT, "wrong", "incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE"),
        (SALT, "", "incorrect passphrase"),
        ("v1:ThS5UPxP9qc=", PASSPHRASE, "malformed encryptionsalt"),
        ("v2:ThS5UPxP9qc=:x", PASSPHRASE, "unknown encryptionsalt version"),
        ("v1:%%%:x", PASSPHRASE, "malformed encryptionsalt"),
    ],
)
def test_a_wrong_passphrase_or_salt_is_one_clear_error(
    state: str, passphrase: str, message: str
) -> None:
    with pytest.raises(PassphraseError, match=message):
        decrypter(state, passphrase)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (CIPHERTEXT[:-4] + "AAA=", "message authentication failed"),
        ("v1:abc", "bad value"),
        ("v2:a:b", "unknown value version"),
        ("v1:%%:AAAA", "bad value"),
        ("v1:AAAA:AAAA", "nonce size is incorrect"),
    ],
)
def test_a_damaged_value_is_refused(value: str, message: str) -> None:
    with pytest.raises(PassphraseError, match=message):
        decrypter(SALT, PASSPHRASE)(value)


def test_the_passphrase_comes_from_the_variable_then_the_file(tmp_path: Path) -> None:
    phrase = tmp_path / "phrase"
    phrase.write_text(f"  {PASSPHRASE}\n")
    both = {"PULUMI_CONFIG_PASSPHRASE": "", "PULUMI_CONFIG_PASSPHRASE_FILE": str(phrase)}
    assert passphrase_from(both) == ""  # set, even empty, wins (readPassphrase's LookupEnv)
    assert passphrase_from({"PULUMI_CONFIG_PASSPHRASE_FILE": str(phrase)}) == PASSPHRASE
    assert passphrase_from({"PULUMI_CONFIG_PASSPHRASE_FILE": ""}) is None
    assert passphrase_from({}) is None
    with pytest.raises(PassphraseError, match="unable to read PULUMI_CONFIG_PASSPHRASE_FILE"):
        passphrase_from({"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "missing")})


def stack_file(folder: Path, *, salt: str | None = SALT, value: str = CIPHERTEXT) -> Path:
    path = folder / "observability" / "Pulumi.staging.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"encryptionsalt: {salt}\n" if salt else ""
    path.write_text(
        f"{header}config:\n  aws:region: us-east-1\n"
        f"  observability:alarmEmail:\n    secure: {value}\n"
    )
    return path


def test_a_stack_file_decrypts_with_the_passphrase_and_keeps_the_key_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(tmp_path)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    unread = read_stack_config("observability", "staging", stacks_dir=tmp_path)
    assert "observability:alarmEmail" not in unread.values
    assert unread.secure_keys == unread.secret_keys == ("observability:alarmEmail",)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    read = read_stack_config("observability", "staging", stacks_dir=tmp_path)
    assert read.values["observability:alarmEmail"] == PLAINTEXT
    assert read.secure_keys == () and read.secret_keys == ("observability:alarmEmail",)


def test_another_secrets_provider_is_left_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(tmp_path, salt=None)  # awskms:// stacks carry `encryptedkey`, no salt
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    read = read_stack_config("observability", "staging", stacks_dir=tmp_path)
    assert read.secure_keys == ("observability:alarmEmail",)


@pytest.mark.parametrize(
    ("passphrase", "value", "problem"),
    [
        ("wrong", CIPHERTEXT, "incorrect passphrase"),
        (PASSPHRASE, CIPHERTEXT[:-4] + "AAA=", "observability:alarmEmail: message authentication"),
    ],
)
def test_a_wrong_passphrase_stops_the_plan_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, passphrase: str, value: str, problem: str
) -> None:
    path = stack_file(tmp_path, value=value)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", passphrase)
    with pytest.raises(StackConfigFileError, match=f"{path}: {problem}"):
        read_stack_config("observability", "staging", stacks_dir=tmp_path)


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    """A copy of the real layers, to edit their stack files."""
    target = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_a_decrypted_value_is_validated_and_its_error_hides_it(
    stacks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(stacks, value=encrypt("hunter2-not-an-email"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    with pytest.raises(PlanError) as raised:
        plan("staging", layers=["observability"], stacks_dir=stacks, pack_dir=None)
    assert "observability:alarmEmail = '[secret]' is invalid" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_decrypted_value_reaches_the_program_and_no_report_shows_it(
    stacks: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    email = "pager-7f3a@acme-platform.io"
    stack_file(stacks, value=encrypt(email))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    result = plan("staging", layers=["observability"], stacks_dir=stacks, pack_dir=None)
    subscription = result.layers["observability"].one("aws:sns/topicSubscription:TopicSubscription")
    assert email in json.dumps(subscription.inputs)  # the program got the plaintext
    assert not any("alarmEmail" in note for note in result.notes)
    assert email not in json.dumps(to_json(result))
    buffer = StringIO()
    render(result, Console(file=buffer, width=300))
    assert email not in buffer.getvalue()
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "wrong")
    buffer = StringIO()
    code = main(
        ["plan", "staging", "--stacks", str(stacks), "--no-policy"],
        console=Console(file=buffer, width=300),
    )
    assert code == 2 and "incorrect passphrase" in buffer.getvalue()
    assert "Traceback" not in buffer.getvalue() and buffer.getvalue().count("error:") == 1


def test_a_secret_placeholder_is_refused_without_showing_it(
    stacks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(stacks, value=encrypt("pager-7f3a@example.com"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    with pytest.raises(PlanError) as raised:
        plan("staging", layers=["observability"], stacks_dir=stacks, pack_dir=None)
    message = str(raised.value)
    assert "observability:alarmEmail = '[secret]' is invalid: a placeholder" in message
    assert "pager-7f3a" not in message
