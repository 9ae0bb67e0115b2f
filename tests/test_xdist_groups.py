"""`--dist loadgroup` (nox -s tests, CI) still sends an `xdist_group` to one worker.

The suite relies on it to start shared processes once (the conformance packs). pytest 9.2 broke it
silently: xdist writes the group into a node id field pytest stopped reading, and the groups were
then spread over every worker (pytest-dev/pytest-xdist#1386; pyproject.toml pins pytest below it).
"""

from typing import Any

import pytest
from xdist.remote import WorkerInteractor  # type: ignore[import-untyped]


class _LoadgroupConfig:
    """What a worker's config says under `--dist loadgroup`."""

    def getvalue(self, name: str) -> Any:
        return name == "loadgroup"


def test_a_group_mark_reaches_the_node_id_the_scheduler_splits_on(
    request: pytest.FixtureRequest,
) -> None:
    item = pytest.Function.from_parent(request.node.parent, name=request.node.name)
    item.add_marker(pytest.mark.xdist_group("shared"))
    # The hook a worker runs after collection; the controller groups by the id's `@<group>` suffix.
    WorkerInteractor.pytest_collection_modifyitems(None, _LoadgroupConfig(), [item])
    assert item.nodeid == f"{request.node.nodeid}@shared"
