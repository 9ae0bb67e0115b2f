"""The destroy plan, from the offline plan of each environment class's environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.environment import CLASSES, Environment, parse_environment
from tests.conftest import OfflinePlan
from tests.tooling.deploy.offline_deployer import OfflineDeployer
from tooling.deploy.cli import DestroyPlanner, main
from tooling.deploy.destroy_plan import BUCKET, DestroyPlan, destroy_plan

# One environment per class of the registry: the class's own name, or a PR number.
ENVIRONMENTS = [parse_environment(name if info.named else "pr-7") for name, info in CLASSES.items()]


def plan_of(offline_plan: OfflinePlan, environment: Environment) -> DestroyPlan:
    result = offline_plan(environment.name)
    return destroy_plan(
        environment.name, {name: layer.resources for name, layer in result.layers.items()}
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda env: env.name)
def test_every_bucket_is_emptied_or_blocks_as_the_class_says(
    offline_plan: OfflinePlan, environment: Environment
) -> None:
    planned = plan_of(offline_plan, environment)
    buckets = [e for e in planned.of("emptied") + planned.of("blocks") if e.type == BUCKET]
    assert {e.name for e in buckets} == {"artifacts", "access-logs"}
    fates = {e.fate for e in buckets}
    assert fates == ({"emptied"} if environment.profile.force_destroy_buckets else {"blocks"})


def test_the_destroy_plan_of_dev_lists_the_emptied_buckets_and_no_blockers(
    offline_plan: OfflinePlan,
) -> None:
    planned = plan_of(offline_plan, parse_environment("dev"))
    assert {e.name for e in planned.of("emptied")} == {"artifacts", "access-logs"}
    assert planned.of("blocks") == []
    assert planned.of("kept") == []
    assert planned.finishes
    assert len(planned.of("deleted")) > 20


@pytest.mark.parametrize(
    "environment",
    [e for e in ENVIRONMENTS if e.profile.deletion_protection],
    ids=lambda env: env.name,
)
def test_protected_data_is_kept_and_stops_the_destroy_before_what_it_reads(
    offline_plan: OfflinePlan, environment: Environment
) -> None:
    planned = plan_of(offline_plan, environment)
    kept = {(e.layer, e.type) for e in planned.of("kept")}
    assert ("data", "aws:rds/cluster:Cluster") in kept
    assert ("data", "aws:kms/key:Key") in kept
    assert not planned.finishes
    # In reverse order: every layer the data layer reads is not reached.
    order = [layer.layer for layer in planned.layers]
    after = order[order.index("data") + 1 :]
    assert after and all(not layer.reached for layer in planned.layers if layer.layer in after)


def test_a_retained_resource_is_kept_without_stopping_the_destroy(
    offline_plan: OfflinePlan,
) -> None:
    # The key of a cluster that leaves a final snapshot is retained (the snapshot needs it).
    result = offline_plan("dev", config_overrides={"data": {"skipFinalSnapshot": False}})
    planned = destroy_plan("dev", {name: layer.resources for name, layer in result.layers.items()})
    (key,) = planned.of("kept")
    assert key.type == "aws:kms/key:Key" and key.reason.startswith("retained")
    assert planned.finishes


def fake_planner(offline_plan: OfflinePlan) -> DestroyPlanner:
    def planner(environment: Environment) -> DestroyPlan:
        return plan_of(offline_plan, environment)

    return planner


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda env: env.name)
def test_destroy_all_plan_prints_the_plan_and_exits_0_only_when_it_would_finish(
    tmp_path: Path,
    offline_plan: OfflinePlan,
    environment: Environment,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deployer = OfflineDeployer()
    code = main(
        ["destroy-all", environment.name, "--plan"],
        environ={},
        deployer_factory=lambda environ, name: deployer,
        outputs_dir=tmp_path,
        destroy_planner=fake_planner(offline_plan),
    )
    out = capsys.readouterr().out
    assert deployer.calls == []  # offline: no stack is touched
    finishes = plan_of(offline_plan, environment).finishes
    assert code == (0 if finishes else 1)
    assert f"Destroy plan of {environment.name}" in out
    emptied = "emptied and deleted: aws:s3/bucket:Bucket artifacts"
    assert (emptied in out) is environment.profile.force_destroy_buckets
    assert ("would remove every layer" in out) is finishes


def test_destroy_all_plan_runs_the_offline_plan_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["destroy-all", "dev", "--plan"],
        environ={},
        deployer_factory=lambda environ, name: OfflineDeployer(),
        outputs_dir=tmp_path,
    )
    assert code == 0
    assert "0 kept, 0 blocking." in capsys.readouterr().out


def test_destroy_all_plan_of_a_bad_environment_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["destroy-all", "prd", "--plan"],
        environ={},
        deployer_factory=lambda environ, name: OfflineDeployer(),
        outputs_dir=tmp_path,
    )
    assert code == 2
    assert "Did you mean 'prod'?" in capsys.readouterr().err
