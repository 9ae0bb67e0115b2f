"""The mutation report: mutmut's result lines in, per-package counts and score out."""

from pathlib import Path

import pytest

from tooling import mutation
from tooling.mutation import (
    ReportError,
    load_equivalents,
    parse_results,
    score,
    selected,
    stale_equivalents,
)

LINES = [
    "    policies.rds.x_check__mutmut_1: killed",
    "    policies.rds.x_check__mutmut_2: survived",
    "    policies.rds.x_check__mutmut_3: timeout",
    "    policies.rds.x_check__mutmut_4: no tests",
    "    policies.rds.x_check__mutmut_5: survived",
    "    shared.naming.xǁNamerǁname__mutmut_1: killed",
    "    shared.naming.xǁNamerǁname__mutmut_2: not checked",
    "",
]


def test_counts_and_score_per_package_with_equivalents_apart() -> None:
    results = parse_results(LINES)
    packages = score(results, {"policies.rds.x_check__mutmut_5": "why"})
    policies, shared = packages["policies"], packages["shared"]
    assert (policies.killed, policies.survived, policies.timeout, policies.total) == (1, 2, 1, 5)
    assert policies.equivalent == ["policies.rds.x_check__mutmut_5"]
    assert policies.survivors == [
        "policies.rds.x_check__mutmut_2",
        "policies.rds.x_check__mutmut_4",
    ]
    assert policies.score == 50.0  # (killed + timeout) / (killed + timeout + survived)
    assert (shared.killed, shared.not_checked, shared.score) == (1, 1, 100.0)
    lines = mutation.render(packages, [])
    assert lines[1].split() == ["policies", "1", "2", "1", "1", "5", "50.0%", ">=", "90%", "BELOW"]
    assert "  policies.rds.x_check__mutmut_2" in lines
    assert "  1 not checked yet: run `mutmut run` to finish" in lines


def test_an_equivalent_that_no_longer_survives_is_stale() -> None:
    results = parse_results(LINES)
    equivalents = {
        "policies.rds.x_check__mutmut_1": "was",
        "policies.rds.x_check__mutmut_9": "gone",
    }
    assert stale_equivalents(results, equivalents) == sorted(equivalents)


def test_an_unexpected_line_is_refused() -> None:
    with pytest.raises(ReportError, match="unexpected line"):
        parse_results(["Traceback (most recent call last):"])


def test_every_listed_equivalent_has_a_reason(tmp_path: Path) -> None:
    assert all(reason.strip() for reason in load_equivalents().values())
    bad = tmp_path / "equivalents.toml"
    bad.write_text('[equivalent]\n"policies.x.x_f__mutmut_1" = " "\n')
    with pytest.raises(ReportError, match="needs its reason"):
        load_equivalents(bad)


def test_an_equivalent_not_checked_yet_is_not_stale_but_a_vanished_one_is() -> None:
    results = {"policies.rds.x_check__mutmut_1": "not checked"}
    equivalents = {"policies.rds.x_check__mutmut_1": "why", "policies.rds.x_gone__mutmut_1": "why"}
    assert stale_equivalents(results, equivalents) == ["policies.rds.x_gone__mutmut_1"]
    # In a run of selected mutants, the others are simply not in view.
    assert stale_equivalents(results, equivalents, whole_run=False) == []


def test_names_select_as_mutmut_run_does() -> None:
    results = parse_results(LINES)
    assert list(selected(results, ["policies.rds.x_check__mutmut_1"])) == [
        "policies.rds.x_check__mutmut_1"
    ]
    assert len(selected(results, ["policies.*"])) == 5
    assert selected(results, []) == results
    with pytest.raises(ReportError, match="no recorded mutant matches"):
        selected(results, ["policies.nope*"])


def fake_mutmut(tmp_path: Path, lines: list[str]) -> str:
    script = tmp_path / "mutmut"
    script.write_text("#!/bin/sh\ncat <<'END'\n" + "\n".join(lines) + "\nEND\n")
    script.chmod(0o755)
    return str(script)


# A listed equivalent (tooling/mutation_equivalents.toml), and mutants a selection did not run.
EQUIVALENT = next(iter(load_equivalents()))
SELECTION_RUN = [
    f"    {EQUIVALENT}: not checked",
    "    policies.rds.x_check__mutmut_1: killed",
    "    policies.rds.x_check__mutmut_2: killed",
    "    shared.naming.x_other__mutmut_1: not checked",
]


def test_a_run_of_named_mutants_scores_only_those_and_passes_when_they_are_killed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutmut = fake_mutmut(tmp_path, SELECTION_RUN)
    assert mutation.main(["--mutmut", mutmut, "policies.rds.x_check__mutmut_*"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == ["policies", "2", "0", "0", "0", "2", "100.0%"]
    assert "shared" not in out and "Stale" not in out and "not checked" not in out
    # The same results as a whole run: unchecked mutants fail it, as before.
    assert mutation.main(["--mutmut", mutmut]) == 1


def test_a_named_mutant_that_survives_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [*SELECTION_RUN, "    policies.rds.x_check__mutmut_3: survived"]
    assert mutation.main(["--mutmut", fake_mutmut(tmp_path, lines), "policies.rds.*"]) == 1
    assert "  policies.rds.x_check__mutmut_3" in capsys.readouterr().out
