import json
from pathlib import Path

import pytest

from tooling.outputs import REDACTED, OutputFileWriter, read_flat_outputs


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_layer_file_and_the_flat_file_with_secrets_redacted(tmp_path: Path) -> None:
    writer = OutputFileWriter(tmp_path)
    writer.write("dev", "network", {"vpc_id": "vpc-1", "public_subnet_ids": ["a", "b"]})
    writer.write(
        "dev", "data", {"db_port": 5432, "db_master_secret_arn": "arn:s"}, ["db_master_secret_arn"]
    )

    layer = json.loads((tmp_path / "dev" / "data.json").read_text())
    assert layer == {
        "environment": "dev",
        "layer": "data",
        "offline": False,
        "outputs": {"db_master_secret_arn": REDACTED, "db_port": 5432},
        "secret_outputs": ["db_master_secret_arn"],
    }
    assert read_flat_outputs("dev", tmp_path) == {
        "environment": "dev",
        "offline": False,
        "network.public_subnet_ids": ["a", "b"],
        "network.vpc_id": "vpc-1",
        "data.db_master_secret_arn": REDACTED,
        "data.db_port": 5432,
    }
    assert files(tmp_path / "dev") == ["data.json", "flat-outputs.json", "network.json"]


def test_show_secrets_writes_them_in_plain_text(tmp_path: Path) -> None:
    OutputFileWriter(tmp_path, show_secrets=True).write("dev", "data", {"s": "x"}, ["s"])
    assert read_flat_outputs("dev", tmp_path)["data.s"] == "x"


def test_an_offline_plan_is_marked_and_never_overwrites_a_real_deployment(tmp_path: Path) -> None:
    offline = OutputFileWriter(tmp_path, offline=True)
    offline.write("dev", "network", {"vpc_id": "vpc-offline"})
    offline.write("dev", "data", {"db_port": 5432})
    assert read_flat_outputs("dev", tmp_path)["offline"] is True

    OutputFileWriter(tmp_path).write("dev", "network", {"vpc_id": "vpc-real"})
    # The real layer replaced the made-up files: nothing offline is mixed into real outputs.
    assert read_flat_outputs("dev", tmp_path) == {
        "environment": "dev",
        "offline": False,
        "network.vpc_id": "vpc-real",
    }
    assert offline.write("dev", "network", {"vpc_id": "vpc-offline"}) is None
    assert read_flat_outputs("dev", tmp_path)["network.vpc_id"] == "vpc-real"


def test_remove_a_layer_then_the_environment(tmp_path: Path) -> None:
    writer = OutputFileWriter(tmp_path)
    writer.write("pr-1", "network", {"vpc_id": "v"})
    writer.write("pr-1", "app", {"app_url": "http://x"})
    writer.remove("pr-1", "app")
    assert read_flat_outputs("pr-1", tmp_path) == {
        "environment": "pr-1",
        "offline": False,
        "network.vpc_id": "v",
    }
    writer.remove("pr-1", "network")
    assert files(tmp_path / "pr-1") == []
    writer.remove_environment("pr-1")
    assert not (tmp_path / "pr-1").exists()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = OutputFileWriter(tmp_path)
    writer.write("dev", "network", {"vpc_id": "v1"})

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", crash)
    with pytest.raises(OSError, match="disk full"):
        writer.write("dev", "network", {"vpc_id": "v2"})
    monkeypatch.undo()

    assert json.loads((tmp_path / "dev" / "network.json").read_text())["outputs"] == {
        "vpc_id": "v1"
    }
    assert files(tmp_path / "dev") == ["flat-outputs.json", "network.json"]
