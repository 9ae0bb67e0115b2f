"""Which RDS engine versions new DB clusters may use: cfn-lint's AWS-generated data, vendored.

cfn-lint generates `engine_version.json` (every version) and `engine_version_deprecated.json`
(versions that "cannot be used to create new RDS DB clusters") from the RDS API. Both are cut down
to {engine: {versions, deprecated}} in `shared/aws/data/engine_versions.json`;
`python -m shared.aws.engine_versions` regenerates it from the installed cfn-lint, and a test
proves the vendored file equals what that cfn-lint says.

One inference on top of the data: AWS retires an engine's minor versions oldest first, so a numeric
version older than a deprecated minor of the same major is deprecated too. cfn-lint's list lags for
a few old minors (aurora-postgresql 11.9 is in neither list's deprecated half, while 11.12-11.20
are); the inference closes that gap without a hand list.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "engine_versions.json"
CFN_LINT_DIR = "data/schemas/extensions/aws_rds_dbcluster"
SOURCES = {"versions": "engine_version.json", "deprecated": "engine_version_deprecated.json"}
REGENERATE = "python -m shared.aws.engine_versions"
_NUMERIC = re.compile(r"^\d+(\.\d+)*$")


def _branches(document: Mapping[str, Any], where: str) -> dict[str, list[str]]:
    """engine -> versions, from cfn-lint's `allOf` of if/then branches (in `if` or in `then`)."""
    out: dict[str, list[str]] = {}
    for branch in document.get("allOf", []):
        engine = branch.get("if", {}).get("properties", {}).get("Engine", {}).get("const")
        holder = branch.get(where) or {}
        versions = holder.get("properties", {}).get("EngineVersion", {}).get("enum")
        if isinstance(engine, str) and isinstance(versions, list):
            out[engine] = sorted(str(v) for v in versions)
    return out


def extract(versions: Mapping[str, Any], deprecated: Mapping[str, Any]) -> dict[str, Any]:
    valid, old = _branches(versions, "then"), _branches(deprecated, "if")
    return {
        engine: {"versions": valid.get(engine, []), "deprecated": old.get(engine, [])}
        for engine in sorted({*valid, *old})
    }


@cache
def _data() -> dict[str, dict[str, frozenset[str]]]:
    document = json.loads(DATA_FILE.read_text())
    return {
        engine: {kind: frozenset(values) for kind, values in entry.items()}
        for engine, entry in document["engines"].items()
    }


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def deprecation(engine: str, version: str) -> str | None:
    """Why `version` of `engine` cannot create a new cluster, or None when it can (or is unknown)."""
    entry = _data().get(engine)
    if entry is None:
        return None
    deprecated = entry["deprecated"]
    if version in deprecated:
        return f"{engine} {version} is deprecated for new clusters (AWS data via cfn-lint)"
    if not _NUMERIC.match(version):
        return None
    major = version.split(".", maxsplit=1)[0]
    newer = sorted(
        (d for d in deprecated if _NUMERIC.match(d) and "." in d and d.split(".")[0] == major),
        key=_key,
    )
    if newer and "." in version and _key(version) < _key(newer[-1]):
        return (
            f"{engine} {version} is older than the deprecated {newer[-1]} (AWS retires minors "
            "oldest first; AWS data via cfn-lint)"
        )
    return None


def is_deprecated(engine: str, version: str) -> bool:
    return deprecation(engine, version) is not None


def is_known(engine: str, version: str) -> bool:
    entry = _data().get(engine)
    return entry is not None and version in entry["versions"]


def current_default(engine: str, major: str | None = None) -> str | None:
    """The newest version of `major` (the newest major when None) that new clusters may use."""
    entry = _data().get(engine)
    if entry is None:
        return None
    usable = [
        v
        for v in entry["versions"]
        if _NUMERIC.match(v) and "." in v and not is_deprecated(engine, v)
    ]
    if major is not None:
        usable = [v for v in usable if v.split(".")[0] == major]
    return max(usable, key=_key, default=None)


def cfn_lint_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.origin is None:
        raise SystemExit("cfn-lint is not installed: run `nox -s dev`")
    return Path(spec.origin).resolve().parent / CFN_LINT_DIR


def fresh() -> dict[str, Any]:
    """The file's content as the installed cfn-lint would write it."""
    from importlib.metadata import version

    folder = cfn_lint_dir()
    loaded = {kind: json.loads((folder / name).read_text()) for kind, name in SOURCES.items()}
    return {
        "source": f"cfn-lint {version('cfn-lint')}: cfnlint/{CFN_LINT_DIR}/"
        + " and ".join(SOURCES.values()),
        "regenerate": REGENERATE,
        "engines": extract(loaded["versions"], loaded["deprecated"]),
    }


def main() -> int:
    DATA_FILE.write_text(json.dumps(fresh(), indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {DATA_FILE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
