import json
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from shared.layers import LAYER_NAMES, LAYERS, with_upstream
from tests.fixtures import absent_type
from tests.fixtures.layer_programs import KEY
from tooling.offline.__main__ import main

from .conftest import FIXTURE_PACK, FIXTURES

REPO = FIXTURES.parents[1]
LAST = LAYER_NAMES[-1]  # a layer every other one runs before

EXPORT = FIXTURES / "stack_export.json"


def run(*argv: str) -> tuple[int, str]:
    buffer = StringIO()
    code = main(list(argv), console=Console(file=buffer, width=200))
    return code, buffer.getvalue()


def plan_args(*extra: str, stacks: Path) -> list[str]:
    return ["plan", *extra, "--stacks", str(stacks), "--pack", str(FIXTURE_PACK)]


def test_plan_exit_0_with_heading_tables_and_json(tmp_path: Path, fixture_stacks: Path) -> None:
    report = tmp_path / "plan.json"
    code, out = run(*plan_args("dev", "--json", str(report), stacks=fixture_stacks))
    assert code == 0
    assert "offline plan — no cloud calls" in out
    assert KEY in out and "[secret]" in out
    assert "fixture-db-deletion-protection" in out and "PASS" in out
    document = json.loads(report.read_text())
    assert document["environment"] == "dev"
    assert [layer["name"] for layer in document["layers"]] == list(LAYER_NAMES)
    layer = document["layers"][0]
    assert set(layer) >= {"name", "stack", "resources", "outputs"}
    assert set(layer["resources"][0]) == {"type", "name", "urn", "inputs"}
    assert document["violations"][0] == {
        "policy": "fixture-db-deletion-protection",
        "pack": "fixture-pack@0.0.1",
        "level": "advisory",
        "layer": "data",
        "urn": "urn:pulumi:dev::data::aws:rds/cluster:Cluster::db",
        "message": "Aurora clusters have deletion protection.\nenable deletionProtection on the cluster",
    }


def test_plan_writes_the_deploy_output_files_marked_offline(
    outputs_dir: Path, fixture_stacks: Path
) -> None:
    code, _ = run(*plan_args("dev", stacks=fixture_stacks))
    assert code == 0
    flat = json.loads((outputs_dir / "dev" / "flat-outputs.json").read_text())
    assert flat["offline"] is True and flat["environment"] == "dev"
    for name in LAYER_NAMES:
        layer = json.loads((outputs_dir / "dev" / f"{name}.json").read_text())
        assert layer["offline"] is True and layer["layer"] == name and layer["outputs"]


def test_plan_exit_1_on_a_mandatory_violation(stacks_copy: Path) -> None:
    (stacks_copy / "data" / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  data:deletionProtection: false\n"
    )
    code, out = run(*plan_args("prod", "--layer", "data", stacks=stacks_copy))
    assert code == 1
    assert "mandatory" in out and "FAIL" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prd"], "unknown environment 'prd'"),
        (["dev", "--layer", "netwrk"], "unknown layer 'netwrk'"),
    ],
)
def test_plan_exit_2_on_usage_mistakes_with_one_message(
    argv: list[str], message: str, fixture_stacks: Path
) -> None:
    code, out = run(*plan_args(*argv, stacks=fixture_stacks))
    assert code == 2
    assert message in out and "Traceback" not in out


def test_the_plans_layer_flag_takes_the_layer_and_everything_upstream(
    tmp_path: Path, fixture_stacks: Path
) -> None:
    report = tmp_path / "plan.json"
    last = LAYERS[-1]
    code, _ = run(
        *plan_args(
            "dev", "--layer", last.name, "--no-policy", "--json", str(report), stacks=fixture_stacks
        )
    )
    assert code == 0
    planned = [layer["name"] for layer in json.loads(report.read_text())["layers"]]
    assert planned == [layer.name for layer in with_upstream([last.name])]
    assert len(planned) > 1  # not deploy's --only, which would take exactly the one layer


def test_plan_exit_2_on_an_invalid_config_value(stacks_copy: Path) -> None:
    (stacks_copy / "data" / "Pulumi.dev.yaml").write_text(
        "config:\n  data:instanceClass: db.t3.micro\n"
    )
    code, out = run(*plan_args("dev", stacks=stacks_copy))
    assert code == 2
    assert "data:instanceClass" in out and "Traceback" not in out


def test_plan_exit_2_on_a_program_that_raises_with_its_traceback_only(stacks_copy: Path) -> None:
    (stacks_copy / LAST / "__main__.py").write_text("raise KeyError('alarm_email')\n")
    code, out = run(*plan_args("dev", stacks=stacks_copy))
    assert code == 2
    assert f"the {LAST} layer (stack dev) raised KeyError" in out
    assert "Traceback" in out and "__main__.py" in out
    assert "tooling/offline" not in out and "runpy" not in out


@pytest.mark.parametrize(
    "program",
    [
        "import pulumi\nraise pulumi.RunError('the alarm topic needs an owner')\n",
        # Raised inside an apply: it surfaces from the SDK's wait, still a RunError.
        "import pulumi\n"
        "def fail(_):\n    raise pulumi.RunError('the alarm topic needs an owner')\n"
        "pulumi.export('x', pulumi.Output.from_input(1).apply(fail))\n",
    ],
    ids=["top-level", "in-apply"],
)
def test_a_run_error_prints_its_message_without_a_traceback(
    stacks_copy: Path, program: str
) -> None:
    # As pulumi-language-python-exec: `except pulumi.RunError as e: pulumi.log.error(str(e))`.
    (stacks_copy / LAST / "__main__.py").write_text(program)
    code, out = run(*plan_args("dev", stacks=stacks_copy))
    assert code == 2
    assert f"the {LAST} layer (stack dev) failed: the alarm topic needs an owner" in out
    assert "Traceback" not in out and "RunError" not in out and "__main__.py" not in out


def test_plan_exit_2_when_the_pack_is_empty(tmp_path: Path, fixture_stacks: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(
        "from pulumi_policy import PolicyPack\nPolicyPack(name='p', policies=[])\n"
    )
    code, out = run(
        "plan",
        "dev",
        "--layer",
        "network",
        "--stacks",
        str(fixture_stacks),
        "--pack",
        str(tmp_path),
    )
    assert code == 2 and "has no policies" in out and "--no-policy" in out


def test_plan_without_policies(fixture_stacks: Path) -> None:
    code, out = run(
        "plan", "dev", "--layer", "network", "--stacks", str(fixture_stacks), "--no-policy"
    )
    assert code == 0 and "policies: not run" in out


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["plan"])
    assert caught.value.code == 2


def test_policy_check_on_a_stack_export(tmp_path: Path) -> None:
    report = tmp_path / "check.json"
    code, out = run("policy-check", str(EXPORT), "--pack", str(FIXTURE_PACK), "--json", str(report))
    assert code == 1
    document = json.loads(report.read_text())
    assert document["environment"] == "staging"
    layer = document["layers"][0]
    assert layer["name"] == "data"
    custom = [r for r in layer["resources"] if not r["type"].startswith("pulumi:")]
    assert [r["type"] for r in custom] == ["aws:rds/cluster:Cluster", "aws:kms/key:Key"]
    assert custom[1]["inputs"] == {"description": "[secret]"}  # a secret in the export
    assert layer["outputs"]["db_master_secret_arn"] == "[secret]"
    assert [(v["policy"], v["level"], v["pack"]) for v in document["violations"]] == [
        ("fixture-db-encrypted-with-cmk", "mandatory", "fixture-pack@0.0.1")
    ]
    assert "fixture-pack@0.0.1" in out
    assert "offline plan — no cloud calls" in out


def test_policy_check_exit_2_on_a_file_that_is_not_an_export(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 3, "deployment": {"resources": 3}}')
    code, out = run("policy-check", str(bad), "--pack", str(FIXTURE_PACK))
    assert code == 2 and "deployment.resources" in out
    code, out = run("policy-check", str(tmp_path / "missing.json"), "--pack", str(FIXTURE_PACK))
    assert code == 2 and "no such file" in out


def test_user_text_is_never_read_as_markup(stacks_copy: Path, outputs_dir: Path) -> None:
    (stacks_copy / "data" / "Pulumi.dev.yaml").write_text(
        'config:\n  data:instanceClass: "[/bold]"\n'
    )
    code, out = run(*plan_args("dev", stacks=stacks_copy))
    assert code == 2
    assert "data:instanceClass = '[/bold]' is invalid" in out and "Traceback" not in out
    assert not outputs_dir.exists()


def test_json_into_a_missing_folder_is_refused_before_planning(
    tmp_path: Path, outputs_dir: Path, monkeypatch: pytest.MonkeyPatch, fixture_stacks: Path
) -> None:
    import tooling.offline.planner

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("planning started")

    monkeypatch.setattr(tooling.offline.planner, "plan", must_not_run)
    monkeypatch.setattr(tooling.offline.planner, "policy_check", must_not_run)
    missing = tmp_path / "no-such-folder" / "plan.json"
    code, out = run(*plan_args("dev", "--json", str(missing), stacks=fixture_stacks))
    assert code == 2 and f"the folder {missing.parent} does not exist" in out
    code, out = run("policy-check", str(EXPORT), "--json", str(missing))
    assert code == 2 and "does not exist" in out
    code, out = run(*plan_args("dev", "--json", str(tmp_path), stacks=fixture_stacks))
    assert code == 2 and "is a folder" in out
    assert not outputs_dir.exists() and not missing.parent.exists()


def test_preview_writes_no_unknown_into_the_output_files(
    outputs_dir: Path, fixture_stacks: Path
) -> None:
    code, out = run(*plan_args("dev", "--preview", stacks=fixture_stacks))
    assert code == 0 and "no output files written" in out
    assert not outputs_dir.exists()


def test_output_files_refuse_unknown_values(tmp_path: Path) -> None:
    from pulumi.runtime.rpc import UNKNOWN

    from tooling.outputs import OutputFileWriter

    with pytest.raises(ValueError, match="unknown until deployed: vpc_id"):
        OutputFileWriter(tmp_path, offline=True).write("dev", "network", {"vpc_id": UNKNOWN})
    assert not (tmp_path / "dev").exists()


def test_ctrl_c_leaves_no_temporary_files(
    monkeypatch: pytest.MonkeyPatch, outputs_dir: Path, fixture_stacks: Path
) -> None:

    created: list[str] = []
    real_mkstemp, real_waitpid = tempfile.mkstemp, os.waitpid

    def recording_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, path = real_mkstemp(*args, **kwargs)
        created.append(path)
        return handle, path

    fired: list[int] = []

    def interrupted(pid: int, options: int) -> tuple[int, int]:
        # Ctrl-C while the data layer's child is still running; the kill's own wait goes through.
        if "offline-data-" in created[-1] and not fired:
            fired.append(pid)
            raise KeyboardInterrupt
        return real_waitpid(pid, options)

    monkeypatch.setattr(tempfile, "mkstemp", recording_mkstemp)
    monkeypatch.setattr(os, "waitpid", interrupted)
    code, out = run(*plan_args("dev", "--no-policy", stacks=fixture_stacks))
    assert code == 130 and "interrupted" in out and "Traceback" not in out
    assert created and not any(Path(path).exists() for path in created)
    assert not any(Path(tempfile.gettempdir()).glob(f"{Path(created[0]).parent.name}*"))
    assert not outputs_dir.exists()


def test_the_json_report_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def interrupted_replace(source: str, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted_replace)
    report = tmp_path / "check.json"
    code, _ = run("policy-check", str(EXPORT), "--pack", str(FIXTURE_PACK), "--json", str(report))
    assert code == 130
    assert os.listdir(tmp_path) == []


def test_an_internal_error_says_it_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    import tooling.offline.planner

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("layers")

    monkeypatch.setattr(tooling.offline.planner, "policy_check", broken)
    code, out = run("policy-check", str(EXPORT), "--pack", str(FIXTURE_PACK))
    assert code == 2
    assert "internal error in the offline planner (a bug, not your mistake" in out
    assert "KeyError: 'layers'" in out


def test_a_background_run_still_stops_its_packs_with_sigint(tmp_path: Path) -> None:
    # A shell's background job starts with SIGINT ignored; the packs must not inherit that, or
    # the SIGINT that stops them does nothing and each is killed after the stop timeout.
    script = f"""
import signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
import tooling.offline.pack_process as pack_process
codes = []
real_stop = pack_process.PackProcess.stop
def stop(self):
    real_stop(self)
    codes.append(self.process.returncode)  # 0: stopped by SIGINT; -9: killed after the grace
pack_process.PackProcess.stop = stop
from shared.layers import LAYER_NAMES
from tests.fixtures.layer_programs import KEY
from tooling.offline.__main__ import main
code = main(["policy-check", {str(FIXTURES / "stack_export.json")!r},
             "--policy-pack", {str(FIXTURES / "policy_pack")!r}])
print("exit", code, "codes", codes, file=sys.stderr)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "PULUMI_PYTHON_CMD": sys.executable},
    )
    assert "codes [0]" in done.stderr and "exit 1" in done.stderr, done.stderr[-2000:]


def test_json_dash_writes_the_report_alone_to_stdout(
    capsys: pytest.CaptureFixture[str], outputs_dir: Path, fixture_stacks: Path
) -> None:
    table = StringIO()
    code = main(
        [*plan_args("dev", "--json", "-", stacks=fixture_stacks)],
        console=Console(file=table, width=200),
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["environment"] == "dev"
    assert "offline plan" in table.getvalue() and "JSON report" not in table.getvalue()
    assert not Path("-").exists()


def test_json_to_a_pipe_is_written_in_place_and_a_link_stays_a_link(tmp_path: Path) -> None:
    # `--json >(jq .)` is a pipe in /dev/fd, `--json /dev/stdout` a link to one: neither may be
    # replaced by a renamed file (as root the rename works, and the link is gone).
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    code, _ = run("policy-check", str(EXPORT), "--pack", str(FIXTURE_PACK), "--json", str(link))
    out, _ = reader.communicate(timeout=30)
    assert code in (0, 1)
    assert json.loads(out)["environment"]
    assert link.is_symlink() and fifo.exists() and not fifo.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo", "stdout"]


@pytest.mark.parametrize(
    ("content", "place"),
    [
        (b"config:\n  network:azCount: " + b"[" * 5000 + b"]" * 5000 + b"\n", "line 2, column"),
        (b"config:\n  network:owner: " + b"x" * (20 * 1024 * 1024) + b"\n", "line 2 alone is"),
        (
            b"config:\n  network:owner: \xc3\x28\n",
            "not UTF-8 text at line 2, column 18 (byte 25 is 0xc3)",
        ),
        (b"config:\n  network:owner: [a\n", "line 3, column 1"),
    ],
    ids=["deep", "20MB", "not-utf8", "broken"],
)
def test_a_hostile_stack_file_is_one_line_naming_the_file_and_place(
    stacks_copy: Path, content: bytes, place: str
) -> None:
    path = stacks_copy / "network" / "Pulumi.dev.yaml"
    path.write_bytes(content)
    code, out = run(*plan_args("dev", "--no-policy", stacks=stacks_copy))
    assert code == 2
    assert out.startswith(f"error: {path}: ") and place in out and out.count("\n") == 1
    assert "Traceback" not in out and "xxxxxxxxxx" not in out


def test_a_corrupt_output_file_is_one_line_naming_it(stacks_copy: Path, outputs_dir: Path) -> None:
    broken = outputs_dir / "dev" / "data.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"layer": "data", "outputs": {')
    code, out = run(*plan_args("dev", "--no-policy", stacks=stacks_copy))
    assert code == 2
    assert (
        out
        == f"error: {broken}: not valid JSON at line 1, column 31 (Expecting property name enclosed in double quotes); delete it and run again to rewrite it\n"
    )


def test_control_characters_never_reach_the_console_but_the_json_keeps_them(
    tmp_path: Path,
) -> None:
    from .hostile_packs import ESCAPES, TYPE, write_pack

    urn = f"urn:pulumi:dev::app::{TYPE}::evil\x1b]0;title\x07\r"
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps(
            {
                "version": 3,
                "deployment": {
                    "resources": [
                        {
                            "urn": urn,
                            "type": TYPE,
                            "custom": True,
                            "inputs": {"behaviour": "escape"},
                        }
                    ]
                },
            }
        )
    )
    report = tmp_path / "report.json"
    pack = write_pack(tmp_path / "pack", "python")
    code, out = run("policy-check", str(export), "--pack", str(pack), "--json", str(report))
    assert code == 1, out
    # A CI log (not a terminal) folds white space, \r included, to keep one line per finding.
    assert "redoverevil" in "".join(out.split()) and "test:index:Thing::evil0;title" in out
    assert not any(c in out for c in "\x1b\r\x07\x9b\u202e")
    (violation,) = json.loads(report.read_text())["violations"]
    assert violation["urn"] == urn and violation["message"].endswith(ESCAPES)


def test_plan_exit_2_on_an_aws_type_the_type_table_lacks(stacks_copy: Path) -> None:
    program = stacks_copy / "network" / "__main__.py"
    program.write_text(program.read_text() + absent_type.PROGRAM_LINE)
    code, out = run(
        "plan", "dev", "--layer", "network", "--no-policy", "--stacks", str(stacks_copy)
    )
    assert code == 2
    assert f"{absent_type.TOKEN} is not in the resource type table" in out
    assert absent_type.MODULE in out
    assert "Traceback" not in out
