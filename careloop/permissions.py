"""Who may do what in the inbox: one table of named actions, each with what it lets a person do and the roles that
have it (like datasette's default_actions). Routes check an action with `inbox.web.require(action)`, templates show
or hide a button with `can(user, action)`, and the README's permissions table is tested against this one, so the
three never disagree. Imports nothing: the floor, read by the inbox, the CLI and the docs test alike.

A new route names the action it performs (a new one is added here with its description and roles); no route
checks a role by name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ROLES = ("agent", "marketing", "manager", "admin")


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    roles: frozenset[str]


AGENTS = frozenset({"agent", "admin"})
MANAGERS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})
EVERYONE = frozenset(ROLES)

ACTIONS: dict[str, Action] = {action.name: action for action in (
    Action("view queue", "see the queue and open a mention (or survey answer) with its draft and audit log", AGENTS),
    Action("approve reply", "approve a draft as written, to be published or sent", AGENTS),
    Action("edit reply", "change a draft's text and approve the edited text", AGENTS),
    Action("reject", "reject a draft, with a reason", AGENTS),
    Action("escalate", "hand a draft to a team, with a note", AGENTS),
    Action("mark no reply needed", "decide that a mention needs no reply, with a reason", AGENTS),
    Action("mark sent", "record that a manual reply was posted by hand", AGENTS),
    Action("retry publishing", "queue a failed reply for another attempt", AGENTS),
    Action("correct sentiment", "correct a mention's sentiment", AGENTS),
    Action("correct understanding", "correct a mention's topic, or mark it not about us (or about us after all)", AGENTS),
    Action("bulk actions", "decide on several queue items at once", AGENTS),
    Action("take over a claimed item", "take over a mention another agent has open, to decide on it", AGENTS),
    Action("add notes", "write an internal note on a mention (shown to colleagues, never sent out)", AGENTS),
    Action("export", "download agents' corrections (JSON lines) for retraining", AGENTS),
    Action("view reports", "see reports, digests and KPIs, and download their charts", EVERYONE),
    Action("edit own profile", "change one's display name, signatures, languages and brands", EVERYONE),
    Action("manage issues", "open known issues, edit them, move them through their statuses, accept or dismiss "
                            "possible issues", MANAGERS),
    Action("approve campaigns", "preview, test, approve or dismiss a known issue's notice campaign", MANAGERS),
    Action("view contacts", "see contacts and what was sent to them", MANAGERS),
    Action("manage saved replies", "add, edit and delete saved replies", ADMINS),
    Action("manage users", "see the inbox users, edit their profiles and restrict them to brands (added and "
                           "disabled with `careloop user`)", ADMINS),
)}


class HasRole(Protocol):
    role: str


class UnknownAction(KeyError):
    """A route or template names an action this table does not declare (a typo would otherwise deny silently)."""

    def __str__(self) -> str:
        return f"unknown action {self.args[0]!r}; declared actions: {', '.join(ACTIONS)}"


def action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise UnknownAction(name) from None


def can(user: HasRole | None, name: str) -> bool:
    """Whether `user` (None: nobody signed in) may perform the action `name`."""
    allowed = action(name).roles
    return user is not None and user.role in allowed
