"""pulumi `policy-config-schema`: a required bool `value` and a string list `names` of at least one."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    del args, report


PolicyPack(
    "config-schema",
    [
        ResourceValidationPolicy(
            "validator",
            "Verifies property matches config",
            validate,
            EnforcementLevel.MANDATORY,
            PolicyConfigSchema(
                {
                    "value": {"type": "boolean"},
                    "names": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                },
                ["value", "names"],
            ),
        )
    ],
)
