from pathlib import Path

import pytest

from tooling.offline import PolicyPackError, Resource, Violation, evaluate
from tooling.offline.analyzer import policy_pack
from tooling.offline.model import UNKNOWN
from tooling.offline.policy_config import PolicyConfigError

from .conftest import FIXTURE_PACK

CLUSTER = "aws:rds/cluster:Cluster"


def cluster(**inputs: object) -> Resource:
    urn = "urn:pulumi:dev::data::aws:rds/cluster:Cluster::db"
    return Resource(CLUSTER, "db", urn, dict(inputs), dict(inputs))


def levels(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(v.policy, v.level) for v in violations}


def test_mandatory_policy_fires() -> None:
    found = evaluate([cluster(deletionProtection=True)], "dev", layer="data", pack_dir=FIXTURE_PACK)
    assert levels(found) == {("fixture-db-encrypted-with-cmk", "mandatory")}
    assert found[0].urn.endswith("::db") and "kmsKeyId" in found[0].message
    assert found[0].blocking


def test_compliant_resource_passes() -> None:
    found = evaluate(
        [cluster(kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/x", deletionProtection=True)],
        "dev",
        layer="data",
        pack_dir=FIXTURE_PACK,
    )
    assert found == []


def test_advisory_policy_fires_without_blocking() -> None:
    found = evaluate([cluster(kmsKeyId="k")], "dev", layer="data", pack_dir=FIXTURE_PACK)
    assert levels(found) == {("fixture-db-deletion-protection", "advisory")}
    assert not found[0].blocking


def test_unknown_value_in_preview_is_advisory_cannot_run() -> None:
    found = evaluate(
        [cluster(kmsKeyId=UNKNOWN, deletionProtection=True)],
        "dev",
        layer="data",
        pack_dir=FIXTURE_PACK,
        preview=True,
    )
    assert levels(found) == {("fixture-db-encrypted-with-cmk", "advisory")}
    assert "can't run" in found[0].message and found[0].urn.endswith("::db")


def test_stack_policy_sees_every_resource_and_its_config_default_and_override() -> None:
    resources = [cluster(kmsKeyId="k", deletionProtection=True) for _ in range(4)]
    assert evaluate(resources, "dev", layer="data", pack_dir=FIXTURE_PACK) == []
    found = evaluate(resources, "pr-5", layer="data", pack_dir=FIXTURE_PACK)  # config/pr.json: 3
    assert levels(found) == {("fixture-stack-max-resources", "advisory")}
    # The engine's AnalyzeStack includes the root stack and the default provider: 4 + 2.
    assert "6 resources" in found[0].message
    assert found[0].urn == "urn:pulumi:pr-5::data::pulumi:pulumi:Stack::data-pr-5"  # the root stack


def test_explicit_policy_config_and_all() -> None:
    found = evaluate(
        [cluster()],
        "dev",
        layer="data",
        pack_dir=FIXTURE_PACK,
        policy_config={"all": "advisory", "fixture-db-deletion-protection": "disabled"},
    )
    assert levels(found) == {("fixture-db-encrypted-with-cmk", "advisory")}


def test_config_naming_an_unknown_policy_is_an_error() -> None:
    with pytest.raises(PolicyConfigError, match="'no-such-policy'"):
        evaluate(
            [],
            "dev",
            layer="data",
            pack_dir=FIXTURE_PACK,
            policy_config={"no-such-policy": "mandatory"},
        )


def _pack(tmp_path: Path, main: str) -> Path:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(main)
    return tmp_path


def test_a_pack_that_fails_to_load_is_reported_with_its_error(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "raise ImportError('policies module missing')\n")
    with pytest.raises(PolicyPackError, match="failed to load") as caught:
        evaluate([cluster()], "dev", layer="data", pack_dir=pack)
    assert "policies module missing" in str(caught.value)


def test_a_pack_that_hangs_times_out_clearly(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "import time\ntime.sleep(60)\n")
    with (
        pytest.raises(PolicyPackError, match=r"did not start within 0.5 s"),
        policy_pack(pack, environment="dev", project="data", start_timeout=0.5) as server,
    ):
        server.connect()
    assert server.process.poll() is not None  # stopped, not left behind


def test_an_empty_pack_is_reported_clearly(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path, "from pulumi_policy import PolicyPack\nPolicyPack(name='p', policies=[])\n"
    )
    with pytest.raises(PolicyPackError, match="has no policies"):
        evaluate([cluster()], "dev", layer="data", pack_dir=pack)


def test_the_pack_stops_cleanly_on_sigint() -> None:
    with policy_pack(FIXTURE_PACK, environment="dev", project="data") as server:
        server.connect()
    assert server.process.returncode == 0


def test_a_call_past_its_own_deadline_names_that_deadline() -> None:
    import grpc

    class Late(grpc.RpcError):  # type: ignore[misc]
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.DEADLINE_EXCEEDED

    class Stub:
        def AnalyzeStack(self, request: object, timeout: float) -> None:
            raise Late()

    with policy_pack(FIXTURE_PACK, environment="dev", project="data") as server:
        server._stub = Stub()
        # A big stack's AnalyzeStack gets a longer deadline than the per-call one.
        with pytest.raises(PolicyPackError, match=r"did not answer AnalyzeStack within 240 s"):
            server._optional_call("AnalyzeStack", None, timeout=240)
