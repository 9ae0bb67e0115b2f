"""The mutation score per package, from mutmut's own report: `python -m tooling.mutation`.

`nox -s mutation` runs `mutmut run`, then this. It reads `mutmut results --all true`, which prints
one `<module>.<mangled function>__mutmut_<n>: <status>` line per mutant (mutmut/__main__.py
`results`, statuses from mutmut/stats.py `status_by_exit_code`): the command is mutmut's interface,
the `mutants/*.meta` files behind it are its cache. Survivors listed in
`tooling/mutation_equivalents.toml` (mutants that cannot change behaviour, each with its reason)
are counted apart and left out of the score; every other survivor is a missing test.

With mutant names (`nox -s mutation -- <names>`, as `mutmut run` takes them) only those mutants
are reported: a selection has no package score to hold to a target, and a listed equivalent outside
it, or not run yet, is not stale.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.toml")
# The targets the session holds the packages to (killed share of the mutants that can be killed).
TARGETS: Mapping[str, float] = {"policies": 90.0, "shared": 85.0}

_LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>.+?)\s*$")
# mutmut's statuses (stats.py), grouped the way the report shows them. A timeout means the mutant
# changed behaviour enough to hang a test: detected, as mutmut's own score counts it.
_DETECTED = {"killed", "caught by type check", "segfault"}
_UNDETECTED = {"survived", "no tests", "suspicious"}
_NOT_CHECKED = {"not checked", "check was interrupted by user"}


class ReportError(Exception):
    """mutmut has no results to read, or its output is not what this reporter understands."""


@dataclass
class PackageScore:
    package: str
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)

    @property
    def killed(self) -> int:
        return sum(self.counts[status] for status in _DETECTED)

    @property
    def timeout(self) -> int:
        return self.counts["timeout"]

    @property
    def survived(self) -> int:
        return len(self.survivors)

    @property
    def not_checked(self) -> int:
        return sum(self.counts[status] for status in _NOT_CHECKED)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def score(self) -> float:
        """Killed (or timed out) share of the mutants that were checked and can change behaviour."""
        scored = self.killed + self.timeout + self.survived
        return 100.0 if scored == 0 else 100.0 * (self.killed + self.timeout) / scored


def parse_results(lines: Iterable[str]) -> dict[str, str]:
    """Mutant name -> status, from `mutmut results --all true`."""
    found: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ReportError(f"unexpected line in `mutmut results`: {line.strip()!r}")
        found[match["name"]] = match["status"]
    return found


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> why it cannot change behaviour; a missing or empty reason is refused."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    equivalents = data.get("equivalent", {})
    for name, reason in equivalents.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ReportError(
                f"{path.name}: {name} needs its reason (why it cannot change behaviour)"
            )
    return dict(equivalents)


def score(results: Mapping[str, str], equivalents: Mapping[str, str]) -> dict[str, PackageScore]:
    packages: dict[str, PackageScore] = {}
    for name, status in sorted(results.items()):
        package = packages.setdefault(name.split(".")[0], PackageScore(name.split(".")[0]))
        package.counts[status] += 1
        if status in _UNDETECTED:
            (package.equivalent if name in equivalents else package.survivors).append(name)
    return packages


def selected(results: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """The results of the mutants `names` select, matched as `mutmut run <names>` matches them:
    an exact name or an fnmatch pattern (mutmut/__main__.py `collect_source_file_mutation_data`)."""
    if not names:
        return dict(results)
    chosen = {
        key: status
        for key, status in results.items()
        if key in names or any(fnmatch.fnmatch(key, name) for name in names)
    }
    if not chosen:
        raise ReportError(f"no recorded mutant matches {' '.join(names)}")
    return chosen


def stale_equivalents(
    results: Mapping[str, str], equivalents: Mapping[str, str], *, whole_run: bool = True
) -> list[str]:
    """Listed equivalents that no longer survive: checked and killed now, or (in a whole run)
    no longer among the mutants, renumbered by a code change. One not checked yet is not stale."""
    stale = []
    for name in equivalents:
        status = results.get(name)
        if status is None:
            if whole_run:
                stale.append(name)
        elif status not in _UNDETECTED and status not in _NOT_CHECKED:
            stale.append(name)
    return sorted(stale)


def render(
    packages: Mapping[str, PackageScore], stale: Sequence[str], *, targets: bool = True
) -> list[str]:
    lines = [
        f"{'package':<10} {'killed':>7} {'survived':>9} {'timeout':>8} {'equivalent':>11} "
        f"{'total':>6} {'score':>7}  target",
    ]
    for package in packages.values():
        target = TARGETS.get(package.package) if targets else None
        verdict = (
            ""
            if target is None
            else f">= {target:.0f}% " + ("ok" if package.score >= target else "BELOW")
        )
        lines.append(
            f"{package.package:<10} {package.killed:>7} {package.survived:>9} {package.timeout:>8} "
            f"{len(package.equivalent):>11} {package.total:>6} {package.score:>6.1f}%  {verdict}"
        )
        if package.not_checked:
            lines.append(f"  {package.not_checked} not checked yet: run `mutmut run` to finish")
    survivors = [name for package in packages.values() for name in package.survivors]
    if survivors:
        lines += ["", "Survivors (each is a missing test; `mutmut show <name>` prints the change):"]
        lines += [f"  {name}" for name in survivors]
    if stale:
        lines += ["", f"Stale entries in {EQUIVALENTS.name} (no longer surviving; remove them):"]
        lines += [f"  {name}" for name in stale]
    return lines


def mutmut_results(mutmut: str) -> list[str]:
    done = subprocess.run(
        [mutmut, "results", "--all", "true"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ReportError(f"`mutmut results` failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.splitlines()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.mutation", description=__doc__)
    # The one installed next to this interpreter (the session's venv), whatever PATH says.
    beside = Path(sys.executable).with_name("mutmut")
    parser.add_argument(
        "--mutmut",
        default=str(beside) if beside.exists() else "mutmut",
        help="the mutmut command (default: the one beside this Python, else mutmut on PATH)",
    )
    parser.add_argument(
        "names", nargs="*", help="report only these mutants (names or patterns, as `mutmut run`)"
    )
    args = parser.parse_args(argv)
    try:
        results = parse_results(mutmut_results(args.mutmut))
        if not results:
            raise ReportError("no mutants recorded: run `mutmut run` first (nox -s mutation)")
        results = selected(results, args.names)
        equivalents = load_equivalents()
    except (ReportError, OSError, tomllib.TOMLDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    packages = score(results, equivalents)
    stale = stale_equivalents(results, equivalents, whole_run=not args.names)
    print("\n".join(render(packages, stale, targets=not args.names)))
    if args.names:
        # A selection: it passes when every selected mutant ran and none survived unexplained.
        failed = any(p.survivors or p.not_checked for p in packages.values())
        return 1 if failed or stale else 0
    below = [
        p.package
        for p in packages.values()
        if p.score < TARGETS.get(p.package, 0.0) or p.not_checked
    ]
    return 1 if below or stale else 0


if __name__ == "__main__":
    sys.exit(main())
