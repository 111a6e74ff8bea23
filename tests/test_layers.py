"""The project's shape, as the README's architecture section draws it: no import circle between files or packages,
the layers contract (pyproject.toml, checked by `lint-imports` in `make test`) in the stage order careloop/stages.py
writes once, prefect.yaml and the README following that list, and no module over 400 lines."""
from __future__ import annotations

import re
import tomllib

import grimp
import pytest
import yaml

from careloop.config import StageSchedules
from careloop.stages import LOOP_ONCE, STAGES, deployments
from connectors import connector_types
from tests.conftest import REPO

CONTRACT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
PACKAGES = CONTRACT["root_packages"]
LAYERS = next(contract for contract in CONTRACT["contracts"] if contract["id"] == "layers")["layers"]
MAX_LINES = 400


def layer_modules(layer: str) -> list[str]:
    return [name.strip() for name in re.split(r"[|:]", layer)]


# careloop/ holds modules of several layers (the roof: CLI, web application, loop runner, stage list; the CLI's
# context; the floor: configuration and neutral helpers). The package graph keeps each layer's share of it apart,
# as the contract does: taken as one node, careloop would be in a circle with every stage.
CARELOOP_LAYER = {module: f"careloop (layer {number})" for number, layer in enumerate(LAYERS)
                  for module in layer_modules(layer) if module.startswith("careloop.")}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def package_of(module: str) -> str:
    if module.split(".")[0] != "careloop":
        return module.split(".")[0]
    return CARELOOP_LAYER.get(".".join(module.split(".")[:2]), "careloop")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one node, as one shortest circle through its first node."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's algorithm; the recursion is as deep as the longest import chain
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [shortest_circle(component[0], set(component), edges) for component in components]


def shortest_circle(start: str, members: set[str], edges: dict[str, set[str]]) -> list[str]:
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(edges.get(path[-1], ())):
            if target == start:
                return path + [start]
            if target in members and target not in seen:
                seen.add(target)
                paths.append(path + [target])
    return [start]


def test_no_import_circle_between_modules(graph):
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    found = cycles(edges)
    assert not found, "import circles between modules:\n" + "\n".join(" -> ".join(circle) for circle in found)


def test_no_import_circle_between_packages(graph):
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for target in graph.find_modules_directly_imported_by(module):
            if package_of(target) != package_of(module):
                edges.setdefault(package_of(module), set()).add(package_of(target))
    found = cycles(edges)
    assert not found, "import circles between packages:\n" + "\n".join(" -> ".join(circle) for circle in found)


def test_every_package_and_careloop_module_has_a_layer(graph):
    """A module the contract does not name is checked by nothing: each top-level package and each module of
    careloop/ (floor and roof side by side) must be in one layer."""
    named = {module for layer in LAYERS for module in layer_modules(layer)}
    expected = {package for package in PACKAGES if package != "careloop"}
    expected |= {module for module in graph.find_children("careloop")}
    assert sorted(expected - named) == []


def test_contract_orders_the_stages_as_the_stage_list_does():
    stage_layers = [layer for layer in LAYERS if layer in {stage.name for stage in STAGES}]
    assert stage_layers == [stage.name for stage in reversed(STAGES)]
    assert LAYERS.index("careloop.stages") < LAYERS.index(STAGES[-1].name)
    assert LAYERS.index(STAGES[0].name) < LAYERS.index("connectors") < LAYERS.index("store")


def test_prefect_yaml_declares_the_stages_deployments():
    """prefect.yaml stays a file (`prefect deploy --all` reads it); it must name what the stages declare, with the
    schedules careloop.yaml's `schedules:` default to and the same one-at-a-time limits."""
    written = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    order = [deployment.entrypoint for deployment in [*deployments(), LOOP_ONCE]]
    declared = dict(zip(order, [*deployments(), LOOP_ONCE]))
    assert {entry["entrypoint"] for entry in written} == set(order)
    defaults = StageSchedules()
    for entry in written:
        deployment = declared[entry["entrypoint"]]
        one_at_a_time = entry.get("concurrency_limit", {}).get("limit") == 1
        assert one_at_a_time == deployment.one_at_a_time, entry["name"]
        if deployment is LOOP_ONCE:
            assert entry["name"] == LOOP_ONCE.name and "schedules" not in entry
        elif deployment.per_source:
            assert entry["name"].startswith(deployment.name + "-")
            assert entry["parameters"]["source_type"] in connector_types(), entry["name"]
        else:
            assert entry["name"] == deployment.name
            assert entry["schedules"] == [{"cron": getattr(defaults, deployment.name)}], entry["name"]


def test_every_scheduled_deployment_has_a_schedule_setting():
    scheduled = [deployment.name for deployment in deployments() if not deployment.per_source]
    assert sorted(scheduled) == sorted(StageSchedules.model_fields)


def test_readme_stage_table_follows_the_stage_list():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    folders = re.findall(r"^\| `(\w+)/`", readme, flags=re.MULTILINE)
    stages = [folder for folder in folders if folder in {stage.name for stage in STAGES}]
    assert stages == [stage.name for stage in STAGES]


def test_no_module_over_400_lines():
    """Tests and migrations aside, a module longer than this holds two things that want names of their own."""
    long = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long[str(path.relative_to(REPO))] = lines
    assert long == {}
