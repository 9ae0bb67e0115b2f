"""What AWS accepts for one kind of physical name: the rule type, alone so that the resource type
table (`shared.aws.types`) can define a new kind inline and `shared.naming` can read that table
without an import cycle.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts for one kind of name, and how the Namer should build one.

    `problems()` checks what AWS (or the pulumi-aws provider, where it is stricter) accepts, so the
    policy pack can reuse it on names people wrote by hand. The Namer is deliberately narrower: it
    only ever emits ASCII letters, digits, the rule's delimiter and `-`.
    """

    kind: str
    max_length: int
    allowed: str  # a regex character class body, matched with re.ASCII
    min_length: int = 1
    lowercase: bool = False  # uppercase is rejected (by AWS or by the provider's validation)
    fold_case: bool = False  # AWS compares names ignoring case: the Namer emits lowercase only
    first_letter: bool = False
    alnum_ends: bool = False
    no_double_hyphen: bool = False
    delimiter: str = "-"
    prefix: str = ""  # put in front by the Namer (e.g. "alias/")
    prefix_required: bool = True  # False: a house style (log groups' "/"), not an AWS rule
    optional_suffix: str = ""  # allowed at the end although its characters are not (".fifo")
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    forbidden_substrings: tuple[str, ...] = ()
    forbidden_names: tuple[str, ...] = ()
    no_ip_address: bool = False
    no_secret_suffix: bool = False
    global_scope: bool = False  # unique across all AWS accounts: the Namer adds account and region
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _char: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _unwanted: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(f"[{self.allowed}]*", re.ASCII))
        object.__setattr__(self, "_char", re.compile(f"[{self.allowed}]", re.ASCII))
        # The Namer only ever emits ASCII letters, digits, the delimiter and '-': other punctuation
        # a rule allows (dots in bucket names, spaces in subnet groups) would only invite edge cases.
        keep = "".join(re.escape(c) for c in {self.delimiter, "-"} if self._char.match(c))
        object.__setattr__(self, "_unwanted", re.compile(f"[^A-Za-z0-9{keep}]"))

    def problems(self, name: str, *, reveal: bool = True) -> list[str]:
        """Human-readable reasons why AWS would reject `name`; an empty list means compliant.

        `reveal=False` states the rule broken without anything derived from the name (its length,
        its offending characters), for a name that may be a secret.
        """
        found: list[str] = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(
                f"{self.kind} names must be {self.min_length}-{self.max_length} characters "
                "long" + (f" (got {len(name)})" if reveal else "")
            )
        body = name
        if self.prefix and self.prefix_required:
            if name.startswith(self.prefix):
                body = name[len(self.prefix) :]
            else:
                found.append(f"{self.kind} names must start with {self.prefix!r}")
        if self.prefix and self.prefix_required and not body:
            found.append(f"{self.kind} names need something after {self.prefix!r}")
        chars = body
        if self.optional_suffix and chars.endswith(self.optional_suffix):
            chars = chars[: -len(self.optional_suffix)]
        if not self._pattern.fullmatch(chars):
            found.append(self._characters_problem(chars, reveal))
        if self.lowercase and body != body.lower():
            found.append(f"{self.kind} names must be lowercase")
        if self.first_letter and not (body[:1].isascii() and body[:1].isalpha()):
            found.append(f"{self.kind} names must start with a letter")
        if self.alnum_ends and body and not (_is_alnum(body[0]) and _is_alnum(body[-1])):
            found.append(f"{self.kind} names must start and end with a letter or digit")
        if self.no_double_hyphen and "--" in body:
            found.append(f"{self.kind} names may not contain '--'")
        if self.no_double_hyphen and body.endswith("-"):
            found.append(f"{self.kind} names may not end with '-'")
        return found + self._reserved(name, reveal)

    def _characters_problem(self, chars: str, reveal: bool) -> str:
        if not reveal:
            return f"{self.kind} names may contain only characters matching [{self.allowed}]"
        bad = sorted({c for c in chars if not self._char.fullmatch(c)})
        return f"{self.kind} names may not contain {''.join(bad)!r}"

    def _reserved(self, name: str, reveal: bool) -> list[str]:
        """Prefixes, suffixes and shapes AWS keeps for itself."""
        found = [
            f"{self.kind} names may not contain {s!r}"
            for s in self.forbidden_substrings
            if s in name
        ]
        lowered = name.lower()
        found.extend(
            f"{self.kind} names may not start with {p!r}"
            for p in self.forbidden_prefixes
            if lowered.startswith(p)
        )
        found.extend(
            f"{self.kind} names may not end with {s!r}"
            for s in self.forbidden_suffixes
            if lowered.endswith(s)
        )
        if lowered in self.forbidden_names:
            found.append(
                f"{name!r} is reserved for {self.kind} names"
                if reveal
                else f"{self.kind} names may not be {' or '.join(map(repr, self.forbidden_names))}"
            )
        if self.no_ip_address and _is_ip_address(name):
            found.append(f"{self.kind} names may not be formatted as an IP address")
        if self.no_secret_suffix and re.search(r"-[A-Za-z0-9]{6}\Z", name):
            found.append(
                f"{self.kind} names should not end in '-' plus 6 characters (Secrets Manager's "
                "own suffix, which confuses partial-ARN lookups)"
            )
        return found


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True
