"""`Pulumi.<stack>.yaml` config values exactly as the Pulumi CLI hands them to a program: as text.

The CLI (pulumi/pulumi `sdk/go/common/workspace/loaders.go` `LoadProjectStackBytes`) decodes the file
with gopkg.in/yaml.v3 into Go values, refuses non-string keys (`project.go`
`SimplifyMarshalledValue`), re-encodes it, and decodes each config value into a `config.Value`
(`sdk/go/common/resource/config/value.go`, `object.go`). A value is a string the program reads:
`MarshalString` keeps strings as they are and writes bools and numbers as Go's `json.Marshal` does;
mappings and lists become JSON text; a one-key mapping `{secure: <string>}` is a secret; a null is
the empty string (`loaders.go` `checkForEmptyConfig`). The re-encoding round trip changes no value
(yaml.v3 quotes every string that would read back as something else), so it is not repeated here.

yaml.v3 resolves plain scalars by YAML 1.2 rules with some 1.1 leftovers (`resolve.go` at v3.0.1,
mirrored in `_resolve`): `yes`/`on`/`no`/`off`/`y` stay strings (PyYAML says True/False), `0x10` is
16, `0o17` and `017` are 15, `1_000` is 1000, `1e3` is the float 1000 (read back as "1000"), `~` and
an empty value are null, `.inf` is infinity (which `json.Marshal` then refuses, so the CLI fails),
and a date such as `2024-01-02` is a time.Time that reaches the program as Go's `Time.String()`,
"2024-01-02 00:00:00 +0000 UTC". Times with an offset are rendered as on a machine whose local zone
is UTC (CI); Go names the zone after the local one when the offsets agree.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

STR, BOOL, INT, FLOAT, NULL = "!!str", "!!bool", "!!int", "!!float", "!!null"
TIMESTAMP, BINARY, MERGE = "!!timestamp", "!!binary", "!!merge"
_LONG_PREFIX = "tag:yaml.org,2002:"
_PLAIN, _QUOTED = "!offline-plain", "!offline-quoted"  # no tag written: plain vs quoted/block
_RESOLVABLE = frozenset({"", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP})
_MAP_VALUES: Mapping[str, tuple[str, Any]] = {
    **{s: (BOOL, True) for s in ("true", "True", "TRUE")},
    **{s: (BOOL, False) for s in ("false", "False", "FALSE")},
    **{s: (NULL, None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: (FLOAT, math.nan) for s in (".nan", ".NaN", ".NAN")},
    **{s: (FLOAT, math.inf) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: (FLOAT, -math.inf) for s in ("-.inf", "-.Inf", "-.INF")},
    "<<": (MERGE, "<<"),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1
# yaml.v3 `allowedTimestampFormats` as Go's time.Parse reads them (1-2 digit fields, 4-digit year).
_D = r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
_T = r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{1,2}):(?P<s>[0-9]{1,2})(?P<f>[.,][0-9]+)?"
_TIMESTAMPS = (
    re.compile(_D + "[Tt]" + _T + r"(?P<z>Z|[+-][0-9]{2}:[0-9]{2})"),
    re.compile(_D + " " + _T),
    re.compile(_D),
)


class CliYamlError(ValueError):
    """Where the CLI would refuse the file; the message says what is wrong (without the file)."""


@dataclass(frozen=True)
class GoTime:
    """A time.Time as yaml.v3 decodes it: wall clock fields plus the UTC offset in seconds."""

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    nanosecond: int = 0
    offset: int = 0

    def go_string(self) -> str:
        """Go's `Time.String()`: "2006-01-02 15:04:05.999999999 -0700 MST"."""
        fraction = f".{self.nanosecond:09d}".rstrip("0") if self.nanosecond else ""
        sign = "-" if self.offset < 0 else "+"
        hours, minutes = divmod(abs(self.offset) // 60, 60)
        zone = f"{sign}{hours:02d}{minutes:02d}"
        name = (
            "UTC" if self.offset == 0 else zone
        )  # Go's fixed zone without a name prints the offset
        return (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d} {self.hour:02d}:{self.minute:02d}:"
            f"{self.second:02d}{fraction} {zone} {name}"
        )


@dataclass(frozen=True)
class ConfigValue:
    """One config value as the program receives it; `secure` values hold ciphertext, not text."""

    text: str
    secure: bool = False
    object: bool = False


# --- yaml.v3's scalar resolution ------------------------------------------------------------------


def _go_parse_int(text: str, *, signed: bool, base: int = 0) -> int | None:
    """Go's strconv.ParseInt(text, base, 64) (signed) or ParseUint; None on a syntax or range error.

    Base 0 reads the prefix: 0x hex, 0o or a leading 0 octal, 0b binary (either case).
    """
    sign, body = 1, text
    if signed and body[:1] in ("+", "-"):
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    digits = body
    if base == 0:
        base, prefix = 10, body[:2].lower()
        if prefix in ("0x", "0o", "0b"):
            base, digits = {"0x": 16, "0o": 8, "0b": 2}[prefix], body[2:]
        elif len(body) > 1 and body[0] == "0":
            base, digits = 8, body[1:]
    alphabet = "0123456789abcdef"[:base]
    if not digits or any(c not in alphabet for c in digits.lower()):
        return None
    number = sign * int(digits, base)
    low, high = _INT64 if signed else (0, _UINT64_MAX)
    return number if low <= number <= high else None


def _go_parse_float(text: str) -> float | None:
    """Go's strconv.ParseFloat(text, 64) for decimal syntax; None on a syntax or range error."""
    if not _GO_DECIMAL_FLOAT.fullmatch(text):
        return None
    number = float(text)
    return None if math.isinf(number) else number  # Go: ErrRange beyond the largest float64


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _parse_timestamp(text: str) -> GoTime | None:
    """yaml.v3 `parseTimestamp`: the four layouts Go's time.Parse accepts, with its range checks."""
    for pattern in _TIMESTAMPS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        fields = match.groupdict()
        year, month, day = int(fields["y"]), int(fields["mo"]), int(fields["d"])
        hour, minute, second = (int(fields.get(k) or 0) for k in ("h", "mi", "s"))
        if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
            continue
        if hour >= 24 or minute >= 60 or second >= 60:
            continue
        fraction = (fields.get("f") or "")[1:10]  # Go keeps nanoseconds: at most 9 digits
        nanosecond = int(fraction.ljust(9, "0")) if fraction else 0
        zone, offset = fields.get("z") or "Z", 0
        if zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        return GoTime(year, month, day, hour, minute, second, nanosecond, offset)
    return None


def _resolve_untyped(tag: str, text: str) -> tuple[str, Any]:
    hint = _hint(text)
    if hint is None or tag in (STR, BINARY):
        return STR, text
    if text in _MAP_VALUES:
        return _MAP_VALUES[text]
    if hint == ".":
        number = _go_parse_float(text)
        return (STR, text) if number is None else (FLOAT, number)
    if hint in ("D", "S"):
        if tag in ("", TIMESTAMP):
            moment = _parse_timestamp(text)
            if moment is not None:
                return TIMESTAMP, moment
        return _resolve_number(text)
    return STR, text


def _resolve_number(text: str) -> tuple[str, Any]:
    plain = text.replace("_", "")
    candidates = [
        (INT, _go_parse_int(plain, signed=True)),
        (INT, _go_parse_int(plain, signed=False)),
        (FLOAT, _go_parse_float(plain) if _YAML_STYLE_FLOAT.fullmatch(plain) else None),
    ]
    # yaml.v3's own 0b/0o fallbacks (ParseInt of the digits after the prefix, sign allowed).
    for prefix, base in (("0b", 2), ("0o", 8)):
        if plain.startswith(prefix):
            candidates.append((INT, _go_parse_int(plain[2:], signed=True, base=base)))
            candidates.append((INT, _go_parse_int(plain[2:], signed=False, base=base)))
        elif plain.startswith("-" + prefix):
            candidates.append((INT, _go_parse_int("-" + plain[3:], signed=True, base=base)))
    return next(((tag, value) for tag, value in candidates if value is not None), (STR, text))


def _hint(text: str) -> str | None:
    if not text:
        return "N"
    first = text[0]
    if first in "+-":
        return "S"
    if first.isascii() and first.isdigit():
        return "D"
    if first in "yYnNtTfFoO~":
        return "M"
    if first == ".":
        return "."
    return None


def _resolve(tag: str, text: str) -> tuple[str, Any]:
    """yaml.v3 `resolve`: (resolved tag, value) of a scalar; explicit tags must agree."""
    if tag not in _RESOLVABLE:
        return tag, text
    rtag, value = _resolve_untyped(tag, text)
    if tag in ("", rtag, STR, BINARY):
        return rtag, value
    if tag == FLOAT and rtag == INT:
        return FLOAT, float(value)
    raise CliYamlError(f"cannot decode {rtag} `{text}` as a {tag}")


# --- the document ---------------------------------------------------------------------------------


class _Composer(yaml.SafeLoader):
    """PyYAML's parser, but every scalar keeps its text: yaml.v3's resolution is applied later."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level table

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_LONG_PREFIX) :] if tag.startswith(_LONG_PREFIX) else tag


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


# yaml.v3 refuses a document whose aliases expand it beyond reason ("excessive aliasing"); a
# decoded-node budget does the same here (a stack file has tens of values).
MAX_DECODED_NODES = 100_000


def _decode(node: yaml.Node, budget: list[int] | None = None) -> Any:
    """A node as yaml.v3 decodes it into a Go `any` (str, bool, int, float, GoTime, None, ...)."""
    budget = [MAX_DECODED_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise CliYamlError("document contains excessive aliasing")
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if node.tag == _QUOTED:
            return value
        tag = "" if node.tag == _PLAIN else _short_tag(str(node.tag))
        rtag, resolved = _resolve(tag, value)
        if BINARY in (rtag, tag):
            try:
                return base64.b64decode(value, validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise CliYamlError("!!binary value contains invalid base64 data") from None
        return resolved
    if isinstance(node, yaml.SequenceNode):
        return [_decode(item, budget) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return _decode_mapping(node, budget)
    raise CliYamlError(f"line {_line(node)}: unexpected YAML node")


def _decode_mapping(node: yaml.MappingNode, budget: list[int]) -> dict[str, Any]:
    seen: dict[tuple[str, str], int] = {}
    explicit: dict[str, Any] = {}
    merged: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            # yaml.v3 compares the keys' literal text (`mapping key "x" already defined`).
            ident = ("scalar", str(key_node.value))
            if ident in seen:
                raise CliYamlError(
                    f"line {_line(key_node)}: mapping key {key_node.value!r} already defined at "
                    f"line {seen[ident]}"
                )
            seen[ident] = _line(key_node)
        key = _decode(key_node, budget)
        if key == "<<" and key_node.tag == _PLAIN:
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in reversed(sources):  # the first mapping listed wins, as in yaml.v3
                decoded = _decode(source, budget)
                if not isinstance(decoded, dict):
                    raise CliYamlError(
                        f"line {_line(source)}: map merge requires map or sequence of maps as the value"
                    )
                merged.update(decoded)
            continue
        if not isinstance(key, str):
            # pulumi's SimplifyMarshalledValue: `expected only string keys`.
            raise CliYamlError(
                f"line {_line(key_node)}: key {key_node.value!r} is not a string (a YAML "
                f"{type(key).__name__}); quote it"
            )
        explicit[key] = _decode(value_node, budget)
    return {**merged, **explicit}


# yaml.v3 refuses nesting beyond 10,000 levels; PyYAML's composer recurses and Python's stack ends
# far sooner. A stack file nests a few levels: anything this deep is refused, with its place.
MAX_DEPTH = 100


def _yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's error on one line: where, then what (its own text quotes the source over lines)."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        what = ", ".join(str(part) for part in (error.context, error.problem) if part)
        return f"{_place(error.problem_mark)}{what}"
    return " ".join(str(error).split())


def _place(mark: Any) -> str:
    return "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "


def _check_depth(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Composer):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise CliYamlError(
                    f"{_place(event.start_mark)}nested more than {MAX_DEPTH} levels deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentEndEvent):
            return  # yaml.v3's Unmarshal reads the first document only


def decode_document(text: str) -> Any:
    """The document as the CLI's first decode sees it; CliYamlError where the CLI would fail."""
    try:
        _check_depth(text)
        # yaml.v3's Unmarshal reads the first document only.
        node = next(iter(yaml.compose_all(text, Loader=_Composer)), None)
    except yaml.YAMLError as error:
        raise CliYamlError(f"not valid YAML ({_yaml_problem(error)})") from None
    try:
        return None if node is None else _decode(node)
    except RecursionError:
        # An anchor inside its own value (`a: &x [*x]`), which yaml.v3 refuses too.
        raise CliYamlError("an alias refers to the value that contains it") from None


# --- config.Value -----------------------------------------------------------------------------------


def go_json(value: Any) -> str:
    """Go's `json.Marshal` of a decoded value: sorted keys, no spaces, HTML-safe escapes."""
    if isinstance(value, list):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_json(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, GoTime):
        value = value.go_string()
    if isinstance(value, float):
        return go_json_float(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for char, escape in _GO_HTML_ESCAPES:
            text = text.replace(char, escape)
        return text
    return json.dumps(value)  # null, true/false, whole numbers: the same text in Go


_GO_HTML_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def go_json_float(number: float) -> str:
    """encoding/json's float64: shortest digits; exponent form below 1e-6 and from 1e21."""
    if math.isinf(number) or math.isnan(number):
        raise CliYamlError(f"json: unsupported value: {_go_float_name(number)}")
    if number == 0:
        return "-0" if math.copysign(1, number) < 0 else "0"
    if 1e-6 <= abs(number) < 1e21:
        fixed = format(Decimal(repr(number)), "f")
        return fixed.rstrip("0").rstrip(".") if "." in fixed else fixed
    mantissa, exponent = repr(number).split("e")
    sign, digits = exponent[0], exponent[1:].lstrip("0")
    return f"{mantissa}e{sign}{digits.zfill(2) if sign == '+' else digits}"


def _go_float_name(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    return "+Inf" if number > 0 else "-Inf"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _contains_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _plain_object(value: Any) -> Any:
    """`unmarshalObject`: times become `Time.String()`, the rest stays as decoded."""
    if isinstance(value, GoTime):
        return value.go_string()
    if isinstance(value, dict):
        return {k: _plain_object(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_object(v) for v in value]
    return value


def config_value(value: Any) -> ConfigValue:
    """`config.Value` from a decoded value (`object.go` `unmarshalObject` + `MarshalString`)."""
    if value is None:
        return ConfigValue("")
    if _is_secure(value):
        return ConfigValue(str(value["secure"]), secure=True)
    if isinstance(value, dict | list):
        return ConfigValue(
            go_json(_plain_object(value)), secure=_contains_secure(value), object=True
        )
    if isinstance(value, GoTime):
        value = value.go_string()  # unmarshalObject: a time.Time becomes Time.String()
    if isinstance(value, str):
        return ConfigValue(value)
    return ConfigValue(go_json(value))  # bool, number, time: MarshalString's JSON text


def parse_config_key(key: str) -> str:
    """pulumi's `config.ParseKey`: `<namespace>:<name>` (or the old `<ns>:config:<name>`)."""
    parts = key.split(":")
    if len(parts) == 2:
        return key
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return f"{parts[0]}:{parts[2]}"
    raise CliYamlError(
        f"could not parse {key} as a configuration key (configuration keys should be of the form "
        "`<namespace>:<name>`)"
    )


@dataclass(frozen=True)
class StackDocument:
    """What the offline plan reads of a `Pulumi.<stack>.yaml`."""

    values: dict[str, ConfigValue]  # `<namespace>:<key>` -> value
    encryption_salt: Any = None  # the passphrase secrets provider's `encryptionsalt`, if any
    secrets_provider: Any = None  # `secretsprovider` (e.g. `awskms://...`), if the CLI wrote one


def read_stack_document(text: str, project: str) -> StackDocument:
    """A `Pulumi.<stack>.yaml` of `project`, as the CLI loads it."""
    document = decode_document(text.removeprefix("\ufeff"))  # readFileStripUTF8BOM
    if document is None:
        return StackDocument({})
    if not isinstance(document, dict):
        raise CliYamlError(
            f"expected the stack file to be a mapping (config: ...), was a YAML {_kind(document)}"
        )
    salt, provider = document.get("encryptionsalt"), document.get("secretsprovider")
    raw = document.get("config")
    if raw is None:
        return StackDocument({}, salt, provider)
    if not isinstance(raw, dict):
        raise CliYamlError(f"`config` must be a mapping of keys to values, was a YAML {_kind(raw)}")
    values: dict[str, ConfigValue] = {}
    for key, value in raw.items():
        # stackConfigNamespacedWithProject: a key without ':' belongs to the project.
        values[parse_config_key(key if ":" in key else f"{project}:{key}")] = config_value(value)
    return StackDocument(values, salt, provider)


def stack_config_values(text: str, project: str) -> dict[str, ConfigValue]:
    """`<namespace>:<key>` -> value for a `Pulumi.<stack>.yaml` of `project`, as the CLI loads it."""
    return read_stack_document(text, project).values


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "mapping"
    return "scalar"
