"""The ALB's TLS certificate: the given `app:certificateArn`, or an ACM certificate for the app's
DNS name validated by DNS in `app:hostedZoneId`, or none (plain HTTP, which prod refuses).

ACM issues a DNS-validated certificate once the CNAME it asks for exists in the zone; the HTTPS
listener takes the ARN from the `CertificateValidation`, so it waits for issuance instead of
failing on a certificate that is still pending.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from shared.context import LabelContext

VALIDATION_TTL = 300


def certificate_arn(
    labels: LabelContext,
    *,
    given: str | None,
    site_name: str | None,
    hosted_zone_id: str | None,
) -> pulumi.Input[str] | None:
    """The certificate the HTTPS listener serves for `site_name`: `given` (app:certificateArn),
    or one validated in `hosted_zone_id`, or None when there is neither."""
    if given:
        return given
    if site_name is None or hosted_zone_id is None:
        return None
    certificate = aws.acm.Certificate(
        "tls",
        domain_name=site_name,
        validation_method="DNS",
        tags=labels.label("name-tag", "tls").tags,
    )
    # One name, no SANs: exactly one validation record, created outside any apply().
    option = certificate.domain_validation_options.apply(_only_option)
    record = aws.route53.Record(
        "tls-validation",
        zone_id=hosted_zone_id,
        name=option.apply(lambda o: str(o["name"])),
        type=option.apply(lambda o: str(o["type"])),
        records=[option.apply(lambda o: str(o["value"]))],
        ttl=VALIDATION_TTL,
        allow_overwrite=True,  # ACM reuses one record name per domain and account
    )
    validation = aws.acm.CertificateValidation(
        "tls", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn]
    )
    return validation.certificate_arn


def _only_option(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption],
) -> dict[str, str]:
    (option,) = options
    return {
        "name": str(option.resource_record_name),
        "type": str(option.resource_record_type),
        "value": str(option.resource_record_value),
    }
