"""The Analyzer protocol as the CLI speaks it: runtimes, initialConfig, config merge, providers."""

import json
import re
import shutil
from pathlib import Path

import pytest

from tooling.offline import PolicyConfigError, PolicyPackError, Resource, Violation, evaluate
from tooling.offline.__main__ import main

from .conftest import FIXTURES

CONFIG_PACK = FIXTURES / "config_policy_pack"
NODE_PACK = FIXTURES / "node_policy_pack"
CLUSTER = "aws:rds/cluster:Cluster"


def cluster(**inputs: object) -> Resource:
    urn = "urn:pulumi:dev::data::aws:rds/cluster:Cluster::db"
    return Resource(CLUSTER, "db", urn, dict(inputs), dict(inputs))


def seen(found: list[Violation]) -> dict[str, tuple[str, dict[str, object]]]:
    return {v.policy: (v.level, json.loads(v.message.split("\n", 1)[-1])) for v in found}


def test_merge_order_defaults_then_initial_config_then_the_users_file() -> None:
    pack_only = seen(evaluate([cluster()], "dev", layer="data", pack_dir=CONFIG_PACK))
    assert pack_only == {
        # A per-policy initialConfig entry without a level arrives as level 0 (advisory) on the
        # wire, and the CLI applies it after `all` (analyzer_plugin.go convertPolicyConfig).
        "cfg-a": ("advisory", {"limit": 3}),
        "cfg-b": ("advisory", {}),  # initial per-policy level beats initial `all`
        "cfg-c": ("mandatory", {"label": "schema"}),  # schema default kept
    }
    user = {"all": "advisory", "cfg-c": {"enforcementLevel": "mandatory", "label": "user"}}
    with_file = seen(
        evaluate([cluster()], "dev", layer="data", pack_dir=CONFIG_PACK, policy_config=user)
    )
    assert with_file == {
        "cfg-a": ("advisory", {"limit": 3}),
        "cfg-b": ("advisory", {}),
        "cfg-c": ("mandatory", {"label": "user"}),
    }


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("many", "Invalid type. Expected: integer, given: string"),
        (0, "Must be greater than or equal to 1"),
    ],
)
def test_a_value_the_schema_refuses_names_pack_policy_and_key(value: object, reason: str) -> None:
    expected = f"validating policy config: fixture-config-pack 0.0.1  cfg-a: limit: {reason}"
    with pytest.raises(PolicyConfigError, match=f"^{re.escape(expected)}$"):
        evaluate(
            [cluster()],
            "dev",
            layer="data",
            pack_dir=CONFIG_PACK,
            policy_config={"cfg-a": {"limit": value}},
        )


def test_policy_pack_config_files_pair_by_position_and_bad_ones_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_stacks: Path
) -> None:
    from .conftest import FIXTURE_PACK

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"cfg-a": {"limit": 4}}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"cfg-a": {"limit": "x"}}))
    report = tmp_path / "plan.json"
    args = ["plan", "dev", "--layer", "network", "--stacks", str(fixture_stacks)]
    packs = ["--policy-pack", str(FIXTURE_PACK), "--policy-pack", str(CONFIG_PACK)]
    code = main(
        [*args, *packs, "--policy-pack-config", str(tmp_path / "empty.json"), "--json", str(report)]
    )
    assert code == 2  # a missing config file
    (tmp_path / "empty.json").write_text("")
    code = main(
        [
            *args,
            *packs,
            "--policy-pack-config",
            str(tmp_path / "empty.json"),
            "--policy-pack-config",
            str(good),
            "--json",
            str(report),
        ]
    )
    violations = json.loads(report.read_text())["violations"]
    assert {v["pack"].split("@")[0] for v in violations} == {"fixture-config-pack"}
    assert {
        json.loads(v["message"].split("\n", 1)[-1]).get("limit")
        for v in violations
        if v["policy"] == "cfg-a"
    } == {4}
    assert code == 1
    capsys.readouterr()
    code = main([*args, "--policy-pack", str(CONFIG_PACK), "--policy-pack-config", str(bad)])
    err = capsys.readouterr()
    assert code == 2 and "fixture-config-pack 0.0.1  cfg-a: limit: " in err.out + err.err
    assert "Traceback" not in err.out + err.err


def _node_ready() -> bool:
    return (
        shutil.which("node") is not None
        and (NODE_PACK / "node_modules" / "@pulumi" / "policy").is_dir()
    )


node = pytest.mark.skipif(
    not _node_ready(),
    reason="Node.js pack needs `node` and `npm ci` in tests/fixtures/node_policy_pack (.ci/run does it)",
)


@node
def test_a_nodejs_pack_runs_with_its_initial_config_and_sees_providers_and_the_root_stack() -> None:
    found = evaluate(
        [cluster(backupRetentionPeriod=0)],
        "dev",
        layer="data",
        pack_dir=NODE_PACK,
        stack_config={"aws:region": "eu-west-1"},
    )
    # initialConfig {all: mandatory} beats the policy's own advisory level, as under the CLI.
    assert [(v.policy, v.level, v.pack) for v in found] == [
        ("node-db-backup-retention", "mandatory", "fixture-node-pack@0.1.0")
    ]
    assert "below 1 days" in found[0].message  # the schema default reached the pack
    again = evaluate(
        [cluster(backupRetentionPeriod=3)],
        "dev",
        layer="data",
        pack_dir=NODE_PACK,
        policy_config={"node-db-backup-retention": {"minimumDays": 7}},
    )
    assert [v.message.split("\n")[-1] for v in again] == ["backupRetentionPeriod 3 is below 7 days"]


@node
def test_a_nodejs_pack_through_the_cli(tmp_path: Path, fixture_stacks: Path) -> None:
    report = tmp_path / "plan.json"
    code = main(
        [
            "plan",
            "dev",
            "--layer",
            "data",
            "--stacks",
            str(fixture_stacks),
            "--policy-pack",
            str(NODE_PACK),
            "--json",
            str(report),
        ]
    )
    violations = json.loads(report.read_text())["violations"]
    assert all(v["pack"] == "fixture-node-pack@0.1.0" for v in violations)
    assert not any(v["policy"] == "node-stack-has-provider" for v in violations)
    assert code in (0, 1)


def test_a_nodejs_pack_without_node_modules_says_run_npm_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_stacks: Path
) -> None:
    if shutil.which("node") is None:
        pytest.skip("needs `node` on PATH")
    pack = tmp_path / "pack"
    pack.mkdir()
    for name in ("PulumiPolicy.yaml", "package.json", "index.js"):
        shutil.copy(NODE_PACK / name, pack / name)
    with pytest.raises(PolicyPackError, match=f"run npm install in {pack}"):
        evaluate([cluster()], "dev", layer="data", pack_dir=pack)
    code = main(
        [
            "plan",
            "dev",
            "--layer",
            "network",
            "--stacks",
            str(fixture_stacks),
            "--policy-pack",
            str(pack),
        ]
    )
    err = capsys.readouterr()
    assert code == 2 and "run npm install in" in err.out + err.err


def test_a_python_pack_runs_on_its_virtualenv(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CONFIG_PACK, pack)
    (pack / "PulumiPolicy.yaml").write_text(
        "runtime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    with pytest.raises(PolicyPackError, match="is not a virtual environment"):
        evaluate([cluster()], "dev", layer="data", pack_dir=pack)
    import sys

    (pack / "venv").symlink_to(Path(sys.prefix))
    assert evaluate([cluster()], "dev", layer="data", pack_dir=pack)
