"""The regeneration of the SDK inputs the translation reads."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from policies.cfn import inputs
from shared.aws import cloudformation


def test_regeneration_writes_what_is_vendored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vendored = cloudformation.INPUTS_FILE.read_text()
    fresh = inputs.generate()
    assert fresh["source"] == f"pulumi-aws {version('pulumi-aws')} input (Args) classes"
    assert fresh["regenerate"] == "python -m policies.cfn.inputs"
    assert set(fresh["inputs"]) == set(cloudformation.translations())
    target = tmp_path / "cfn_inputs.json"
    monkeypatch.setattr(inputs, "INPUTS_FILE", target)
    assert inputs.main() == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    assert target.read_text() == vendored, "run `python -m policies.cfn.inputs`"
