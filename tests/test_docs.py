"""The README is tested against the code (like datasette's tests/test_docs.py): what the code declares — roles and
permission actions — must be documented, and what the README's tables list must exist."""
from __future__ import annotations

import re

import pytest

from careloop.permissions import ACTIONS, ROLES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


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
