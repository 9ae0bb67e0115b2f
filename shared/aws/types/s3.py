"""S3: buckets, their policies and pulumi-aws v7's separate configuration resources.

CloudFormation has one AWS::S3::Bucket: each configuration resource folds into its bucket's
properties (`folds_into`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.aws.types._convert import DELETE_DROP, document, pascal, pascal_keys, to
from shared.aws.types._model import ID_ONLY, Convert, ResourceType, Shape, ShapeValues, Translation
from shared.aws.types.iam import BAD_POLICY

BUCKET = "aws:s3/bucket:Bucket"


def _bucket(n: ShapeValues, ident: str) -> dict[str, Any]:
    return {
        "bucket": n.name,
        "bucketDomainName": f"{n.name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{n.name}.s3.{n.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": n.region,
    }


def _lifecycle(value: Any) -> dict[str, Any]:
    rules = []
    for rule in value if isinstance(value, list) else []:
        out: dict[str, Any] = {}
        for key, item in rule.items():
            if key == "id":
                out["Id"] = item
            elif key == "filter" and isinstance(item, Mapping):
                if "prefix" in item:
                    out["Prefix"] = item["prefix"]
                rest = {k: v for k, v in item.items() if k != "prefix"}
                if rest:
                    out["Filter"] = pascal_keys(rest)  # a translation gap shows up as E3002
            elif key == "transitions":
                out["Transitions"] = [
                    {"StorageClass": t.get("storageClass"), "TransitionInDays": t.get("days")}
                    for t in item
                ]
            elif key == "expiration" and isinstance(item, Mapping) and "days" in item:
                out["ExpirationInDays"] = item["days"]
            elif key == "noncurrentVersionExpiration" and isinstance(item, Mapping):
                out["NoncurrentVersionExpiration"] = {"NoncurrentDays": item.get("noncurrentDays")}
            else:
                out[pascal(key)] = pascal_keys(item)
        rules.append(out)
    return {"LifecycleConfiguration": {"Rules": rules if isinstance(value, list) else value}}


def _encryption(value: Any) -> dict[str, Any]:
    rules = []
    for rule in value if isinstance(value, list) else []:
        out: dict[str, Any] = {}
        for key, item in rule.items():
            if key == "applyServerSideEncryptionByDefault" and isinstance(item, Mapping):
                names = {"sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}
                out["ServerSideEncryptionByDefault"] = {
                    names.get(k, pascal(k)): v for k, v in item.items()
                }
            else:
                out[pascal(key)] = item
        rules.append(out)
    return {"BucketEncryption": {"ServerSideEncryptionConfiguration": rules or value}}


def _public_access(key: str) -> Convert:
    return lambda value: {"PublicAccessBlockConfiguration": {pascal(key): value}}


def _ownership(value: Any) -> dict[str, Any]:
    return {"OwnershipControls": {"Rules": [pascal_keys(value)]}}


def _logging(name: str) -> Convert:
    return lambda value: {"LoggingConfiguration": {name: value}}


def _part(token: str, summary: str, translation: Translation) -> ResourceType:
    return ResourceType(
        token,
        summary,
        shape=ID_ONLY,
        cloudformation="AWS::S3::Bucket",
        folds_into=BUCKET,
        translation=translation,
    )


_BUCKET_SHAPE = Shape(id="{name}", arn="arn:aws:s3:::{name}", name_input="bucket", extra=_bucket)

TYPES = (
    ResourceType(
        BUCKET,
        "an S3 bucket",
        shape=_BUCKET_SHAPE,
        names={"bucket": "s3-bucket"},
        cloudformation="AWS::S3::Bucket",
        translation=Translation(
            fields={"bucket": "BucketName"},
            drops={"forceDestroy": DELETE_DROP},
            rejects={"bucket": "Not_A_Bucket"},
        ),
        holds_data="a bucket's objects",
    ),
    ResourceType(
        "aws:s3/bucketV2:BucketV2",
        "pulumi-aws's deprecated bucket type (no layer creates one; its names are checked)",
        shape=_BUCKET_SHAPE,
        names={"bucket": "s3-bucket"},
        no_cloudformation="not translated: no layer creates one",
    ),
    ResourceType(
        "aws:s3/bucketPolicy:BucketPolicy",
        "a bucket's resource policy",
        shape=ID_ONLY,
        cloudformation="AWS::S3::BucketPolicy",
        translation=Translation(
            fields={"policy": to("PolicyDocument", document)},
            tags=False,
            rejects={"policy": BAD_POLICY},
        ),
    ),
    ResourceType(
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "an object in a bucket (bootstrap)",
        shape=ID_ONLY,
        no_cloudformation="CloudFormation has no resource for a bucket's objects",
    ),
    _part(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "a bucket's lifecycle rules",
        Translation(
            fields={"rules": _lifecycle},
            rejects={"rules": [{"id": "r", "status": "Sometimes", "expiration": {"days": 1.0}}]},
        ),
    ),
    _part(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "a bucket's default encryption",
        Translation(
            fields={"rules": _encryption},
            rejects={"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "ROT13"}}]},
        ),
    ),
    _part(
        "aws:s3/bucketVersioning:BucketVersioning",
        "a bucket's versioning",
        Translation(
            fields={"versioningConfiguration": to("VersioningConfiguration", pascal_keys)},
            rejects={"versioningConfiguration": {"status": "Maybe"}},
        ),
    ),
    _part(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "a bucket's public access block",
        Translation(
            fields={
                key: _public_access(key)
                for key in (
                    "blockPublicAcls",
                    "blockPublicPolicy",
                    "ignorePublicAcls",
                    "restrictPublicBuckets",
                )
            },
            rejects={"blockPublicAcls": [1]},
        ),
    ),
    _part(
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "a bucket's object ownership",
        Translation(fields={"rule": _ownership}, rejects={"rule": {"objectOwnership": "Nobody"}}),
    ),
    _part(
        "aws:s3/bucketLogging:BucketLogging",
        "a bucket's server access logging",
        Translation(
            fields={
                "targetBucket": _logging("DestinationBucketName"),
                "targetPrefix": _logging("LogFilePrefix"),
            },
            rejects={"targetPrefix": ["logs/"]},
            rejects_base={
                "bucket": "platform-dev-x",
                "targetBucket": "platform-dev-logs",
                "targetPrefix": "l/",
            },
        ),
    ),
)
