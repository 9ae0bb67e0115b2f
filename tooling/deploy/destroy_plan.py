"""What `destroy-all` would do, read offline from the environment's plan: `destroy-all <env> --plan`.

Each resource the layers declare is deleted, kept (Pulumi `protect`: the destroy leaves it and
stops before the layers it reads; `retainOnDelete`: Pulumi forgets it and AWS keeps it) or blocks
(AWS refuses the delete as the resource is configured). Buckets with `forceDestroy` are emptied
first, every object version and delete marker included (the provider lists and deletes them
before `DeleteBucket`). A bucket without it blocks: the plan cannot see a bucket's objects, and
the access-log bucket is never empty, since S3 logs even the provider's own reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from shared.layers import LAYERS, Layer

BUCKET = "aws:s3/bucket:Bucket"

Fate = Literal["deleted", "emptied", "kept", "blocks"]


@dataclass(frozen=True)
class Refusal:
    """An input that makes AWS refuse the delete while it is on, and why."""

    input: str
    when_set: bool
    reason: str


# Per type, what makes AWS refuse a delete (the provider's delete calls fail on them).
REFUSALS: Mapping[str, tuple[Refusal, ...]] = {
    BUCKET: (
        Refusal(
            "forceDestroy",
            False,
            "S3 refuses to delete a bucket that holds objects (BucketNotEmpty) and "
            "force_destroy is off",
        ),
    ),
    "aws:rds/cluster:Cluster": (
        Refusal("deletionProtection", True, "RDS deletion protection is on"),
    ),
    "aws:lb/loadBalancer:LoadBalancer": (
        Refusal("enableDeletionProtection", True, "ELB deletion protection is on"),
    ),
}


class Planned(Protocol):
    """One resource of the plan, as this module reads it (tooling.offline's Resource fits)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def retain_on_delete(self) -> bool: ...
    @property
    def custom(self) -> bool: ...


@dataclass(frozen=True)
class Entry:
    layer: str
    type: str
    name: str
    urn: str
    fate: Fate
    reason: str = ""


@dataclass(frozen=True)
class LayerDestroy:
    layer: str
    entries: tuple[Entry, ...]
    reached: bool = True  # False: an earlier layer's kept or blocking resource stops the destroy

    def of(self, fate: Fate) -> list[Entry]:
        return [e for e in self.entries if e.fate == fate]


@dataclass(frozen=True)
class DestroyPlan:
    environment: str
    layers: tuple[LayerDestroy, ...] = field(default_factory=tuple)

    def of(self, fate: Fate) -> list[Entry]:
        return [e for layer in self.layers for e in layer.of(fate)]

    @property
    def finishes(self) -> bool:
        """The destroy would remove every stack: nothing blocks, nothing protected stops it."""
        return not any(_stops(layer.entries) for layer in self.layers)


PROTECTED = "protected: the destroy leaves it and stops before what it reads"


def _stops(entries: Iterable[Entry]) -> bool:
    return any(e.fate == "blocks" or e.reason == PROTECTED for e in entries)


def fate_of(resource: Planned) -> tuple[Fate, str]:
    if resource.protect:
        return "kept", PROTECTED
    if resource.retain_on_delete:
        return "kept", "retained: Pulumi forgets it, it stays in AWS"
    inputs = resource.inputs
    for refusal in REFUSALS.get(resource.type, ()):
        if bool(inputs.get(refusal.input)) is refusal.when_set:
            return "blocks", refusal.reason
    if resource.type == BUCKET:
        return "emptied", "force_destroy: every object version is deleted, then the bucket"
    return "deleted", ""


def destroy_plan(
    environment: str,
    resources: Mapping[str, Iterable[Planned]],
    layers: Sequence[Layer] = LAYERS,
) -> DestroyPlan:
    """The destroy of `layers` in reverse order; each layer's resources from `resources[name]`.

    Like the orchestrator, a layer that keeps a protected resource or has a blocker stops the
    destroy before the layers after it (which it reads), so those are marked not reached."""
    planned: list[LayerDestroy] = []
    stopped = False
    for layer in reversed(tuple(layers)):
        entries = tuple(
            Entry(layer.name, r.type, r.name, r.urn, *fate_of(r))
            for r in resources.get(layer.name, ())
            if r.custom and not r.type.startswith("pulumi:")
        )
        planned.append(LayerDestroy(layer.name, entries, reached=not stopped))
        stopped = stopped or _stops(entries)
    return DestroyPlan(environment, tuple(planned))


_SECTIONS: tuple[tuple[Fate, str], ...] = (
    ("emptied", "emptied and deleted"),
    ("kept", "kept"),
    ("blocks", "blocks"),
)


def render(plan: DestroyPlan, say: Callable[[str], None]) -> None:
    say(f"Destroy plan of {plan.environment} (offline, from its plan; no AWS involved):")
    for layer in plan.layers:
        deleted = layer.of("deleted")
        head = f"\n{layer.layer}: {len(deleted) + len(layer.of('emptied'))} deleted"
        say(head + ("" if layer.reached else " (not reached: the destroy stops before it)"))
        for fate, title in _SECTIONS:
            for entry in layer.of(fate):
                say(f"  {title}: {entry.type} {entry.name}: {entry.reason}")
    emptied, kept, blocks = plan.of("emptied"), plan.of("kept"), plan.of("blocks")
    total = len(plan.of("deleted")) + len(emptied)
    say(
        f"\n{total} deleted ({len(emptied)} bucket(s) emptied first), {len(kept)} kept, "
        f"{len(blocks)} blocking."
    )
    if plan.finishes:
        say(f"`nox -s destroy-all -- {plan.environment}` would remove every layer.")
    else:
        say(
            f"`nox -s destroy-all -- {plan.environment}` would stop: set the blocking settings "
            "off with an `up` first, or unprotect what must go (`pulumi state unprotect`)."
        )
