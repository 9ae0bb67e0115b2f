"""A second pack: it must see what the first pack remediated (pulumi/pulumi step_generator.go: all
packs remediate first, then all analyze the remediated state)."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def sees_remediation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if (
        args.resource_type == "simple:index:Resource"
        and args.name == "res"
        and args.props.get("value") is True
    ):
        report("saw the value before the other pack's remediation", None)


PolicyPack(
    "observer",
    [
        ResourceValidationPolicy(
            "sees-remediation",
            "Analyze sees every pack's remediation.",
            sees_remediation,
            EnforcementLevel.MANDATORY,
        )
    ],
)
