"""An incremental cursor over newest-first listings: the newest creation time seen and the items seen within an
overlap window before it (dlt's `incremental` idea: last value plus the ids at the boundary). Used by the Reddit
connector; any newest-first source can use it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """Where a query stopped: the newest creation time seen, and the items seen within `overlap` seconds before it
    (with their times). The next run re-reads that window, so a post search indexed late under an older time is
    still found, and returns only what it had not seen."""

    created_utc: float
    recent: dict[str, float] = field(default_factory=dict)  # fullname → created_utc, within the overlap
    overlap: float = 0.0

    @classmethod
    def from_cursor(cls, state: dict | None, backfill_from: float, overlap: float = 0.0) -> Mark:
        if not state:
            return cls(backfill_from, {}, overlap)
        created = float(state["created_utc"])
        # cursors written before the overlap window kept only the ids at the newest time
        recent = state.get("recent") or {fullname: created for fullname in state.get("seen", ())}
        return cls(created, {key: float(value) for key, value in recent.items()}, overlap)

    def to_cursor(self) -> dict:
        return {"created_utc": self.created_utc, "recent": dict(sorted(self.recent.items()))}

    @property
    def reread_from(self) -> float:
        return self.created_utc - self.overlap

    def is_new(self, created_utc: float, fullname: str) -> bool:
        return created_utc >= self.reread_from and fullname not in self.recent

    def after(self, items: list) -> Mark:
        if not items:
            return self
        times = {**self.recent, **{item.fullname: float(item.created_utc) for item in items}}
        newest = max(self.created_utc, *times.values())
        return Mark(newest, {key: value for key, value in times.items() if value >= newest - self.overlap}, self.overlap)


def newer_than(listing, mark: Mark) -> list:
    """Items of a newest-first listing not seen since `mark`'s re-read point; stops paging at the first older one."""
    found = []
    for item in listing:
        created = float(item.created_utc)
        if created < mark.reread_from:
            break
        if mark.is_new(created, item.fullname):
            found.append(item)
    return found
