"""Cross-source duplicates: the same story through two sources (same URL after stripping tracking parameters,
or the same text of 40+ characters) is counted once.

One rule, whatever the order sources were fetched in: mentions that share a canonical URL or an identifying text
hash form a group (transitively); the group's original is the member published first, ties broken by (source
name, external id), and every member from another source than the original points at it (`duplicate_of_id`).
Copies within the original's own source are not duplicates (a source does not repeat itself by accident).

Linking at insert time cannot give that: two sources ingested at once do not see each other's uncommitted rows
(the demo gave 69 or 68 distinct mentions depending on timing). So every ingest run re-checks the groups its new
and edited mentions belong to, after they are committed, under one lock: the last pass sees every row.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.locks import hold
from store.models import Mention, Source

from .identity import identifies_story

LOCK = "link-duplicates"
_CHUNK = 400


def relink(session: Session, mention_ids: Iterable[int]) -> set[int]:
    """Apply the rule to every group the given mentions belong (or belonged) to. Returns the ids among
    `mention_ids` that are duplicates afterwards. Takes the linking lock for the caller's transaction."""
    touched = set(mention_ids)
    if not touched:
        return set()
    hold(session, LOCK)
    members: dict[int, tuple] = {}
    # a mention linked to an edited one may have lost its group: re-check it too
    seeds = _rows(session, [condition for chunk in _chunks(touched)
                            for condition in (Mention.id.in_(chunk), Mention.duplicate_of_id.in_(chunk))])
    frontier = seeds
    urls: set[str] = set()
    hashes: set[str] = set()
    while frontier:
        new_urls, new_hashes = set(), set()
        for row in frontier:
            members[row.id] = row
            if row.canonical_url and row.canonical_url not in urls:
                new_urls.add(row.canonical_url)
            if row.text_hash not in hashes and identifies_story(row.title, row.text):
                new_hashes.add(row.text_hash)
        urls |= new_urls
        hashes |= new_hashes
        frontier = [row for row in _by_keys(session, new_urls, new_hashes) if row.id not in members]
    duplicates = set()
    for group in _groups(members.values()):
        original = min(group, key=_first_published)
        for row in group:
            wanted = original.id if row.source_id != original.source_id else None
            if wanted is not None and row.id in touched:
                duplicates.add(row.id)
            if row.duplicate_of_id != wanted:
                session.execute(update(Mention).where(Mention.id == row.id).values(duplicate_of_id=wanted)
                                .execution_options(synchronize_session=False))
    return duplicates


def _first_published(row) -> tuple:
    # undated items sort last: a dated copy is better evidence of who had the story first
    return (row.published_at is None, row.published_at or datetime.max, row.source_name, row.external_id)


def _groups(rows) -> list[list]:
    """Connected components over shared URL or identifying hash (union-find)."""
    parent = {row.id: row.id for row in rows}

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    first_with: dict[tuple[str, str], int] = {}
    for row in rows:
        keys = [("url", row.canonical_url)] if row.canonical_url else []
        if identifies_story(row.title, row.text):
            keys.append(("hash", row.text_hash))
        for key in keys:
            if key in first_with:
                parent[find(row.id)] = find(first_with[key])
            else:
                first_with[key] = row.id
    components: dict[int, list] = {}
    for row in rows:
        components.setdefault(find(row.id), []).append(row)
    return [group for group in components.values() if len(group) > 1 or group[0].duplicate_of_id is not None]


def _query():
    return select(Mention.id, Mention.source_id, Source.name.label("source_name"), Mention.external_id,
                  Mention.published_at, Mention.canonical_url, Mention.text_hash, Mention.title, Mention.text,
                  Mention.duplicate_of_id).join(Source, Source.id == Mention.source_id)


def _rows(session: Session, conditions) -> list:
    return [row for condition in conditions for row in session.execute(_query().where(condition))]


def _by_keys(session: Session, urls: set[str], hashes: set[str]) -> list:
    url_list, hash_list = sorted(urls), sorted(hashes)
    conditions = []
    for start in range(0, max(len(url_list), len(hash_list)), _CHUNK):
        conditions.append(or_(Mention.canonical_url.in_(url_list[start:start + _CHUNK]),
                              Mention.text_hash.in_(hash_list[start:start + _CHUNK])))
    return _rows(session, conditions)


def _chunks(ids: set[int]):
    ordered = sorted(ids)
    return [ordered[start:start + _CHUNK] for start in range(0, len(ordered), _CHUNK)]
