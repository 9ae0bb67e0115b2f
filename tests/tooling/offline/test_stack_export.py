"""A malformed `pulumi stack export` file: exit 2, one message naming the file and the place."""

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tooling.offline.__main__ import main
from tooling.offline.stack_export import StackExportError, read_stack_export

from .conftest import FIXTURE_PACK, FIXTURES

EXPORT = json.loads((FIXTURES / "stack_export.json").read_text())
CLUSTER = 2  # deployment.resources[2] is the Aurora cluster


def broken(change: Any) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(EXPORT)
    change(document["deployment"]["resources"])
    return document


def set_field(index: int, key: str, value: Any) -> Any:
    return lambda resources: resources[index].__setitem__(key, value)


SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([1, 2], "not a stack export (expected the JSON object"),
        ({"version": 3, "deployment": {"resources": {"a": 1}}}, "no deployment.resources[] list"),
        ({"version": 3}, "no deployment.resources[] list"),
        (
            broken(lambda r: r.append("x")),
            "deployment.resources[4] must be an object, not a string",
        ),
        (broken(set_field(0, "outputs", [1])), "deployment.resources[0].outputs must be an object"),
        (
            broken(set_field(CLUSTER, "inputs", "x")),
            "resources[2].inputs must be an object, not a string",
        ),
        (broken(set_field(CLUSTER, "urn", 7)), "resources[2].urn must be a string, not a number"),
        (broken(set_field(CLUSTER, "urn", "db")), "resources[2].urn 'db' is not a Pulumi URN"),
        (
            broken(
                set_field(CLUSTER, "urn", "urn:pulumi:st ag::data::aws:rds/cluster:Cluster::db")
            ),
            "its stack name is invalid",
        ),
        (
            broken(set_field(CLUSTER, "urn", "urn:pulumi:staging::data::aws:kms/key:Key::db")),
            "type 'aws:rds/cluster:Cluster' does not match its URN's type 'aws:kms/key:Key'",
        ),
        (
            broken(set_field(CLUSTER, "dependencies", "x")),
            "resources[2].dependencies must be a list",
        ),
        (
            broken(set_field(CLUSTER, "propertyDependencies", ["x"])),
            "resources[2].propertyDependencies must be an object, not a list",
        ),
        (
            broken(set_field(CLUSTER, "propertyDependencies", {"kmsKeyId": "urn:x"})),
            "resources[2].propertyDependencies.kmsKeyId must be a list of URN strings",
        ),
        (broken(set_field(CLUSTER, "protect", "yes")), "resources[2].protect must be a boolean"),
        (
            broken(set_field(CLUSTER, "inputs", {"masterPassword": {**SECRET, "plaintext": 5}})),
            "resources[2].inputs.masterPassword: a secret's plaintext must be a JSON string, not a number",
        ),
        (
            broken(set_field(CLUSTER, "inputs", {"p": {**SECRET, "plaintext": "not json"}})),
            "a secret's plaintext is not JSON text",
        ),
        (
            broken(set_field(CLUSTER, "inputs", {"p": SECRET})),
            "a secret has neither plaintext (a string) nor ciphertext (a string)",
        ),
    ],
)
def test_a_malformed_export_exits_2_naming_file_and_place(
    tmp_path: Path, document: Any, problem: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    report = tmp_path / "report.json"
    buffer = StringIO()
    code = main(
        ["policy-check", str(path), "--pack", str(FIXTURE_PACK), "--json", str(report)],
        console=Console(file=buffer, width=400),
    )
    out = buffer.getvalue()
    assert code == 2
    assert f"error: {path}: " in out and problem in out
    assert "Traceback" not in out and out.count("error:") == 1
    assert not report.exists()


def test_non_utf8_and_non_json_files_are_one_message(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b'{"deployment": {"resources": ["\xff"]}}')
    with pytest.raises(StackExportError, match=r"not UTF-8 text \(byte 31 is 0xff\)"):
        read_stack_export(path)
    path.write_text("{")
    with pytest.raises(StackExportError, match="not a JSON stack export"):
        read_stack_export(path)
    with pytest.raises(StackExportError, match="is a folder"):
        read_stack_export(tmp_path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(0, len(EXPORT["deployment"]["resources"]) - 1),
    key=st.sampled_from(
        [
            "urn",
            "type",
            "inputs",
            "outputs",
            "parent",
            "dependencies",
            "propertyDependencies",
            "protect",
        ]
    ),
    value=json_values,
)
def test_any_mangled_resource_is_read_or_refused_with_a_message(
    tmp_path: Path, index: int, key: str, value: Any
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(broken(set_field(index, key, value))))
    try:
        read_stack_export(path)
    except StackExportError as error:
        assert str(error).startswith(f"{path}: ")


def test_dependencies_per_property_are_read_as_the_state_records_them(tmp_path: Path) -> None:
    key_urn = EXPORT["deployment"]["resources"][3]["urn"]
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(broken(set_field(CLUSTER, "propertyDependencies", {"kmsKeyId": [key_urn]})))
    )
    [data] = read_stack_export(path).layers.values()
    cluster = data.one("aws:rds/cluster:Cluster")
    assert cluster.property_dependencies == {"kmsKeyId": (key_urn,)}
    assert data.one("aws:kms/key:Key").property_dependencies == {}


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e400", "9" * 400])
def test_a_number_go_cannot_read_is_refused_naming_line_and_column(
    tmp_path: Path, number: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"version": 3,\n "deployment": {"resources": [], "x": ' + number + "}}")
    with pytest.raises(
        StackExportError, match=r"line 2, column \d+: the number .* cannot be held"
    ) as caught:
        read_stack_export(path)
    assert len(str(caught.value)) < 300  # a 400-digit number is not echoed whole


def test_pending_deletion_and_options_are_read_as_the_export_holds_them(tmp_path: Path) -> None:
    document = copy.deepcopy(EXPORT)
    cluster = document["deployment"]["resources"][CLUSTER]
    cluster.update(
        delete=True,
        ignoreChanges=["tags"],
        aliases=["urn:pulumi:staging::data::aws:rds/cluster:Cluster::old"],
        customTimeouts={"create": 600},
        propertyDependencies={"kmsKeyId": None},
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    [layer] = read_stack_export(path).layers.values()
    read = next(r for r in layer.resources if r.urn == cluster["urn"])
    assert read.delete and read.ignore_changes == ("tags",)
    assert read.aliases == ("urn:pulumi:staging::data::aws:rds/cluster:Cluster::old",)
    assert read.custom_timeouts == {"create": 600.0}
    assert read.property_dependencies["kmsKeyId"] == ()
