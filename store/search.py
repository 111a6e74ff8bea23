"""Full-text search over mentions: their title, text and the text of their drafts, diacritics-insensitive for
Latin scripts ("reklamace nefunguje" finds "Reklamace — nefunguje", "zaruka" finds "záruka"; Russian matches as
typed). The search documents are kept current by the database's triggers (migration s16a): SQLite's FTS5 table
`mention_search`, PostgreSQL's tsvector table `mention_search` with a GIN index.

What a user types is never search syntax: it is cut into words (letters and digits), each quoted, so `"`, `*`,
`NEAR(` or `OR` are words like any other and cannot make FTS5 fail. Every word must occur. A word typed with a
trailing `*` and at least PREFIX_FROM letters also matches as the start of longer words, for Czech and Slovak
endings ("reklamac*" finds "reklamace" and "reklamaci"). Only on request: the index yields whole words in the
page's order (newest first) and stops after the page, 0.3–0.5 ms for a word 20,000 of 100,000 mentions have,
while a prefix merges every match first (40–60 ms for the same word on the loaded 2-core machine)."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Select, column, func, literal_column, table, text

from .models import Mention

MAX_WORDS = 10  # each word is one more index lookup; a pasted paragraph is not a search
MAX_CHARACTERS = 200
PREFIX_FROM = 3  # "a*" would expand to every word starting with a: searched as the word "a"
SEARCH_TABLE = "mention_search"

_WORD = re.compile(r"([^\W_]+)(\*?)")
_fts = table(SEARCH_TABLE, column("rowid"))
_documents = table(SEARCH_TABLE, column("mention_id"), column("document"))


class SearchError(ValueError):
    """The search text cannot be searched for (too many words); the message names it."""


def search_words(typed: str) -> list[str]:
    """The words of what a user typed: runs of letters and digits (NFC, so a decomposed "á" stays one letter),
    ending in "*" where a word of PREFIX_FROM letters or more is to match as a prefix."""
    shown = typed if len(typed) <= 60 else typed[:57] + "…"
    if len(typed) > MAX_CHARACTERS:
        raise SearchError(f"search for at most {MAX_CHARACTERS} characters: {shown!r} has {len(typed)}")
    words = [word + ("*" if star and len(word) >= PREFIX_FROM else "")
             for word, star in _WORD.findall(unicodedata.normalize("NFC", typed))]
    if len(words) > MAX_WORDS:
        raise SearchError(f"search for at most {MAX_WORDS} words: {shown!r} has {len(words)}")
    return words


def matching(query: Select, words: list[str], dialect: str) -> Select:
    """`query`, which selects from mentions, narrowed to the mentions whose search document has every one of
    `words`, newest (highest id) first. The index yields matches in that order, so a LIMIT stops early instead of
    sorting every match of a common word."""
    if dialect == "sqlite":
        phrase = " ".join('"' + word.rstrip("*") + '"' + ("*" if word.endswith("*") else "") for word in words)
        return (query.join(_fts, _fts.c.rowid == Mention.id)
                .where(text(f"{SEARCH_TABLE} MATCH :search_phrase").bindparams(search_phrase=phrase))
                .order_by(_fts.c.rowid.desc()))
    # Words are letters and digits only, so they cannot carry tsquery operators; folded by the same function
    # as the documents.
    phrase = " & ".join(word.rstrip("*") + (":*" if word.endswith("*") else "") for word in words)
    wanted = func.to_tsquery(literal_column("'simple'"), func.careloop_fold(phrase))
    return (query.join(_documents, _documents.c.mention_id == Mention.id)
            .where(_documents.c.document.op("@@")(wanted))
            .order_by(_documents.c.mention_id.desc()))


# The SQLite side of migration s16a. A later migration that alters `mentions` or `drafts` in batch mode
# (copy, drop, rename) drops their triggers with the old table: env.py re-creates them after every upgrade
# (restore_sqlite_triggers), so search cannot silently stop seeing new mentions.
SQLITE_REPLIES = "coalesce((SELECT group_concat(d.text, ' ') FROM drafts d WHERE d.mention_id = {id}), '')"
_REFRESH = "UPDATE mention_search SET replies = " + SQLITE_REPLIES.format(id="mention_search.rowid") + " WHERE rowid IN ({ids});"
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS mention_search_insert AFTER INSERT ON mentions BEGIN INSERT INTO mention_search "
    "(rowid, title, body, replies) VALUES (new.id, coalesce(new.title, ''), new.text, " + SQLITE_REPLIES.format(id="new.id") + "); END",
    "CREATE TRIGGER IF NOT EXISTS mention_search_update AFTER UPDATE OF title, text ON mentions BEGIN "
    "UPDATE mention_search SET title = coalesce(new.title, ''), body = new.text WHERE rowid = new.id; END",
    "CREATE TRIGGER IF NOT EXISTS mention_search_delete AFTER DELETE ON mentions BEGIN "
    "DELETE FROM mention_search WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS draft_search_insert AFTER INSERT ON drafts WHEN new.mention_id IS NOT NULL BEGIN "
    + _REFRESH.format(ids="new.mention_id") + " END",
    "CREATE TRIGGER IF NOT EXISTS draft_search_update AFTER UPDATE OF text, mention_id ON drafts BEGIN "
    + _REFRESH.format(ids="old.mention_id, new.mention_id") + " END",
    "CREATE TRIGGER IF NOT EXISTS draft_search_delete AFTER DELETE ON drafts WHEN old.mention_id IS NOT NULL BEGIN "
    + _REFRESH.format(ids="old.mention_id") + " END",
]


def restore_sqlite_triggers(connection) -> None:
    """Re-create any of the search triggers a table copy dropped (nothing when the search table is absent)."""
    if connection.exec_driver_sql(f"SELECT 1 FROM sqlite_master WHERE name = '{SEARCH_TABLE}'").first() is None:
        return
    for statement in SQLITE_TRIGGERS:
        connection.exec_driver_sql(statement)


def include_in_autogenerate(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's autogenerate (env.py and the schema test): the search table and FTS5's shadow tables
    (mention_search_data, _idx, _content, _docsize, _config) are made by migration s16a, not by the models."""
    return not (type_ == "table" and name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")))
