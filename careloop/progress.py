"""Progress of long stages as lines a log can hold: "scoring: 2,048/10,000 (20%), 91/s, ETA 1m27s".

A spinner tells nothing in a log file or a Prefect flow-run log, so long stages report done/total and this turns
the reports into a line at most every `interval` seconds (and once at the end). Imports only the standard
library: every stage and both roofs (CLI, flows) may use it.
"""
from __future__ import annotations

import time
from typing import Callable


class ProgressLines:
    def __init__(self, label: str, emit: Callable[[str], None], interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self.label, self.emit, self.interval, self.clock = label, emit, interval, clock
        self.started = clock()
        self.last_emitted: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        finished = done >= total
        if not finished and self.last_emitted is not None and now - self.last_emitted < self.interval:
            return
        if self.last_emitted is None and not finished and now - self.started < self.interval:
            return  # short stages print nothing but their result
        self.last_emitted = now
        self.emit(describe(self.label, done, total, now - self.started))


def describe(label: str, done: int, total: int, elapsed: float) -> str:
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f" ({100 * done // total}%)" if total else ""
    line = f"{label}: {done:,}/{total:,}{share}, {rate:,.0f}/s"
    if done < total and rate > 0:
        line += f", ETA {_clock((total - done) / rate)}"
    return line


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
