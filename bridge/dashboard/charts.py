"""Bar charts drawn as inline SVG on the server: no chart library, no script."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..services.dashboard import CycleGroup

__all__ = ["BarChart", "bar_chart", "duration_text"]

DAY = 86400.0


def duration_text(span: timedelta) -> str:
    """A duration as a reader says it: 3.5天, 5小时12分, 8分钟, 40秒."""
    seconds = span.total_seconds()
    if seconds >= DAY:
        return f"{seconds / DAY:.1f}天"
    if seconds >= 3600:
        return f"{int(seconds // 3600)}小时{int(seconds % 3600 // 60)}分"
    if seconds >= 60:
        return f"{int(seconds // 60)}分钟"
    return f"{int(seconds)}秒"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    median: str
    p90: str
    median_width: float
    p90_width: float
    y: int


@dataclass(frozen=True)
class BarChart:
    """Two bars per group (median over the 90th percentile), on one scale."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    plot_width: int
    day_x: float | None
    """Where one day falls on the scale (the target), if within it."""


ROW = 44


def bar_chart(
    groups: list[CycleGroup], label_width: int = 200, plot_width: int = 480
) -> BarChart:
    scale = max((g.p90.total_seconds() for g in groups), default=0.0) or 1.0
    bars = [
        Bar(
            g.label,
            g.count,
            duration_text(g.median),
            duration_text(g.p90),
            round(plot_width * g.median.total_seconds() / scale, 1),
            round(plot_width * g.p90.total_seconds() / scale, 1),
            i * ROW,
        )
        for i, g in enumerate(groups)
    ]
    day_x = round(plot_width * DAY / scale, 1) if DAY <= scale else None
    return BarChart(
        bars,
        label_width + plot_width + 150,
        max(len(bars), 1) * ROW + 24,
        label_width,
        plot_width,
        day_x,
    )
