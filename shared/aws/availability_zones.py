"""Each region's availability zones: AWS's data, vendored.

The data is cfn-lint's per-region zone list (`cfnlint/helpers.py` `AVAILABILITY_ZONES`, which
cfn-lint keeps from EC2 DescribeAvailabilityZones), stored in
`shared/aws/data/availability_zones.json` so neither the stacks' config nor the offline engine's
mock need cfn-lint at run time. `python -m shared.aws.availability_zones` regenerates the file from
the installed cfn-lint (read as source, without importing cfn-lint); a test proves the vendored
file equals what that cfn-lint says. Zone names are per account (us-west-1 lists two of its three
zones to any one account), so these are the names an account can use, not the zone ids.
"""

from __future__ import annotations

import ast
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "availability_zones.json"
CFN_LINT_FILE = "helpers.py"
CFN_LINT_NAME = "AVAILABILITY_ZONES"
REGENERATE = "python -m shared.aws.availability_zones"


@cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA_FILE.read_text())
    return document


def vendored() -> dict[str, list[str]]:
    zones: dict[str, list[str]] = _document()["regions"]
    return zones


def source() -> str:
    """Where the data comes from, for messages."""
    return str(_document()["source"])


def zones_in(region: str) -> tuple[str, ...] | None:
    """The region's zone names, or None for a region the data does not list."""
    found = vendored().get(region)
    return None if found is None else tuple(found)


def regions() -> tuple[str, ...]:
    return tuple(sorted(vendored()))


_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_id_prefix(region: str) -> str:
    """`us-east-1` -> `use1`, `ap-southeast-2` -> `apse2`: how AWS shortens regions in AZ ids."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


# Zone names map to zone ids differently in every account; this order makes name order and id
# order differ, as they do in real accounts.
_ZONE_ID_ORDER = (4, 6, 1, 2, 3, 5)
# A Local Zone that really exists (Boston, us-east-1's): an account opted into it lists it too.
_LOCAL_ZONES = {"us-east-1": "us-east-1-bos-1a"}


def account_zones(region: str) -> list[dict[str, str]]:
    """What EC2 DescribeAvailabilityZones lists for one (the offline mocks') account: the region's
    zones as AWS's data lists them (never invented), plus the Local Zone an account may opt into (its name sorts before the standard ones, as `us-east-1-bos-1a` does before
    `us-east-1a`)."""
    names = zones_in(region)
    if names is None:
        raise ValueError(
            f"getAvailabilityZones: {region!r} is not a region AWS's data lists ({source()})"
        )
    prefix = zone_id_prefix(region)
    numbers = [n for n in _ZONE_ID_ORDER if n <= len(names)]
    numbers += range(len(_ZONE_ID_ORDER) + 1, len(names) + 1)
    zones = [
        {
            "name": name,
            "zoneId": f"{prefix}-az{number}",
            "groupName": region,
            "optInStatus": "opt-in-not-required",
            "zoneType": "availability-zone",
        }
        for name, number in zip(names, numbers, strict=True)
    ]
    local = _LOCAL_ZONES.get(region)
    if local is not None:
        zones.append(
            {
                "name": local,
                "zoneId": f"{prefix}-{local.split('-')[-2]}1-az1",
                "groupName": local[:-1],
                "optInStatus": "opted-in",
                "zoneType": "local-zone",
            }
        )
    return sorted(zones, key=lambda zone: zone["name"])


def extract(helpers_source: str) -> dict[str, list[str]]:
    """`AVAILABILITY_ZONES` from the text of cfn-lint's `helpers.py`: a literal dict there."""
    for node in ast.parse(helpers_source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == CFN_LINT_NAME for t in node.targets
        ):
            data = ast.literal_eval(node.value)
            return {region: sorted(zones) for region, zones in sorted(data.items())}
    raise ValueError(f"cfn-lint's {CFN_LINT_FILE} has no {CFN_LINT_NAME} literal any more")


def cfn_lint_source() -> Path:
    """The installed cfn-lint's helpers, found without importing cfn-lint (seconds of imports)."""
    import importlib.util

    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.origin is None:
        raise SystemExit("cfn-lint is not installed: run `nox -s dev` (it is a test dependency)")
    return Path(spec.origin).resolve().parent / CFN_LINT_FILE


def main() -> int:
    """Rewrite the vendored file from the installed cfn-lint."""
    from importlib.metadata import version

    document = {
        "source": f"cfn-lint {version('cfn-lint')}: cfnlint/{CFN_LINT_FILE} {CFN_LINT_NAME}",
        "regenerate": REGENERATE,
        "regions": extract(cfn_lint_source().read_text()),
    }
    DATA_FILE.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {DATA_FILE} from {document['source']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
