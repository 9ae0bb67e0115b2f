"""ACM: the load balancer's certificate and its DNS validation."""

from __future__ import annotations

from typing import Any

from shared.aws.types._model import ID_ONLY, ResourceType, Shape, ShapeValues, Translation


def _certificate(n: ShapeValues, ident: str) -> dict[str, Any]:
    domain = str(n.inputs.get("domainName", n.name))
    dns = n.inputs.get("validationMethod") == "DNS"
    return {
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{n.hex(32)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{n.digest[::-1].hex()[:32]}.acm-validations.aws.",
            }
        ]
        if dns
        else [],
        "status": "PENDING_VALIDATION",
    }


TYPES = (
    ResourceType(
        "aws:acm/certificate:Certificate",
        "the load balancer's TLS certificate",
        shape=Shape(
            id="{arn}",
            arn="arn:aws:acm:{region}:{account}:certificate/{uuid}",
            extra=_certificate,
        ),
        cloudformation="AWS::CertificateManager::Certificate",
        translation=Translation(rejects={"tags": {"Name": "x" * 300}}),
    ),
    ResourceType(
        "aws:acm/certificateValidation:CertificateValidation",
        "waits until ACM has validated the certificate",
        shape=ID_ONLY,
        no_cloudformation=(
            "waits until ACM issues a certificate; CloudFormation waits inside "
            "AWS::CertificateManager::Certificate"
        ),
        part_of="AWS::CertificateManager::Certificate",
    ),
)
