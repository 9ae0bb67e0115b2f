import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from shared.environment import CLASSES, Environment, parse_environment
from shared.layers import (
    LAYER_NAMES,
    LAYERS,
    STACKS_DIR,
    Layer,
    UnknownLayerError,
    get_layer,
    with_upstream,
)
from tests.tooling.deploy.offline_deployer import OfflineDeployer
from tooling.deploy.orchestrator import DeployError, Orchestrator, SelectionError, select_layers
from tooling.outputs import REDACTED, OutputFileWriter

DEV = parse_environment("dev")
PROD = parse_environment("prod")
PR = parse_environment("pr-42")
# The graph's shape, read from shared.layers: the first layer reads nothing, the second reads only
# the first (an upstream comes earlier), and the first layer that reads another.
FIRST, SECOND, LAST = LAYERS[0], LAYERS[1], LAYERS[-1]
READER = next(layer for layer in LAYERS if layer.upstream)


def names(layers: Sequence[Layer]) -> list[str]:
    return [layer.name for layer in layers]


def listed(layers: Sequence[Layer]) -> str:
    return ", ".join(names(layers))


def resume(remaining: Sequence[Layer]) -> str:
    return f"RESUME --from {remaining[0].name}"


class Console:
    def __init__(self, *answers: str) -> None:
        self.lines: list[str] = []
        self.answers = list(answers)
        self.prompts: list[str] = []

    def say(self, line: str) -> None:
        self.lines.append(line)

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def make(tmp_path: Path, deployer: OfflineDeployer, *answers: str) -> tuple[Orchestrator, Console]:
    console = Console(*answers)
    orchestrator = Orchestrator(
        deployer=deployer, writer=OutputFileWriter(tmp_path), say=console.say, ask=console.ask
    )
    return orchestrator, console


def ups(deployer: OfflineDeployer) -> list[str]:
    return [layer for op, layer, _ in deployer.calls if op == "up"]


@pytest.mark.parametrize("environment", [DEV, PR], ids=lambda env: env.name)
def test_deploy_all_of_the_real_layers_chains_them_and_writes_every_contract_output(
    tmp_path: Path, environment: Environment
) -> None:
    deployer = OfflineDeployer(programs=STACKS_DIR)
    orchestrator, _ = make(tmp_path, deployer)

    assert orchestrator.deploy(environment, LAYERS, resume=resume) == 0

    flat = json.loads((tmp_path / environment.name / "flat-outputs.json").read_text())
    for layer in LAYERS:
        for output in layer.outputs:
            assert f"{layer.name}.{output}" in flat
        for output in layer.secret_outputs:
            assert flat[f"{layer.name}.{output}"] == REDACTED
    assert flat["app.alb_dns_name"] in flat["app.app_url"]
    assert flat["offline"] is False  # the writer's mark; this double stands in for a real deploy


def test_deploy_all_runs_every_layer_in_order_and_writes_their_outputs(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)

    assert orchestrator.deploy(DEV, LAYERS, resume=resume) == 0

    assert ups(deployer) == list(LAYER_NAMES)
    assert f"\n[2/{len(LAYERS)}] {SECOND.name} (dev)" in console.lines
    flat = json.loads((tmp_path / "dev" / "flat-outputs.json").read_text())
    assert flat["offline"] is False
    expected = {f"{layer.name}.{name}" for layer in LAYERS for name in layer.outputs}
    assert {key for key in flat if "." in key} == expected
    # Each contract program's values carry what it read: each layer saw its upstream's outputs.
    for layer in LAYERS:
        read = [
            (deployer.stacks[(name, "dev")], next(iter(get_layer(name).outputs)))
            for name in layer.upstream
        ]
        seen = "+".join(str(stack.outputs[first]) for stack, first in read if stack)
        for output in layer.outputs:
            value = flat[f"{layer.name}.{output}"]
            secret = output in layer.secret_outputs
            assert value == (REDACTED if secret else f"{layer.name}.{output}@dev<{seen}>")


def test_from_deploys_that_layer_and_every_later_one(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, _ = make(tmp_path, deployer)
    start = len(LAYERS) // 2
    orchestrator.deploy(DEV, select_layers(only=names(LAYERS[:start])), resume=resume)
    deployer.calls.clear()

    assert (
        orchestrator.deploy(DEV, select_layers(start_from=LAYERS[start].name), resume=resume) == 0
    )

    assert ups(deployer) == names(LAYERS[start:])


def test_only_deploys_exactly_the_named_layers_in_deploy_order(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, _ = make(tmp_path, deployer)
    chain = with_upstream([LAST.name])  # the last layer and everything it reads
    orchestrator.deploy(DEV, select_layers(only=[chain[0].name]), resume=resume)

    only = list(reversed(names(chain[1:])))
    assert orchestrator.deploy(DEV, select_layers(only=only), resume=resume) == 0

    assert ups(deployer) == names(chain)


def test_a_layer_whose_upstream_was_never_deployed_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)

    assert orchestrator.deploy(DEV, select_layers(start_from=READER.name), resume=resume) == 1

    assert deployer.calls == []
    read = READER.upstream[0]
    assert f"{READER.name} reads from {read}, which has no stack in dev" in console.text
    assert f"nox -s deploy-all -- dev --from {read}" in console.text


def test_a_failure_stops_leaves_downstream_untouched_and_says_how_to_resume(
    tmp_path: Path,
) -> None:
    deployer = OfflineDeployer(fail={SECOND.name: "policy aws-rds-instance-class violated"})
    orchestrator, console = make(tmp_path, deployer)

    assert orchestrator.deploy(DEV, LAYERS, resume=resume) == 1

    assert ups(deployer) == [FIRST.name, SECOND.name]
    assert f"{SECOND.name} (dev) failed: policy aws-rds-instance-class violated" in console.text
    assert f"Done: {FIRST.name}. Not touched: {listed(LAYERS[2:])}." in console.text
    assert console.lines[-1] == f"Resume with: RESUME --from {SECOND.name}"
    assert (tmp_path / "dev" / f"{FIRST.name}.json").exists()
    assert not (tmp_path / "dev" / f"{SECOND.name}.json").exists()

    deployer.fail.clear()
    assert orchestrator.deploy(DEV, select_layers(start_from=SECOND.name), resume=resume) == 0
    assert ups(deployer) == [FIRST.name, SECOND.name, *LAYER_NAMES[1:]]


def test_a_program_error_is_a_failure_with_its_message(tmp_path: Path) -> None:
    deployer = OfflineDeployer(programs=tmp_path / "missing-programs")
    orchestrator, console = make(tmp_path, deployer)

    assert orchestrator.deploy(DEV, LAYERS, resume=resume) == 1
    assert f"{FIRST.name} (dev) failed: layer {FIRST.name} (stack dev) failed" in console.text


@pytest.mark.parametrize("answer", ["n", "", "prod please"])
def test_prod_is_not_deployed_without_a_yes(tmp_path: Path, answer: str) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer, answer)

    assert orchestrator.deploy(PROD, LAYERS, resume=resume) == 1

    assert deployer.calls == []
    assert console.prompts == [f"Deploy {listed(LAYERS)} to prod? [y/N] "]
    assert "Nothing deployed to prod" in console.text


def test_prod_without_a_terminal_is_not_deployed(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, _ = make(tmp_path, deployer)  # no answers: ask() raises EOFError

    assert orchestrator.deploy(PROD, LAYERS, resume=resume) == 1
    assert deployer.calls == []


def test_prod_deploys_after_yes_or_with_the_flag(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer, "yes")
    assert orchestrator.deploy(PROD, select_layers(only=[FIRST.name]), resume=resume) == 0

    later = select_layers(start_from=SECOND.name)
    assert orchestrator.deploy(PROD, later, yes=True, resume=resume) == 0

    assert len(console.prompts) == 1
    assert ups(deployer) == list(LAYER_NAMES)


def test_non_prod_environments_never_ask(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    assert orchestrator.deploy(PR, LAYERS, resume=resume) == 0
    assert console.prompts == []


def _custom_class(
    monkeypatch: pytest.MonkeyPatch, *, confirm_deploy: bool = False, disposable: bool = False
) -> Environment:
    """An environment of a class `qa` whose profile is dev's with these flags: the flag decides."""
    dev = CLASSES["dev"]
    profile = dataclasses.replace(dev.profile, confirm_deploy=confirm_deploy, disposable=disposable)
    monkeypatch.setitem(CLASSES, "qa", dataclasses.replace(dev, profile=profile))
    return parse_environment("qa-1", "qa")


def test_any_class_whose_profile_says_confirm_deploy_asks_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer, "n", "n")
    asking = _custom_class(monkeypatch, confirm_deploy=True)
    assert orchestrator.deploy(asking, LAYERS, resume=resume) == 1
    assert orchestrator.destroy(asking) == 1
    assert len(console.prompts) == 2 and deployer.calls == []


def test_cleanup_pr_takes_any_disposable_class_and_refuses_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orchestrator, console = make(tmp_path, OfflineDeployer())
    kept = _custom_class(monkeypatch, disposable=False)
    assert orchestrator.cleanup_pr(kept) == 2
    assert "disposable class (pr)" in console.text
    disposable = _custom_class(monkeypatch, disposable=True)
    console.lines.clear()
    assert orchestrator.cleanup_pr(disposable) == 0  # nothing deployed, so nothing left
    assert "disposable class" not in console.text


class PlanRecorder:
    def __init__(self, error: str | None = None) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.error = error

    def __call__(self, environment: Environment, layers: Sequence[Layer]) -> None:
        self.calls.append((environment.name, [layer.name for layer in layers]))
        if self.error:
            raise DeployError(self.error)


def test_preview_of_a_new_environment_creates_nothing_and_shows_the_offline_plan(
    tmp_path: Path,
) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.offline_plan = offline = PlanRecorder()

    assert orchestrator.preview(DEV, LAYERS) == 0

    assert deployer.calls == []
    assert deployer.stacks == {}
    assert offline.calls == [("dev", list(LAYER_NAMES))]
    for layer in LAYERS:
        missing = ", ".join((*layer.upstream, layer.name))
        assert f"not previewable yet: stack(s) {missing} of dev do not exist yet" in console.text
    assert f"Previewed: none. Not previewable yet: {listed(LAYERS)}." in console.text


def test_preview_previews_deployed_layers_and_plans_the_rest_offline(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(DEV, select_layers(only=[FIRST.name]), resume=resume)
    deployer.calls.clear()
    orchestrator.offline_plan = offline = PlanRecorder()

    assert orchestrator.preview(DEV, LAYERS) == 0

    assert deployer.calls == [("preview", FIRST.name, "dev")]
    assert offline.calls == [("dev", names(LAYERS[1:]))]
    assert f"Previewed: {FIRST.name}. Not previewable yet: {listed(LAYERS[1:])}." in console.text


def test_a_stack_that_vanished_between_check_and_preview_is_not_previewable_yet(
    tmp_path: Path,
) -> None:
    class Vanishing(OfflineDeployer):
        def exists(self, layer: Layer, environment: Environment) -> bool:
            return True

    deployer = Vanishing()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.offline_plan = offline = PlanRecorder()

    assert orchestrator.preview(DEV, select_layers(only=[FIRST.name])) == 0
    assert offline.calls == [("dev", [FIRST.name])]
    assert f"not previewable yet: stack dev of stacks/{FIRST.name} does not exist" in console.text


def test_an_offline_plan_that_fails_fails_the_preview(tmp_path: Path) -> None:
    orchestrator, console = make(tmp_path, OfflineDeployer())
    orchestrator.offline_plan = PlanRecorder(error="the data layer raised ValueError")

    assert orchestrator.preview(DEV, LAYERS) == 1
    assert "the offline plan failed: the data layer raised ValueError" in console.text


def test_preview_runs_every_layer_once_they_exist_and_a_failure_does_not_stop_the_rest(
    tmp_path: Path,
) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(DEV, LAYERS, resume=resume)
    deployer.calls.clear()
    deployer.fail[SECOND.name] = "mandatory policy violated"

    assert orchestrator.preview(DEV, LAYERS) == 1

    assert [layer for op, layer, _ in deployer.calls] == list(LAYER_NAMES)
    assert f"Failed: {SECOND.name}." in console.text


def test_destroy_all_goes_in_reverse_order_and_forgets_the_outputs(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, _ = make(tmp_path, deployer)
    orchestrator.deploy(DEV, LAYERS, resume=resume)
    deployer.calls.clear()

    assert orchestrator.destroy(DEV) == 0

    assert [layer for _, layer, _ in deployer.calls] == list(reversed(LAYER_NAMES))
    assert not (tmp_path / "dev" / "flat-outputs.json").exists()
    assert all(deployer.stacks[(name, "dev")] is None for name in LAYER_NAMES)


def test_destroy_skips_layers_without_a_stack(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(DEV, select_layers(only=[FIRST.name]), resume=resume)
    deployer.calls.clear()

    assert orchestrator.destroy(DEV) == 0
    assert deployer.calls == [("destroy", FIRST.name, "dev")]
    for layer in LAYERS[1:]:
        assert f"no {layer.name} stack in dev: nothing to destroy" in console.text


@pytest.mark.parametrize("answer", ["yes", "y", "dev", ""])
def test_destroying_prod_needs_the_environment_name_typed(tmp_path: Path, answer: str) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer, answer)

    assert orchestrator.destroy(PROD) == 1

    assert deployer.calls == []
    assert "Type the environment name to confirm" in console.prompts[0]


def test_destroying_prod_after_typing_prod_or_with_the_flag(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, _ = make(tmp_path, deployer, "prod")
    orchestrator.deploy(PROD, LAYERS, yes=True, resume=resume)
    assert orchestrator.destroy(PROD) == 0
    assert orchestrator.destroy(PROD, yes=True) == 0


def test_protected_resources_are_reported_not_forced_and_upstream_layers_stay(
    tmp_path: Path,
) -> None:
    kept = SECOND  # read by later layers, reading the first
    urn = f"urn:pulumi:prod::{kept.name}::aws:rds/cluster:Cluster::db"
    deployer = OfflineDeployer(protected={kept.name: (urn,)})
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(PROD, LAYERS, yes=True, resume=resume)
    deployer.calls.clear()

    assert orchestrator.destroy(PROD, yes=True) == 1

    assert [layer for _, layer, _ in deployer.calls] == list(reversed(LAYER_NAMES[1:]))
    assert f"{kept.name} (prod) kept 1 protected resource(s), not forced:" in console.text
    assert f"  {urn}" in console.lines
    assert f"Stopped before {FIRST.name}" in console.text
    assert deployer.stacks[(FIRST.name, "prod")] is not None


def test_a_destroy_failure_stops_and_says_what_is_left(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(DEV, LAYERS, resume=resume)
    failing = LAYERS[-2]
    deployer.fail[failing.name] = "DependencyViolation"

    assert orchestrator.destroy(DEV) == 1

    assert f"{failing.name} (dev) destroy failed: DependencyViolation" in console.text
    still = listed(list(reversed(LAYERS[:-1])))
    assert f"Destroyed: {LAST.name}. Still there: {still}." in console.text


def test_cleanup_pr_destroys_every_layer_and_removes_stacks_and_outputs(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(PR, LAYERS, resume=resume)
    orchestrator.deploy(DEV, select_layers(only=[FIRST.name]), resume=resume)
    assert (tmp_path / "pr-42" / "flat-outputs.json").exists()

    assert orchestrator.cleanup_pr(PR) == 0

    assert not any(env == "pr-42" for _, env in deployer.stacks)
    assert not (tmp_path / "pr-42").exists()
    assert (tmp_path / "dev" / f"{FIRST.name}.json").exists()
    assert console.prompts == []


def test_cleanup_pr_refuses_long_lived_environments(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    assert orchestrator.cleanup_pr(DEV) == 2
    assert deployer.calls == []
    assert "use destroy-all" in console.text.lower()


def test_select_layers() -> None:
    assert select_layers() == LAYERS
    assert select_layers(start_from=SECOND.name) == LAYERS[1:]
    assert select_layers(only=[LAST.name, FIRST.name]) == (FIRST, LAST)
    with pytest.raises(SelectionError, match="either --from or --only"):
        select_layers(start_from=SECOND.name, only=[FIRST.name])
    with pytest.raises(UnknownLayerError, match="unknown layer 'dta'"):
        select_layers(start_from="dta")


def test_cleanup_pr_goes_on_past_a_failing_layer_and_reports_what_is_left(tmp_path: Path) -> None:
    deployer = OfflineDeployer()
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(PR, LAYERS, resume=resume)
    failing = LAYERS[1]  # read by a later layer, reading an earlier one
    deployer.fail[failing.name] = "DependencyViolation"

    assert orchestrator.cleanup_pr(PR) == 1

    # Every layer nothing still-standing reads was destroyed; what reads nothing left stays.
    gone = {name for op, name, _ in deployer.calls if op == "destroy"} - {failing.name}
    assert all((name, PR.name) not in deployer.stacks for name in gone)
    assert set(gone) == {layer.name for layer in LAYERS[LAYERS.index(failing) + 1 :]}, (
        "layers after the failing one (which it does not read) are destroyed first"
    )
    assert "Left in pr-42:" in console.text
    assert f"  {failing.name}: destroy failed: DependencyViolation" in console.lines
    for layer in LAYERS[: LAYERS.index(failing)]:
        assert (layer.name, PR.name) in deployer.stacks
        assert any(line.startswith(f"  {layer.name}: still read by") for line in console.lines)
    assert (tmp_path / "pr-42" / f"{LAYERS[0].name}.json").exists()


class LayerFilesIgnored(OutputFileWriter):
    """Output files exist only for the real layers; a made-up graph has none to forget."""

    def remove(self, environment: str, layer: str) -> None:
        pass


def test_cleanup_pr_destroys_every_layer_the_order_still_allows(tmp_path: Path) -> None:
    # Two layers read one base: when one of them fails, the other still goes, the base stays.
    base = Layer(name="base", upstream=(), outputs={})
    first = Layer(name="first", upstream=("base",), outputs={})
    second = Layer(name="second", upstream=("base",), outputs={})
    deployer = OfflineDeployer(fail={"second": "BucketNotEmpty"})
    for layer in (base, first, second):
        deployer.stacks[(layer.name, PR.name)] = None
    console = Console()
    orchestrator = Orchestrator(
        deployer=deployer,
        writer=LayerFilesIgnored(tmp_path),
        say=console.say,
        ask=console.ask,
        layers=(base, first, second),
    )

    assert orchestrator.cleanup_pr(PR) == 1

    assert [layer for op, layer, _ in deployer.calls if op == "destroy"] == ["second", "first"]
    assert ("first", PR.name) not in deployer.stacks
    assert console.lines[-3:] == [
        "  second: destroy failed: BucketNotEmpty",
        "  base: still read by second",
        "Fix the causes and run the same command again; finished layers are no-ops.",
    ]


def test_cleanup_pr_keeps_a_layer_with_protected_resources_and_what_it_reads(
    tmp_path: Path,
) -> None:
    kept = READER
    urn = f"urn:pulumi:pr-42::{kept.name}::aws:rds/cluster:Cluster::db"
    deployer = OfflineDeployer(protected={kept.name: (urn,)})
    orchestrator, console = make(tmp_path, deployer)
    orchestrator.deploy(PR, LAYERS, resume=resume)

    assert orchestrator.cleanup_pr(PR) == 1

    assert (kept.name, PR.name) in deployer.stacks
    assert f"  {kept.name}: 1 protected resource(s) kept" in console.lines
    for name in kept.upstream:
        assert f"  {name}: still read by {kept.name}" in console.lines
