import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from shared.layers import LAYER_NAMES, LAYERS, STACKS_DIR, get_layer, with_upstream
from tests.fixtures.layer_programs import KEY
from tooling.offline import PlanError, PlanResult, StackConfigError, plan, planner
from tooling.offline.analyzer import Violation
from tooling.offline.layer_runner import ProgramError, run_layer
from tooling.offline.model import UNKNOWN, LayerResult
from tooling.offline.report import to_json
from tooling.redaction import is_secret

from .conftest import FIXTURE_PACK, REGION

DATABASE_LAYER = "data"  # the layer whose program the fixture adds an Aurora cluster to
# A layer that reads another, and one it reads (the first it names).
READER = next(layer for layer in LAYERS if layer.upstream)
READ = get_layer(READER.upstream[0])


def plain(value: Any) -> Any:
    """A recorded value, unwrapped if it is a secret."""
    return value["value"] if is_secret(value) else value


def test_layers_run_in_the_order_shared_layers_gives(fixture_plan_dev: PlanResult) -> None:
    assert list(fixture_plan_dev.layers) == list(LAYER_NAMES)


def test_layer_selection_adds_everything_upstream(fixture_stacks: Path) -> None:
    result = plan("dev", layers=[READER.name], stacks_dir=fixture_stacks, pack_dir=None)
    assert list(result.layers) == [layer.name for layer in with_upstream([READER.name])]
    assert READ.name in result.layers and LAYERS[-1].name not in result.layers
    assert result.violations == [] and result.pack == ""


def test_an_upstream_export_arrives_downstream(fixture_plan_dev: PlanResult) -> None:
    for layer in LAYERS:
        result = fixture_plan_dev.layers[layer.name]
        assert set(result.outputs) == set(layer.outputs)
        read = json.loads(plain(result.one(KEY).inputs["description"]))
        assert read == {
            f"{name}.{output}": fixture_plan_dev.layers[name].outputs[output]
            for name in layer.upstream
            for output in get_layer(name).outputs
        }


def test_secrets_stay_secret_across_layers(fixture_plan_dev: PlanResult) -> None:
    source = next(layer for layer in LAYERS if layer.secret_outputs)
    secret = source.secret_outputs[0]
    readers = [layer for layer in LAYERS if source.name in layer.upstream]
    assert readers, f"no layer reads {source.name}: the test shows nothing"
    assert secret in fixture_plan_dev.layers[source.name].secret_outputs
    value = fixture_plan_dev.layers[source.name].outputs[secret]
    report = to_json(fixture_plan_dev)
    for reader in readers:
        description = fixture_plan_dev.layers[reader.name].one(KEY).inputs["description"]
        assert is_secret(description) and value in plain(description)
        shown = next(layer for layer in report["layers"] if layer["name"] == reader.name)
        key = next(r for r in shown["resources"] if r["type"] == KEY)
        assert key["inputs"]["description"] == "[secret]"
    assert value not in json.dumps(report)


def test_the_same_plan_twice_gives_identical_json(
    fixture_plan_dev: PlanResult, fixture_stacks: Path
) -> None:
    again = plan("dev", stacks_dir=fixture_stacks, pack_dir=FIXTURE_PACK)
    assert json.dumps(to_json(again), sort_keys=True) == json.dumps(
        to_json(fixture_plan_dev), sort_keys=True
    )


def test_advisory_result_does_not_block(fixture_plan_dev: PlanResult) -> None:
    levels = {(v.policy, v.level) for v in fixture_plan_dev.violations}
    assert levels == {("fixture-db-deletion-protection", "advisory")}
    assert fixture_plan_dev.exit_code == 0


def test_per_environment_class_policy_config_makes_it_mandatory(fixture_stacks: Path) -> None:
    result = plan(
        "prod",
        layers=[DATABASE_LAYER],
        config_overrides={DATABASE_LAYER: {"deletionProtection": False}},
        stacks_dir=fixture_stacks,
        pack_dir=FIXTURE_PACK,
    )
    assert [(v.policy, v.level) for v in result.mandatory] == [
        ("fixture-db-deletion-protection", "mandatory")
    ]
    assert result.exit_code == 1


def test_stack_file_config_and_secure_values_are_reported_once(fixture_stacks: Path) -> None:
    result = plan("prod", layers=[DATABASE_LAYER], stacks_dir=fixture_stacks, pack_dir=None)
    cluster = result.layers[DATABASE_LAYER].one("aws:rds/cluster:Cluster")
    assert cluster.inputs["backupRetentionPeriod"] == 30
    assert cluster.outputs["arn"].startswith(f"arn:aws:rds:{REGION}:")  # aws:region from the file
    assert len(result.notes) == 1 and f"{DATABASE_LAYER}:owner" in result.notes[0]


def test_unknown_values_during_preview_cannot_run_and_do_not_block(fixture_stacks: Path) -> None:
    result = plan(
        "prod",
        layers=[DATABASE_LAYER],
        preview=True,
        stacks_dir=fixture_stacks,
        pack_dir=FIXTURE_PACK,
    )
    cmk = [v for v in result.violations if v.policy == "fixture-db-encrypted-with-cmk"]
    assert len(cmk) == 1
    assert cmk[0].level == "advisory" and "can't run" in cmk[0].message
    assert cmk[0].urn.endswith("aws:rds/cluster:Cluster::db")
    assert result.exit_code == 0


def test_a_bad_config_value_names_layer_and_key(fixture_stacks: Path) -> None:
    with pytest.raises(PlanError, match=r"data:instanceClass"):
        plan(
            "dev",
            config_overrides={"data": {"instanceClass": "db.t3.micro"}},
            stacks_dir=fixture_stacks,
            pack_dir=None,
        )


def test_an_unknown_environment_form_is_a_plan_error(fixture_stacks: Path) -> None:
    with pytest.raises(PlanError, match=r"unknown environment .prd.* Accepted forms"):
        plan("prd", stacks_dir=fixture_stacks, pack_dir=None)


def test_an_unknown_layer_is_a_plan_error(fixture_stacks: Path) -> None:
    with pytest.raises(PlanError, match="unknown layer 'netwrk'"):
        plan("dev", layers=["netwrk"], stacks_dir=fixture_stacks, pack_dir=None)


def test_a_program_that_raises_keeps_its_layer_and_traceback(stacks_copy: Path) -> None:
    failing = LAYERS[-1].name
    (stacks_copy / failing / "__main__.py").write_text(
        f"def build() -> None:\n    raise RuntimeError('boom in {failing}')\n\n\nbuild()\n"
    )
    with pytest.raises(ProgramError) as caught:
        plan("dev", stacks_dir=stacks_copy, pack_dir=None)
    assert caught.value.layer == failing
    assert f"RuntimeError: boom in {failing}" in caught.value.message
    tb = caught.value.program_traceback
    assert "in build" in tb and "layer_runner.py" not in tb and "runpy" not in tb


def test_a_config_error_inside_the_program_is_a_stack_config_error(stacks_copy: Path) -> None:
    first = LAYERS[0].name
    (stacks_copy / first / "__main__.py").write_text(
        "from shared.config import ConfigError\n"
        f"raise ConfigError('{first}', 'someKey', '1.2.3.4/8', 'must be private')\n"
    )
    with pytest.raises(StackConfigError, match=rf"{first}:someKey"):
        plan("dev", stacks_dir=stacks_copy, pack_dir=None)


def test_a_reference_to_a_stack_outside_the_plan_names_it(stacks_copy: Path) -> None:
    first, outside = LAYERS[0].name, LAYERS[-1].name
    (stacks_copy / first / "__main__.py").write_text(
        f"import pulumi\n\npulumi.StackReference('organization/{outside}/dev').get_output('x')\n"
    )
    with pytest.raises(ProgramError, match=rf"organization/{outside}/dev"):
        plan("dev", layers=[first], stacks_dir=stacks_copy, pack_dir=None)


def test_a_layer_is_checked_while_the_next_one_runs(
    monkeypatch: pytest.MonkeyPatch, fixture_stacks: Path
) -> None:
    first, second = LAYERS[0].name, LAYERS[1].name
    first_checked = threading.Event()
    checked_before_second_ran: list[bool] = []
    check = planner._check

    def watched_run(layer: str, environment: str, **kwargs: Any) -> LayerResult:
        if layer == second:  # the second program waits (bounded) for the first one's check
            checked_before_second_ran.append(first_checked.wait(timeout=20))
        return run_layer(layer, environment, **kwargs)

    def watched_check(
        server: Any, result: LayerResult, *args: Any, **kwargs: Any
    ) -> list[Violation]:
        found = check(server, result, *args, **kwargs)
        if result.layer == first:
            first_checked.set()
        return found

    monkeypatch.setattr(planner, "run_layer", watched_run)
    monkeypatch.setattr(planner, "_check", watched_check)
    result = plan("dev", stacks_dir=fixture_stacks, pack_dir=FIXTURE_PACK)
    assert checked_before_second_ran == [True]
    assert [(v.layer, v.policy) for v in result.violations] == [
        (DATABASE_LAYER, "fixture-db-deletion-protection")
    ]


def test_a_failing_layer_does_not_wait_for_a_check_in_flight(
    stacks_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, returned = threading.Event(), threading.Event()

    def stuck_check(*args: Any, **kwargs: Any) -> list[Violation]:
        release.wait(timeout=20)
        returned.set()
        return []

    monkeypatch.setattr(planner, "_check", stuck_check)
    (stacks_copy / LAYERS[1].name / "__main__.py").write_text("raise RuntimeError('boom')\n")
    try:
        with pytest.raises(ProgramError, match="boom"):
            plan("dev", stacks_dir=stacks_copy, pack_dir=FIXTURE_PACK)
        assert not returned.is_set()  # the plan ended while the first layer's check was stuck
    finally:
        release.set()


KMS_STACK = """secretsprovider: awskms://alias/platform-account-secrets-prod?region=us-east-1
encryptedkey: AQICAHhEXAMPLEkeyEXAMPLEkeyEXAMPLEkey==
config:
  aws:region: us-east-1
  {key}:
    secure: AAABAKv3EXAMPLEciphertextEXAMPLEciphertext==
"""


def test_ci_plans_prod_green_with_kms_secrets_it_cannot_decrypt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/ci.md's setup: awskms:// stacks, no passphrase and no AWS credentials in the checks
    # job. The secure alarm email and certificate are set (and secret), their values unknown.
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS_DIR, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    for layer, key in (("observability", "alarmEmail"), ("app", "certificateArn")):
        path = stacks / layer / "Pulumi.prod.yaml"
        path.write_text(KMS_STACK.format(key=f"{layer}:{key}"))
    result = plan("prod", stacks_dir=stacks)
    assert result.exit_code == 0, [v.message for v in result.mandatory]
    assert any("app:certificateArn, observability:alarmEmail" in note for note in result.notes)
    listener = next(
        r
        for r in result.layers["app"].of_type("aws:lb/listener:Listener")
        if r.inputs["port"] == 443
    )
    assert listener.inputs["certificateArn"] == UNKNOWN
    assert "(not set)" not in " ".join(result.notes)


def region_tree(tmp_path: Path, regions: dict[str, str | None]) -> Path:
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS_DIR, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    for layer, region in regions.items():
        text = f"config:\n  aws:region: {region}\n" if region else "config: {}\n"
        (stacks / layer / "Pulumi.dev.yaml").write_text(text)
    return stacks


def test_layers_in_different_regions_are_refused(tmp_path: Path) -> None:
    # Aurora in eu-west-1 on subnets in us-west-2 cannot exist.
    stacks = region_tree(tmp_path, {"network": "us-west-2", "data": "eu-west-1"})
    with pytest.raises(
        PlanError, match=r"different regions \(network in us-west-2, data in eu-west-1"
    ):
        plan("dev", layers=["data"], stacks_dir=stacks, pack_dir=None)


def test_a_region_must_be_stated_never_us_east_1_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION")
    stacks = region_tree(tmp_path, {"network": None})
    with pytest.raises(PlanError, match=r"no AWS region for dev: set aws:region in .*network"):
        plan("dev", layers=["network"], stacks_dir=stacks, pack_dir=None)
    with pytest.raises(PlanError, match="no AWS region for pr-5"):
        plan("pr-5", layers=["network"], pack_dir=None)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    result = plan("pr-5", layers=["network"], pack_dir=None)
    assert result.layers["network"].outputs["availability_zones"][0].startswith("eu-west-1")


def test_az_count_is_checked_against_the_regions_real_zones(tmp_path: Path) -> None:
    stacks = region_tree(tmp_path, {"network": "us-west-1"})
    network = stacks / "network" / "Pulumi.dev.yaml"
    network.write_text(network.read_text() + "  network:azCount: 6\n")
    with pytest.raises(
        PlanError, match=r"network:azCount = '6' is invalid: must be at most 2: us-west-1"
    ):
        plan("dev", layers=["network"], stacks_dir=stacks, pack_dir=None)
    network.write_text("config:\n  aws:region: us-west-1\n  network:azCount: 2\n")
    result = plan("dev", layers=["network"], stacks_dir=stacks, pack_dir=None)
    assert result.layers["network"].outputs["availability_zones"] == ["us-west-1a", "us-west-1c"]


def test_a_region_aws_does_not_list_is_refused(tmp_path: Path) -> None:
    stacks = region_tree(tmp_path, {"network": "us-est-1"})
    with pytest.raises(PlanError, match=r"aws:region 'us-est-1' of dev is not a region AWS's data"):
        plan("dev", layers=["network"], stacks_dir=stacks, pack_dir=None)
