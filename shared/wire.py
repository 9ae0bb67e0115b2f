"""How the Pulumi engine marks values on the wire: one copy of its secret signature.

Mirrors pulumi/pulumi `sdk/go/common/resource/sig/sig.go` (`Key`, `Secret`): a secret travels
as `{SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": ...}` in state files, exports and the
Analyzer protocol. The pack, the offline planner and the tests read the constants from here.
"""

from __future__ import annotations

SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
