"""A policy pack's process, started, read and stopped the way the Pulumi CLI handles a plugin.

Mirrors pulumi/pulumi `pkg/resource/plugin/plugin.go`: `newPlugin` reads stdout up to the first
newline and requires a port there (`parsePort`: whitespace and .NET's progress sequences trimmed),
failing at once on anything else or on end of file; stderr is read from the start and stdout
after the port line, by their own readers, so a chatty pack never blocks on a full pipe.
`ExecPlugin` starts the plugin in its own process group (`cmdutil.RegisterProcessGroup`,
`sdk/go/common/util/cmdutil/child_unix.go`), and its `kill` sends SIGINT to the whole group, waits
5 s, then SIGKILLs the group: a pack's own children go with it.

Unlike the CLI, which streams a plugin's output into its diagnostics, the offline planner keeps only
the last `TAIL_BYTES` of each stream, to explain a failure; the tail is masked (tooling.redaction)
and is never printed unless the pack failed.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from tooling import redaction

# What is kept of each stream, to explain a failure: the end of a traceback fits easily.
TAIL_BYTES = 64 * 1024
# What of it an error shows: the last lines, and never more than a screenful of one long line.
TAIL_LINES = 20
TAIL_CHARACTERS = 4000
# The longest first line quoted in an error: enough to recognise it.
QUOTED_CHARACTERS = 200
STOP_GRACE_SECONDS = 5.0  # plugin.go kill: 5 s after SIGINT, then SIGKILL
# plugin.go parsePort: .NET 9's `dotnet run` progress indicators are not part of the port.
PORT_NOISE = ("\x1b]9;4;3;\x1b\\", "\x1b]9;4;0;\x1b\\")


class PolicyPackError(RuntimeError):
    """The pack could not be started, configured or asked: the message says which and why."""


class Tail:
    """The last `limit` bytes written to a stream, filled by a reader thread."""

    def __init__(self, limit: int = TAIL_BYTES) -> None:
        self._limit = limit
        self._data = bytearray()
        self._lock = threading.Lock()
        self.total = 0

    def append(self, chunk: bytes) -> None:
        with self._lock:
            self.total += len(chunk)
            self._data += chunk
            if len(self._data) > self._limit:
                del self._data[: len(self._data) - self._limit]

    def text(self, lines: int = TAIL_LINES, characters: int = TAIL_CHARACTERS) -> str:
        """The last `lines` lines, at most `characters` of them, secrets masked."""
        with self._lock:
            data = bytes(self._data)
        # Masked before it is cut, so a cut never leaves part of a secret unrecognised.
        text = redaction.current().text(data.decode(errors="replace")).strip()
        return "\n".join(text.splitlines()[-lines:])[-characters:]


def parse_port(line: str) -> int | None:
    """plugin.go `parsePort`: the port a plugin printed, or None when the line is not one."""
    for noise in PORT_NOISE:
        line = line.replace(noise, "")
    line = line.strip()
    if not line.isascii() or not line.isdigit():
        return None
    port = int(line)
    return port if 0 < port <= 65535 else None


def _quoted(line: bytes) -> str:
    text = redaction.current().text(line.decode(errors="replace").rstrip("\r\n"))
    return repr(text[:QUOTED_CHARACTERS] + ("..." if len(text) > QUOTED_CHARACTERS else ""))


class PackProcess:
    """One pack process in its own process group, its output drained into bounded tails."""

    def __init__(
        self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], name: str
    ) -> None:
        self.name = name  # how errors name the pack: its folder
        self.stdout = Tail()
        self.stderr = Tail()
        self.process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            process_group=0,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [self._drain(self.process.stderr, self.stderr)]

    def _drain(self, stream: IO[bytes], tail: Tail, first: bytes = b"") -> threading.Thread:
        def read() -> None:
            tail.append(first)
            try:
                while chunk := os.read(stream.fileno(), 65536):
                    tail.append(chunk)
            except (OSError, ValueError):  # closed by stop()
                pass

        reader = threading.Thread(target=read, name=f"pack-output-{self.process.pid}", daemon=True)
        reader.start()
        return reader

    def read_port(self, timeout: float) -> int:
        """The port from the first line on stdout; anything else is an error at once."""
        stdout = self.process.stdout
        assert stdout is not None
        received = bytearray()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in received:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise PolicyPackError(
                        f"the policy pack in {self.name} did not start within {timeout:g} s "
                        f"(no port printed); is it blocking before PolicyPack(...)?"
                        f"{self.stderr_tail()}"
                    )
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    raise self._exited(bytes(received))
                received += chunk
        line, _, rest = bytes(received).partition(b"\n")
        port = parse_port(line.decode(errors="replace"))
        if port is None:
            raise PolicyPackError(
                f"the policy pack in {self.name} printed {_quoted(line)} on stdout before its "
                "port: a pack must not print to stdout before PolicyPack(...) starts (the Pulumi "
                "CLI refuses it too); print to stderr instead"
            )
        self._readers.append(self._drain(stdout, self.stdout, rest))
        return port

    def _exited(self, partial: bytes) -> PolicyPackError:
        """The pack closed stdout before a whole port line: the reason is in its stderr."""
        try:
            code: int | None = self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        for reader in self._readers:
            reader.join(timeout=1)
        tail = self.stderr_tail()
        if "Missing policies argument" in tail:
            return PolicyPackError(
                f"the policy pack in {self.name} has no policies: pulumi-policy refuses "
                "PolicyPack(policies=[]) and so would `pulumi preview --policy-pack`. Add "
                "policies, or plan without them (--no-policy)"
            )
        if "Cannot find module '@pulumi/" in tail:  # plugin.go: errRunPolicyModuleNotFound
            return PolicyPackError(
                f"the policy pack's dependencies are not installed: run npm install in {self.name}"
            )
        printed = f", after printing {_quoted(partial)}" if partial.strip() else ""
        status = "closed its output" if code is None else f"exit code {code}"
        return PolicyPackError(
            f"the policy pack in {self.name} failed to load ({status}{printed}){tail}"
        )

    def stderr_tail(self) -> str:
        """The end of the pack's stderr, masked, on its own lines; "" when it wrote nothing."""
        text = self.stderr.text()
        return f"\n{text}" if text else ""

    def stop(self) -> None:
        """SIGINT to the pack's process group, SIGKILL to it after the grace period (plugin.go)."""
        if self.process.poll() is None:
            self._signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_GRACE_SECONDS)
        # Whatever is left in the group (the pack's own children, or the pack itself) is killed.
        self._signal(signal.SIGKILL)
        self.process.wait()
        for reader in self._readers:
            reader.join(timeout=1)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def _signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
            os.killpg(self.process.pid, number)
