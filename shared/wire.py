"""How the Pulumi engine marks values on the wire: one copy of its secret signature.

Mirrors pulumi/pulumi `sdk/go/common/resource/sig/sig.go` (`Key`, `Secret`): a secret travels
as `{SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": ...}` in state files, exports and the
Analyzer protocol. The pack, the offline planner and the tests read the constants from here.
"""

from __future__ import annotations

SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"

# The engine's placeholders for a value known only after deployment, one per kind of value
# (pulumi_policy `proxy.py` UNKNOWN_*_VALUE, as the engine sends them to a pack; the offline engine
# sends the string one, `pulumi.runtime.rpc.UNKNOWN`). A test keeps this equal to the proxy.
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
