"""`python -m policies.cfn.inputs`: regenerate `shared/aws/data/cfn_inputs.json` from the SDK.

The translation (`shared.aws.cloudformation`) reads each translated type's input properties from
that file: the pulumi-aws SDK's Args classes, read by `policies.sdk`, which shared cannot import.
Run it after adding a translated type to `shared/aws/types` or upgrading pulumi-aws; a test fails
while the file is stale.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

from policies import sdk
from shared.aws.cloudformation import INPUTS_FILE, translations

REGENERATE = "python -m policies.cfn.inputs"


def generate() -> dict[str, Any]:
    return {
        "source": f"pulumi-aws {version('pulumi-aws')} input (Args) classes",
        "regenerate": REGENERATE,
        "inputs": {token: sdk.input_names(token) for token in sorted(translations())},
    }


def main() -> int:
    INPUTS_FILE.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {INPUTS_FILE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
