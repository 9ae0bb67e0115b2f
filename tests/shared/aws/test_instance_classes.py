import json

from shared.aws import instance_classes as aurora


def test_vendored_classes_equal_what_the_installed_cfn_lint_says() -> None:
    source = aurora.cfn_lint_source()
    expected = aurora.extract(json.loads(source.read_text()))
    assert aurora.vendored() == expected, "run: python -m shared.aws.instance_classes"


def test_vendored_data_covers_both_engines_and_main_regions() -> None:
    data = aurora.vendored()
    assert {"aurora-postgresql", "aurora-mysql"} <= set(data)
    assert "db.t4g.medium" in data["aurora-postgresql"]["us-east-1"]
    assert "db.t3.micro" not in data["aurora-postgresql"]["us-east-1"]


def test_verdict_names_its_source() -> None:
    assert "cfn-lint" in aurora.verdict("aurora-postgresql", "db.t3.micro", "us-east-1").reason
    fallback = aurora.verdict("aurora-postgresql", "db.t3.micro", "xx-nowhere-1")
    assert not fallback.supported and "fallback" in fallback.reason
    assert aurora.verdict("aurora-mysql", "db.r6g.large", None).supported
