// pulumi policy-config-schema: a required bool `value` and a string list `names` of at least one.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("config-schema", {
    policies: [{
        name: "validator",
        description: "Verifies property matches config",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                value: { type: "boolean" },
                names: { type: "array", items: { type: "string" }, minItems: 1 },
            },
            required: ["value", "names"],
        },
        validateResource: () => {},
    }],
});
