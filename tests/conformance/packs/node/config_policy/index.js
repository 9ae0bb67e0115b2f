// pulumi-policy tests/integration/config: one policy per config scenario of TestConfig.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

const SCHEMAS = {
    "required": [{ foo: { type: "string" } }, ["foo"]],
    "default-wrong-type": [{ foo: { type: "string", default: 1 } }, []],
    "default-too-long": [{ foo: { type: "string", maxLength: 3, default: "this is too long" } }, []],
    "default-too-short": [{ foo: { type: "string", minLength: 50, default: "this is too short" } }, []],
    "default-enum": [{ foo: { type: "string", enum: ["bar", "baz"], default: "blah" } }, []],
    "default-const": [{ foo: { const: "bar", default: "blah" } }, []],
    "string": [{ foo: { type: "string" } }, []],
    "enum": [{ foo: { type: "string", enum: ["bar", "baz"] } }, []],
    "const": [{ foo: { const: "bar" } }, []],
    "multiple": [{ foo: { type: "string", maxLength: 3 }, bar: { type: "integer" } }, []],
    "number": [{ foo: { type: "number" } }, []],
    "integer": [{ foo: { type: "integer" } }, []],
    "boolean": [{ foo: { type: "boolean" } }, []],
    "object": [{ foo: { type: "object" } }, []],
    "array": [{ foo: { type: "array" } }, []],
    "null": [{ foo: { type: "null" } }, []],
};

new PolicyPack("config-policy", {
    policies: Object.entries(SCHEMAS).map(([name, [properties, required]]) => ({
        name,
        description: `config scenario ${name}`,
        enforcementLevel: "advisory",
        configSchema: required.length ? { properties, required } : { properties },
        validateResource: () => {},
    })),
});
