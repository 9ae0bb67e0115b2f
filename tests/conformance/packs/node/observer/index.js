// A second pack: it must see what the first pack remediated (step_generator.go: all packs
// remediate first, then all analyze the remediated state).
"use strict";
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("observer", {
    policies: [{
        name: "sees-remediation",
        description: "Analyze sees every pack's remediation.",
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            if (args.type === "simple:index:Resource" && args.name === "res" && args.props.value === true) {
                report("saw the value before the other pack's remediation");
            }
        },
    }],
});
