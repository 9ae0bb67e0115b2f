"""Hostile policy packs, in Python and Node.js, written into a folder for one test.

One pack per runtime does everything, so a test can keep one process for many cases:
- at start-up, by `HOSTILE_START` in its environment: `print` (to stdout before the port), `flood`
  (megabytes to stderr first), `hang`, `crash` (its config, secrets included, to stderr, exit 1),
  `spawn` (a child process of its own; both pids go to the file `HOSTILE_PIDS`), and in Python
  `spawn-hang` (the same, then it hangs);
- per resource, by its `behaviour` input: `echo` (the `secret` input back in a violation message,
  on stdout and on stderr, raw and serialised), `flood` (megabytes on stdout and stderr, then a
  violation), `escape` (a violation message full of terminal control sequences), `raise` (an
  exception quoting the resource's properties), `hang`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tooling.offline import Resource
from tooling.redaction import wrap

from .conftest import FIXTURES

NODE_MODULES = FIXTURES / "node_policy_pack" / "node_modules"
TYPE = "test:index:Thing"
FLOOD_BYTES = 3 * 1024 * 1024  # far beyond a pipe's 64 KiB
# A terminal would clear the screen, recolour, overwrite the line, ring, and start a C1 sequence.
ESCAPES = "\x1b[2J\x1b[31mred\rover\x07\x9b31m\u202eevil"

PYTHON_PACK = f"""
import base64, json, os, subprocess, sys, time
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

ESCAPES = {ESCAPES!r}

start = os.environ.get("HOSTILE_START", "")
if start == "print":
    print("loading the hostile pack")
elif start == "flood":
    sys.stderr.write("x" * {FLOOD_BYTES})
    sys.stderr.flush()
elif start == "hang":
    time.sleep(3600)
elif start == "crash":
    sys.stderr.write("cannot start with config " + os.environ["PULUMI_CONFIG"] + "\\n")
    sys.exit(1)
elif start in ("spawn", "spawn-hang"):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    with open(os.environ["HOSTILE_PIDS"], "w") as pids:
        pids.write(f"{{os.getpid()}} {{child.pid}}")
    if start == "spawn-hang":
        time.sleep(3600)


def check(args, report):
    props = args.props
    behaviour = props.get("behaviour")
    secret = props.get("secret", "")
    if behaviour == "echo":
        shown = dict(props)
        forms = [
            secret,
            json.dumps(shown),
            repr(shown),
            base64.b64encode(secret.encode()).decode(),
            json.dumps(json.dumps(shown)),
        ]
        print("debug:", *forms, flush=True)
        print("debug:", *forms, file=sys.stderr, flush=True)
        report("found " + " | ".join(forms))
    elif behaviour == "flood":
        sys.stdout.write("o" * {FLOOD_BYTES})
        sys.stdout.flush()
        sys.stderr.write("e" * {FLOOD_BYTES})
        sys.stderr.flush()
        report("flooded")
    elif behaviour == "escape":
        report(ESCAPES)
    elif behaviour == "raise":
        int(secret)
    elif behaviour == "hang":
        time.sleep(3600)


PolicyPack(
    name="hostile",
    policies=[
        ResourceValidationPolicy(
            name="hostile-policy",
            description="Says and does what it should not.",
            validate=check,
            enforcement_level=EnforcementLevel.MANDATORY,
        )
    ],
)
"""

NODE_PACK = f"""
"use strict";
const {{ spawn }} = require("child_process");
const fs = require("fs");
const util = require("util");
const {{ PolicyPack }} = require("@pulumi/policy");

const start = process.env.HOSTILE_START || "";
if (start === "print") {{
    console.log("loading the hostile pack");
}} else if (start === "flood") {{
    process.stderr.write("x".repeat({FLOOD_BYTES}));
}} else if (start === "hang") {{
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3600000);
}} else if (start === "crash") {{
    throw new Error("cannot start with config " + process.env.PULUMI_CONFIG);
}} else if (start === "spawn") {{
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {{}}, 3600000)"], {{ stdio: "ignore" }});
    fs.writeFileSync(process.env.HOSTILE_PIDS, `${{process.pid}} ${{child.pid}}`);
}}

new PolicyPack("hostile", {{
    policies: [{{
        name: "hostile-policy",
        description: "Says and does what it should not.",
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {{
            const props = args.props;
            const secret = String(props.secret || "");
            if (props.behaviour === "echo") {{
                const forms = [
                    secret,
                    JSON.stringify(props),
                    util.inspect(props),
                    Buffer.from(secret).toString("base64"),
                    JSON.stringify(JSON.stringify(props)),
                ];
                console.log("debug:", ...forms);
                console.error("debug:", ...forms);
                reportViolation("found " + forms.join(" | "));
            }} else if (props.behaviour === "flood") {{
                process.stdout.write("o".repeat({FLOOD_BYTES}));
                process.stderr.write("e".repeat({FLOOD_BYTES}));
                reportViolation("flooded");
            }} else if (props.behaviour === "raise") {{
                throw new Error("cannot check " + JSON.stringify(props));
            }} else if (props.behaviour === "hang") {{
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3600000);
            }}
        }},
    }}],
}});
"""

RUNTIMES = ("python", "nodejs")


def node_ready() -> bool:
    return shutil.which("node") is not None and (NODE_MODULES / "@pulumi" / "policy").is_dir()


def write_pack(folder: Path, runtime: str) -> Path:
    """The hostile pack of this runtime in `folder` (Node's uses the fixture pack's node_modules)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "PulumiPolicy.yaml").write_text(f"runtime: {runtime}\nversion: 0.0.1\n")
    if runtime == "python":
        (folder / "__main__.py").write_text(PYTHON_PACK)
    else:
        (folder / "index.js").write_text(NODE_PACK)
        (folder / "package.json").write_text(
            '{"name": "hostile", "version": "0.0.1", "main": "index.js"}\n'
        )
        os.symlink(NODE_MODULES, folder / "node_modules")
    return folder


def thing(behaviour: str, secret: str = "", name: str = "thing") -> Resource:
    """A resource that asks the hostile pack for `behaviour`, with `secret` as a secret input."""
    inputs = {"behaviour": behaviour, "secret": wrap(secret)}
    return Resource(TYPE, name, f"urn:pulumi:dev::app::{TYPE}::{name}", inputs, inputs)


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"
