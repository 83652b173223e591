"""The error curve of a training run as a picture: SVG written here, PNG through matplotlib.

A log scale shows the whole run (the error falls by orders of magnitude); the axes are
labelled and the decades ticked, so the picture can go straight onto a slide.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from html import escape

from derive.errors import UsageError

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 40, 60


def _decades(low: float, high: float) -> list[int]:
    return list(range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1))


def error_curve_svg(curve: Sequence[tuple[int, float]], title: str) -> str:
    """A standalone SVG line chart of (step, loss), the loss on a log scale."""
    points = [(s, v) for s, v in curve if v > 0 and math.isfinite(v)]
    if not points:
        raise UsageError("cannot plot: the error is zero or not finite at every recorded step")
    last = max(points[-1][0], 1)
    decades = _decades(min(v for _, v in points), max(v for _, v in points))
    low, high = decades[0], max(decades[-1], decades[0] + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(step: float) -> float:
        return LEFT + plot_w * step / last

    def y(value: float) -> float:
        return TOP + plot_h * (high - math.log10(value)) / (high - low)

    path = " ".join(f"{x(s):.2f},{y(v):.2f}" for s, v in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for decade in range(low, high + 1):
        level = y(10.0**decade)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{level:.2f}" y2="{level:.2f}" '
            f'stroke="#ddd"/><text x="{LEFT - 8}" y="{level + 4:.2f}" text-anchor="end">'
            f"1e{decade}</text>"
        )
    bottom = TOP + plot_h
    for tick in _step_ticks(last):
        at = x(tick)
        parts.append(
            f'<line x1="{at:.2f}" x2="{at:.2f}" y1="{TOP}" y2="{bottom}" stroke="#eee"/>'
            f'<text x="{at:.2f}" y="{bottom + 18}" text-anchor="middle">{tick:,}</text>'
        )
    parts += [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="none" stroke="black"/>',
        f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>',
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 15}" text-anchor="middle">'
        "step (number of updates)</text>",
        f'<text transform="translate(20 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">'
        "total error (log scale)</text>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _step_ticks(last: int) -> list[int]:
    """About five round numbers from 0 to `last`."""
    raw = last / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, last + 1, max(1, int(step))))


def error_curve_png(curve: Sequence[tuple[int, float]], title: str) -> bytes:
    """The same chart as PNG, drawn by matplotlib (an optional dependency)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise UsageError(
            "PNG plots need matplotlib: pip install matplotlib (or write an .svg plot)"
        ) from None
    points = [(s, v) for s, v in curve if v > 0 and math.isfinite(v)]
    if not points:
        raise UsageError("cannot plot: the error is zero or not finite at every recorded step")
    figure, axes = pyplot.subplots(figsize=(6.4, 4.0), dpi=100)
    axes.plot([s for s, _ in points], [v for _, v in points], color="#1f5fbf", linewidth=2)
    axes.set_yscale("log")
    axes.set_xlabel("step (number of updates)")
    axes.set_ylabel("total error (log scale)")
    axes.set_title(title)
    axes.grid(True, which="major", color="#ddd")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    pyplot.close(figure)
    return buffer.getvalue()


def error_curve(curve: Sequence[tuple[int, float]], title: str, suffix: str) -> str | bytes:
    """The chart in the format a file suffix names (``.svg`` or ``.png``)."""
    if suffix == ".svg":
        return error_curve_svg(curve, title)
    if suffix == ".png":
        return error_curve_png(curve, title)
    raise UsageError(f"--plot: expected a file ending in .svg or .png, got {suffix or 'no suffix'}")
