"""The mutation report: mutmut's result lines in, per-package counts and score out."""

from pathlib import Path

import pytest

from tooling import mutation
from tooling.mutation import ReportError, load_equivalents, parse_results, score, stale_equivalents

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
