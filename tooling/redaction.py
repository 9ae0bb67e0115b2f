"""Secret values never leave this process in plaintext: one masking path for everything shown or written.

A secret travels as the engine's wrapper `{"4dabf1...": "1b4706...", "value": <plaintext>}`
(pulumi/pulumi `sdk/go/common/resource/sig/sig.go`), which policies receive as the CLI sends it.
`redact` replaces wrappers; a `Masker` replaces every known plaintext in free text (policy
messages, pack errors, pack output, tracebacks), also in the forms a program or a pack serialises it
to: JSON (Python's `json.dumps`, Node's `JSON.stringify`, and JSON inside JSON), Python's `repr`,
Node's `util.inspect` (`console.log` of an object), URL quoting and base64. A secret that is itself
a JSON document contributes the strings inside it.

The plan's command line opens one `masking()` scope; whatever learns a secret (config decryption,
a layer's results, a stack export) `remember`s it there, and every output path masks with it.
Text bound for a terminal also loses its control characters (`terminal_text`), after masking and
masked again, so no escape sequence can hide or reassemble a secret.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from shared.wire import SECRET_SIGNATURE as SECRET_SIG
from shared.wire import SECRET_SIGNATURE_KEY as SECRET_SIG_KEY

SHOWN = "[secret]"
# Shorter strings inside a secret ("true", "tcp", "80") are too common to hunt for in free text.
MIN_SCRUBBED_LENGTH = 4
# A base64 fragment shorter than this is too likely to occur by chance to be masked.
MIN_BASE64_LENGTH = 8
# Terminal escape sequences (ECMA-48): a control sequence (CSI) whole, and ESC with the character
# after it (an OSC's text stays visible rather than hiding what follows), then C0 and C1 controls
# except tab and newline, DEL, and the bidirectional overrides.
CONTROL = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"
    "|\x1b[ -/]*[0-~]"
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def wrap(value: Any) -> dict[str, Any]:
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def redact(value: Any) -> Any:
    """A copy with every secret wrapper replaced by `[secret]`."""
    if is_secret(value):
        return SHOWN
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def secret_texts(value: Any, *, public: str = "") -> set[str]:
    """Every string a secret holds: each secret plaintext whole, and the strings within one (in a
    structure, or in a JSON document held as a string) that `public` does not show anyway.

    A piece of a secret document is masked so that a message quoting one value of it (a container
    definition's environment) cannot show that value. A piece that the plan shows in the clear
    elsewhere (the region inside a secret container definition, a log group's name) is no secret,
    and masking it would only blank out the plan's public text wherever it occurs.
    """
    found: set[str] = set()
    pieces: set[str] = set()
    _collect(value, _OUT, found, pieces)
    return found | {piece for piece in pieces - found if piece not in public}


def public_text(value: Any) -> str:
    """Every string of `value` outside a secret, one per line: what a plan shows in the clear."""
    strings: list[str] = []
    _public(value, strings)
    return "\n".join(strings)


def _public(value: Any, strings: list[str]) -> None:
    if isinstance(value, str):
        strings.append(value)
    elif isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) != SECRET_SIG:
            for key, item in value.items():
                strings.append(str(key))
                _public(item, strings)
    elif isinstance(value, list | tuple):
        for item in value:
            _public(item, strings)


# Where a value stands: outside any secret, a secret's whole plaintext, or a piece within one.
_OUT, _WHOLE, _PIECE = 0, 1, 2


def _collect(value: Any, where: int, found: set[str], pieces: set[str]) -> None:
    # Plain types first: this walks every value of a plan, and ABC checks are slow.
    if isinstance(value, str):
        if where != _OUT:
            _collect_text(value, found if where == _WHOLE else pieces, pieces)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if where != _OUT:
            _collect_text(str(value), found if where == _WHOLE else pieces, pieces)
    elif isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            _collect(value.get("value"), _WHOLE, found, pieces)
        else:
            for item in value.values():
                _collect(item, _OUT if where == _OUT else _PIECE, found, pieces)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, _OUT if where == _OUT else _PIECE, found, pieces)
    elif where != _OUT:
        _collect_text(str(value), found if where == _WHOLE else pieces, pieces)


def _collect_text(text: str, into: set[str], pieces: set[str]) -> None:
    if len(text) >= MIN_SCRUBBED_LENGTH:
        into.add(text)
    # A container definition or policy document held as one secret string: a message that quotes
    # one value of it must not show that value either.
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return
        if isinstance(document, dict | list):
            _collect(document, _PIECE, set(), pieces)


def terminal_text(text: str) -> str:
    """`text` without control characters (tab and newline stay): nothing a terminal would act on."""
    return CONTROL.sub("", text)


def _base64_fragments(secret: bytes) -> set[str]:
    """The part of a secret's base64 that is the same wherever the secret starts in the input."""
    found: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode()
        # Characters touched by the padding bytes in front, or by what follows, vary: drop them.
        start = (offset * 8 + 5) // 6
        end = ((offset + len(secret)) * 8) // 6
        fragment = encoded[start:end]
        if len(fragment) >= MIN_BASE64_LENGTH:
            found.add(fragment)
            found.add(fragment.replace("+", "-").replace("/", "_"))  # URL-safe base64
    return found


# Node's util.inspect (what console.log does to an object), lib/internal/util/inspect.js `meta`:
# C0 controls, DEL and C1 controls as \\xHH in upper case, the usual short escapes, and the backslash.
_NODE_ESCAPES = {
    **{code: f"\\x{code:02X}" for code in [*range(0x20), *range(0x7F, 0xA0)]},
    **{
        ord(c): e
        for c, e in zip("\b\t\n\f\r\\", ["\\b", "\\t", "\\n", "\\f", "\\r", "\\\\"], strict=True)
    },
}


def _node_inspect(secret: str) -> set[str]:
    escaped = secret.translate(_NODE_ESCAPES)
    return {escaped, escaped.replace("'", "\\'")}  # single-quoted, or in other quotes


def serialised_forms(secret: str) -> set[str]:
    """The shapes a plaintext takes in the output of programs and packs."""
    json_ascii = json.dumps(secret)[1:-1]  # Python's json.dumps
    json_unicode = json.dumps(secret, ensure_ascii=False)[1:-1]  # Node's JSON.stringify
    forms = {
        secret,
        json_ascii,
        json_unicode,
        json.dumps(json_ascii)[1:-1],  # a JSON document inside a JSON string, as in env vars
        json.dumps(json_unicode, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        repr(secret.encode())[2:-1],  # a bytes repr
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        *_node_inspect(secret),
    }
    forms |= _base64_fragments(secret.encode())
    forms |= {terminal_text(form) for form in forms}
    return {form for form in forms if len(form) >= MIN_SCRUBBED_LENGTH}


def _longest_match_pattern(words: set[str]) -> re.Pattern[str]:
    """A regex matching any of `words`, the longest at each position, so no tail of one is left.

    The words share a trie: a flat alternation of hundreds of forms tries each at every position.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, Any]) -> str:
        branches = []
        for first in sorted(c for c in node if c):
            run, child = re.escape(first), node[first]
            while len(child) == 1 and "" not in child:  # a chain without choices: one literal
                ((char, child),) = child.items()
                run += re.escape(char)
            rest = pattern(child)
            branches.append(run + rest)
        if not branches:
            return ""
        # Longer continuations first, then (if a word ends here) nothing more: greedy `?`.
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    try:
        return re.compile(pattern(trie))
    except RecursionError:  # thousands of nested words: a flat alternation, longest first
        ordered = sorted(words, key=lambda word: (-len(word), word))
        return re.compile("|".join(map(re.escape, ordered)))


class Masker:
    """Replaces every known secret plaintext, in any of its serialised forms, by `[secret]`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    @property
    def secrets(self) -> frozenset[str]:
        return self._secrets

    def add(self, secrets: Iterable[str]) -> None:
        new = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SCRUBBED_LENGTH}
        with self._lock:
            if new <= self._secrets:
                return
            self._secrets |= new
            forms = {form for secret in self._secrets for form in serialised_forms(secret)}
            self._pattern = _longest_match_pattern(forms)

    def extended(self, secrets: Iterable[str]) -> Masker:
        """A masker for these secrets as well as this one's."""
        return Masker(self._secrets | set(secrets))

    def _mask(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not pattern.search(text):
            return text
        # A replacement next to other text can complete another secret ("[secret]" plus what
        # follows): mask again until nothing is found, and give up the whole text if that fails.
        for _ in range(4):
            text = pattern.sub(SHOWN, text)
            if not pattern.search(text) or SHOWN in self._secrets:
                return text
        return SHOWN

    def text(self, text: str) -> str:
        """`text` with every secret masked; control characters stay unless they hide a secret."""
        if self._pattern is None:
            return text
        masked = self._mask(text)
        if CONTROL.search(masked):
            plain = terminal_text(masked)
            again = self._mask(plain)
            if again != plain:  # a secret spelled with control characters in between
                return again
        return masked

    def terminal(self, text: str) -> str:
        """`text` for a terminal: masked, without control characters."""
        return self._mask(terminal_text(self._mask(text)))

    def value(self, value: Any) -> Any:
        """A copy for output: wrappers redacted, every string (keys too) masked."""
        if isinstance(value, str):  # plain types first: this walks every value of a plan
            return self.text(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if is_secret(value):
            return SHOWN
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


_scopes: list[Masker] = []


@contextmanager
def masking() -> Iterator[Masker]:
    """A scope (one command's run) in which remembered secrets are masked from every output."""
    masker = Masker()
    _scopes.append(masker)
    try:
        yield masker
    finally:
        _scopes.remove(masker)


def current() -> Masker:
    """The innermost scope's masker; outside any scope, one that knows no secret."""
    return _scopes[-1] if _scopes else Masker()


def remember(secrets: Iterable[str]) -> None:
    """Secrets learnt while running (decrypted config, results): masked from now on in this scope."""
    if _scopes:
        _scopes[-1].add(secrets)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret in it masked, in any serialised form."""
    return Masker(secrets).text(text)
