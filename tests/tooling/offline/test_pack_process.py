"""Packs that print, flood, hang or crash, in Python and Node.js: answered at once, and stopped whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tooling.offline import PolicyPackError
from tooling.offline.analysis import analyze_stack
from tooling.offline.analyzer import policy_pack
from tooling.offline.pack_process import TAIL_BYTES, TAIL_CHARACTERS, Tail, parse_port

from .conftest import FIXTURES
from .hostile_packs import node_ready, running, thing, write_pack

REPO = FIXTURES.parents[1]
# Node.js starts in 1-2.5 s here; a start-up that takes longer than this is a hang.
START_TIMEOUT = 20.0

runtimes = pytest.mark.parametrize(
    "runtime",
    [
        "python",
        pytest.param(
            "nodejs",
            marks=pytest.mark.skipif(
                not node_ready(),
                reason="needs `node` and `npm ci` in tests/fixtures/node_policy_pack",
            ),
        ),
    ],
)


@runtimes
def test_a_pack_that_prints_before_its_port_is_an_error_at_once(
    tmp_path: Path, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_START", "print")
    began = time.monotonic()
    with (
        pytest.raises(PolicyPackError) as caught,
        policy_pack(
            write_pack(tmp_path, runtime),
            environment="dev",
            project="app",
            start_timeout=START_TIMEOUT,
        ) as server,
    ):
        server.connect()
    assert time.monotonic() - began < START_TIMEOUT / 2
    assert "printed 'loading the hostile pack' on stdout before its port" in str(caught.value)
    assert not running(server.process.pid)


@runtimes
def test_a_pack_that_floods_stdout_and_stderr_never_blocks(
    tmp_path: Path, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_START", "flood")  # megabytes to stderr before the port, too
    with policy_pack(
        write_pack(tmp_path, runtime),
        environment="dev",
        project="app",
        start_timeout=START_TIMEOUT,
        call_timeout=20,
    ) as server:
        found = analyze_stack(
            [server], [thing("flood", name="a"), thing("flood", name="b")], layer="app"
        )
        assert [v.message.rsplit("\n", 1)[-1] for v in found] == ["flooded", "flooded"]
        # What is kept of the output is bounded, however much the pack wrote.
        assert server._pack.stdout.total > 2 * TAIL_BYTES
        assert server._pack.stderr.total > 2 * TAIL_BYTES
        assert len(server._stderr_tail()) == 1 + TAIL_CHARACTERS


@runtimes
def test_a_pack_that_hangs_at_start_times_out_and_is_stopped(
    tmp_path: Path, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_START", "hang")
    start_timeout = 1.0 if runtime == "python" else 4.0
    with (
        pytest.raises(PolicyPackError, match=f"did not start within {start_timeout:g} s"),
        policy_pack(
            write_pack(tmp_path, runtime),
            environment="dev",
            project="app",
            start_timeout=start_timeout,
        ) as server,
    ):
        server.connect()
    assert not running(server.process.pid)


@runtimes
def test_a_policy_that_hangs_is_reported_and_its_pack_killed(
    tmp_path: Path, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tooling.offline.pack_process

    monkeypatch.delenv("HOSTILE_START", raising=False)
    # A pack stuck in a policy ignores SIGINT: it is killed after the grace period (5 s as in the
    # CLI), shortened here.
    monkeypatch.setattr(tooling.offline.pack_process, "STOP_GRACE_SECONDS", 0.5)
    with (
        pytest.raises(PolicyPackError, match=r"did not answer Analyze .* within 1 s"),
        policy_pack(
            write_pack(tmp_path, runtime),
            environment="dev",
            project="app",
            start_timeout=START_TIMEOUT,
            call_timeout=1,
        ) as server,
    ):
        server.connect()
        server.call_timeout = 1
        analyze_stack([server], [thing("hang")], layer="app")
    assert not running(server.process.pid)


@runtimes
def test_a_pack_that_crashes_at_start_shows_its_error_masked(
    tmp_path: Path, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tooling import redaction

    monkeypatch.setenv("HOSTILE_START", "crash")
    with (
        redaction.masking() as masker,
        pytest.raises(PolicyPackError, match="failed to load") as caught,
        policy_pack(
            write_pack(tmp_path, runtime),
            environment="dev",
            project="app",
            config={"app:dbPassword": "decrypted-SECURE-value-42"},
            start_timeout=START_TIMEOUT,
        ) as server,
    ):
        masker.add(["decrypted-SECURE-value-42"])
        server.connect()
    assert "cannot start with config" in str(caught.value)
    assert '"app:dbPassword": "[secret]"' in str(caught.value).replace('":"', '": "')
    assert "decrypted-SECURE-value-42" not in str(caught.value)


def test_stopping_a_pack_ends_its_whole_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group, not the runtime, decides: the Python pack stands for both."""
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("HOSTILE_START", "spawn")
    monkeypatch.setenv("HOSTILE_PIDS", str(pids_file))
    with policy_pack(
        write_pack(tmp_path / "pack", "python"),
        environment="dev",
        project="app",
        start_timeout=START_TIMEOUT,
    ) as server:
        server.connect()
        pack, child = map(int, pids_file.read_text().split())
        assert running(pack) and running(child)
    assert not running(pack) and not running(child)


def test_the_port_line_is_parsed_as_the_cli_parses_it() -> None:
    assert parse_port("12345\n") == 12345
    assert parse_port(" 80\r\n") == 80
    assert parse_port("\x1b]9;4;3;\x1b\\4242") == 4242
    assert [parse_port(line) for line in ("", "0", "65536", "port 80", "٣٣")] == [None] * 5


def test_a_tail_keeps_only_the_end() -> None:
    tail = Tail(limit=10)
    for chunk in (b"first line\n", b"second\n", b"third\n"):
        tail.append(chunk)
    assert tail.total == 24
    assert tail.text() == "ond\nthird"


@pytest.mark.parametrize(("signal_number", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_the_plan_stops_every_pack_and_removes_its_temporary_files(
    tmp_path: Path, signal_number: int, code: int
) -> None:
    """The plan in a child process, signalled while it waits for its pack, which has a child."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    pids_file = tmp_path / "pids"
    pack = write_pack(tmp_path / "pack", "python")
    export = tmp_path / "export.json"
    export.write_text(
        '{"version": 3, "deployment": {"resources": [{"urn": '
        '"urn:pulumi:dev::app::test:index:Thing::t", "type": "test:index:Thing", '
        '"custom": true, "inputs": {"behaviour": "hang"}}]}}'
    )
    plan = subprocess.Popen(
        [sys.executable, "-m", "tooling.offline", "policy-check", str(export), "--pack", str(pack)],
        cwd=REPO,
        env={
            **os.environ,
            "PULUMI_PYTHON_CMD": sys.executable,
            "TMPDIR": str(temporary),
            "HOSTILE_START": "spawn-hang",
            "HOSTILE_PIDS": str(pids_file),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not pids_file.exists() or not pids_file.read_text():
            assert time.monotonic() < deadline and plan.poll() is None, plan.communicate()
            time.sleep(0.05)
        pids = list(map(int, pids_file.read_text().split()))
        assert list(temporary.iterdir()), "the plan keeps its temporary files in TMPDIR"
        plan.send_signal(signal_number)
        out, err = plan.communicate(timeout=30)
    finally:
        plan.kill()
    assert plan.returncode == code, err
    assert "Traceback" not in out + err
    assert [pid for pid in pids if running(pid)] == []
    assert list(temporary.iterdir()) == []


def test_sigterm_while_a_layer_runs_leaves_no_layer_pack_or_result_file(
    tmp_path: Path, stacks_copy: Path
) -> None:
    """A plan: SIGTERM while the app layer's forked program runs and the pack waits to start."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    pids_file, layer_file = tmp_path / "pids", tmp_path / "layer"
    program = stacks_copy / "app" / "__main__.py"
    program.write_text(
        "import os, pathlib, time\n"
        f"pathlib.Path({str(layer_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(3600)\n" + program.read_text()
    )
    pack = write_pack(tmp_path / "pack", "python")
    command = ["plan", "dev", "--stacks", str(stacks_copy), "--pack", str(pack)]
    plan = subprocess.Popen(
        [sys.executable, "-m", "tooling.offline", *command],
        cwd=REPO,
        env={
            **os.environ,
            "PULUMI_PYTHON_CMD": sys.executable,
            "TMPDIR": str(temporary),
            "HOSTILE_START": "spawn-hang",
            "HOSTILE_PIDS": str(pids_file),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and pids_file.read_text() and layer_file.exists()):
            assert time.monotonic() < deadline and plan.poll() is None, plan.communicate()
            time.sleep(0.05)
        time.sleep(0.1)  # the pid is written first thing: let the file be complete
        pids = [*map(int, pids_file.read_text().split()), int(layer_file.read_text())]
        assert any(path.suffix == ".pickle" for path in temporary.rglob("*"))
        plan.send_signal(signal.SIGTERM)
        out, err = plan.communicate(timeout=30)
    finally:
        plan.kill()
    assert plan.returncode == 143, err
    assert "terminated" in err and "Traceback" not in out + err
    assert [pid for pid in pids if running(pid)] == []
    assert list(temporary.iterdir()) == []
