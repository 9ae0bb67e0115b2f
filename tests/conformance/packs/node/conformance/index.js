// The conformance pack in Node.js: the same policies as ../../python/conformance, so both runtimes
// are held to the same upstream facts. CONFORMANCE_PACK_LEVEL sets the pack's own level.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const SIMPLE = "simple:index:Resource";

const resource = (name, description, enforcementLevel, validateResource, extra = {}) =>
    Object.assign({ name, description, enforcementLevel, validateResource }, extra);
const stack = (name, description, enforcementLevel, validateStack) =>
    ({ name, description, enforcementLevel, validateStack });

const stateIs = (value) => (args, report) => {
    if (args.type === DYNAMIC && args.props.state === value) {
        report(`'state' must not have the value ${value}.`);
    }
};
const stackStateIs = (value, withUrn) => (args, report) => {
    for (const r of args.resources) {
        if (r.type === DYNAMIC && r.props.state === value) {
            report(`'state' must not have the value ${value}.`, withUrn ? r.urn : undefined);
        }
    }
};
const named = (r, name) => r.type === SIMPLE && r.name === name;
const metadata = (name, check) => (args, report) => {
    if (named(args, name) && check(args)) {
        report("metadata matched");
    }
};
const stackMetadata = (name, check) => (args, report) => {
    for (const r of args.resources) {
        if (named(r, name) && check(r)) {
            report("metadata matched", r.urn);
        }
    }
};
const alwaysResource = (args, report) => {
    if (args.type === "random:index:RandomString") {
        report("validate-resource-violation-message");
    }
};
const alwaysStack = (args, report) => {
    if (args.resources.some((r) => r.type === "random:index:RandomString")) {
        report("validate-stack-violation-message");
    }
};

const policies = [
    resource("dynamic-no-state-with-value-1", "Prohibits setting state to 1 on dynamic resources.", "mandatory", stateIs(1)),
    stack("dynamic-no-state-with-value-2", "Prohibits setting state to 2 on dynamic resources.", "mandatory", stackStateIs(2, false)),
    stack("dynamic-no-state-with-value-3", "Prohibits setting state to 3 on dynamic resources.", "mandatory", stackStateIs(3, true)),
    stack("dynamic-no-foo-with-value-bar", "Prohibits setting foo to 'bar' on dynamic resources.", "remediate", (args, report) => {
        for (const r of args.resources) {
            if (r.type === DYNAMIC && r.props.foo === "bar") {
                report("'foo' must not have the value 'bar'.");
            }
        }
    }),
    resource("truthiness", "Verifies properties are true", "advisory", (args, report) => {
        if (args.type === SIMPLE && args.props.value === true) report("This is a test warning");
    }),
    resource("falsiness", "Verifies properties are false", "mandatory", (args, report) => {
        if (args.type === SIMPLE && args.props.value === false) report("This is a test error");
    }),
    stack("stack-size", "Stack must contain at most one simple:index:Resource", "mandatory", (args, report) => {
        if (args.resources.filter((r) => r.type === SIMPLE).length > 1) {
            report("Found an extra simple:index:Resource");
        }
    }),
    resource("blame-another", "Files a violation against another URN.", "advisory", (args, report) => {
        if (args.type === SIMPLE && args.props.blame) report("filed against another resource", args.props.blame);
    }),
    resource("provider-region", "The aws provider is in us-west-2.", "mandatory", (args, report) => {
        if (args.type === "pulumi:providers:aws" && args.props.region !== "us-west-2") {
            report(`provider region ${args.props.region} is not us-west-2`);
        }
    }),
    resource("root-stack-analyzed", "The root stack reaches Analyze.", "advisory", (args, report) => {
        if (args.type === "pulumi:pulumi:Stack") report("the root stack reached Analyze");
    }),
    resource("unknown-values-resource-validation", "Reads a value unknown in preview.", "advisory", (args, report) => {
        if (args.type === "random:index:RandomPet" && args.props.prefix === "my-pet") report("the prefix is known");
    }),
    resource("violate-at-remediate", "A violation at level remediate.", "remediate", (args, report) => {
        if (args.type === SIMPLE && args.props.violate) report("still violating after remediation");
    }),
    {
        name: "fixup",
        description: "Sets property to config",
        enforcementLevel: "remediate",
        configSchema: { properties: { value: { type: "boolean", default: false } } },
        remediateResource: (args) => {
            if (args.type !== SIMPLE || args.name !== "res") return undefined;
            const value = args.getConfig().value;
            return args.props.value === value ? undefined : Object.assign({}, args.props, { value });
        },
    },
    resource("options", "Reports the resource options it sees.", "advisory", (args, report) => {
        if (args.type !== DYNAMIC) return;
        const o = args.opts;
        const t = o.customTimeouts;
        const seen = {
            additionalSecretOutputs: o.additionalSecretOutputs,
            aliases: o.aliases,
            customTimeouts: [t.createSeconds, t.updateSeconds, t.deleteSeconds],
            deleteBeforeReplace: o.deleteBeforeReplace === undefined ? null : o.deleteBeforeReplace,
            ignoreChanges: o.ignoreChanges,
            parent: o.parent === undefined ? null : o.parent,
            protect: o.protect,
        };
        report(JSON.stringify(seen));
    }),
    resource("provider-seen", "Reports the provider it sees.", "advisory", (args, report) => {
        if (args.props.reportProvider === true && args.provider) {
            const p = args.provider;
            const props = Object.keys(p.props).sort().reduce((o, k) => Object.assign(o, { [k]: p.props[k] }), {});
            report(`${p.type} ${p.name} ${JSON.stringify(props)}`);
        }
    }),
    resource("name-type-urn-props", "identity metadata", "advisory",
        metadata("identity", (a) => a.props.value === true && a.urn.includes("::identity"))),
    resource("protect", "protect metadata", "advisory", metadata("protected", (a) => a.opts.protect === true)),
    resource("ignore-changes", "ignoreChanges metadata", "advisory",
        metadata("ignoreChanges", (a) => a.opts.ignoreChanges.includes("value"))),
    resource("delete-before-replace", "deleteBeforeReplace metadata", "advisory",
        metadata("deleteBeforeReplace", (a) => a.opts.deleteBeforeReplace === true)),
    resource("additional-secret-outputs", "additionalSecretOutputs metadata", "advisory",
        metadata("secretOutput", (a) => a.opts.additionalSecretOutputs.includes("value"))),
    resource("custom-timeouts", "customTimeouts metadata", "advisory",
        metadata("customTimeouts", (a) => a.opts.customTimeouts.createSeconds === 300)),
    resource("provider", "provider metadata", "advisory", metadata("explicitProvider",
        (a) => a.provider !== undefined && a.provider.type === "pulumi:providers:simple" && a.provider.name === "prov")),
    resource("parent", "parent metadata", "advisory",
        metadata("child", (a) => (a.opts.parent || "").includes("::parent"))),
    stack("dependencies", "dependencies metadata", "advisory",
        stackMetadata("dependsOn", (r) => r.dependencies.some((d) => d.urn.includes("::dependency")))),
    stack("property-dependencies", "propertyDependencies metadata", "advisory",
        stackMetadata("propertyDependency", (r) => (r.propertyDependencies.value || []).some((d) => d.urn.includes("::dependency")))),
];
for (const [suffix, level] of [["advisory", "advisory"], ["disabled", "disabled"], ["mandatory", "mandatory"], ["unset", undefined]]) {
    policies.push(resource(`validate-resource-${suffix}`, "Always reports a resource violation.", level, alwaysResource));
    policies.push(stack(`validate-stack-${suffix}`, "Always reports a stack violation.", level, alwaysStack));
}

new PolicyPack("conformance", { policies, enforcementLevel: process.env.CONFORMANCE_PACK_LEVEL || undefined });
