"""Progress lines for logs: steady interval, done/total, rate and ETA."""
from careloop.progress import ProgressLines


def test_lines_come_at_a_steady_interval_with_rate_and_eta():
    now = [0.0]
    lines = []
    progress = ProgressLines("scoring", lines.append, interval=10, clock=lambda: now[0])
    for step in range(1, 26):  # 100 mentions a second, 2,500 in all, a report per second
        now[0] = float(step)
        progress(step * 100, 2_500)
    assert lines == [
        "scoring: 1,000/2,500 (40%), 100/s, ETA 15s",
        "scoring: 2,000/2,500 (80%), 100/s, ETA 5s",
        "scoring: 2,500/2,500 (100%), 100/s",
    ]


def test_a_short_stage_prints_only_its_end():
    lines, now = [], [0.0]
    progress = ProgressLines("drafting", lines.append, interval=10, clock=lambda: now[0])
    now[0] = 1.0
    progress(5, 10)
    now[0] = 2.0
    progress(10, 10)
    assert lines == ["drafting: 10/10 (100%), 5/s"]
