"""The README is tested against the code (like datasette's tests/test_docs.py): what the code declares — source
types and their options, CLI commands, `stats --json` keys, roles and permission actions — must be documented, and
the sources table exists once."""
from __future__ import annotations

import re

import pytest
import typer

from careloop.cli import app
from careloop.config import load_config
from careloop.permissions import ACTIONS, ROLES
from careloop.stats import collect_stats
from connectors import source_options
from store.db import connect, session_scope
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SOURCE_TABLE_HEADER = "| source `type` |"


def _commands(command, path: tuple[str, ...] = ()) -> list[str]:
    """Every leaf command of the CLI's tree, as typed: "issue update"."""
    if hasattr(command, "commands"):
        return [found for name, sub in command.commands.items() for found in _commands(sub, (*path, name))]
    return [" ".join(path)]


def _source_row(source_type: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| `{source_type}` ")]
    assert len(rows) == 1, f"the sources table has {len(rows)} rows for type {source_type!r}"
    return rows[0]


@pytest.mark.parametrize("source_type", sorted(source_options()))
def test_every_source_type_and_option_is_in_the_sources_table(source_type):
    row = _source_row(source_type)
    missing = [name for name in source_options()[source_type].model_fields if f"`options.{name}`" not in row]
    assert not missing, f"{source_type}: options not in its README row: {missing}"


def test_the_sources_table_exists_once():
    connectors_readme = (REPO / "connectors" / "README.md").read_text(encoding="utf-8")
    assert README.count(SOURCE_TABLE_HEADER) == 1 and SOURCE_TABLE_HEADER not in connectors_readme
    assert "../README.md#sources" in connectors_readme


def test_every_cli_command_is_in_the_readme():
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 30
    missing = [name for name in commands if not re.search(rf"careloop {re.escape(name)}(?![\w-])", README)]
    assert not missing, f"commands the README does not show: {missing}"


def test_every_stats_json_key_is_documented(tmp_path):
    """The keys of a real `stats` (the example configuration on a fresh database), against the README's `stats`
    row and the paragraph after the commands table."""
    engine = connect(f"sqlite:///{tmp_path / 'careloop.db'}")
    with session_scope(engine) as session:
        keys = collect_stats(session, load_config(REPO / "examples" / "careloop.yaml"))
    engine.dispose()
    documented = next(line for line in README.splitlines() if line.startswith("| `careloop stats"))
    documented += README.split("`stats --json` also has", 1)[1].split("\n\n", 1)[0]
    missing = [key for key in keys if f"`{key}`" not in documented]
    assert not missing, f"stats --json keys the README does not name: {missing}"


def _table_after(heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first Markdown table under `heading`, header and separator left out."""
    section = README.split(heading, 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    start = section.splitlines().index(lines[0])
    rows = []
    for line in section.splitlines()[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]


def test_the_permissions_table_is_the_declared_one():
    header = README.split("### Who may do what", 1)[1].split("\n|", 1)[1].splitlines()[0]
    assert [cell.strip().strip("`") for cell in header.strip("|").split("|")][2:] == list(ROLES)
    documented = {row[0]: row for row in _table_after("### Who may do what")}
    assert list(documented) == list(ACTIONS), "the README lists other actions than careloop/permissions.py"
    for name, action in ACTIONS.items():
        row = documented[name]
        assert row[1] == action.description, name
        assert [cell == "✓" for cell in row[2:]] == [role in action.roles for role in ROLES], name


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_documented(role):
    assert re.search(rf"`{role}`", README), f"role {role!r} is not in the README"
