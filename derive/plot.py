"""The error curve of a training run as a picture: laid out once, drawn as SVG, as TikZ by
the LaTeX template, as PDF (the SVG typeset by typst), or as PNG through matplotlib.

A log scale shows the whole run (the error falls by orders of magnitude); the decades are
ticked and labelled as powers of ten (10⁻¹, not 1e-1), the axes are named, and a title
too long for one line is broken over two (smaller if it must be), never clipped.
`chart` computes every position; the writers only place what it says.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from derive.errors import UsageError

WIDTH, HEIGHT = 640, 400  # px (SVG user units)
LEFT, RIGHT, BOTTOM = 80, 24, 60
TITLE = 15.0  # px, the title's size
TEXT = 12.0  # px, the ticks' and axes' size
CHARACTER = 0.56  # a character's width in ems (sans-serif, generous)
X_LABEL = "step (number of updates)"
Y_LABEL = "total error (log scale)"


@dataclass(frozen=True)
class Chart:
    """A laid-out error curve, in px with y growing downwards: the title's lines (centred
    at x = width / 2, baselines in `title_baselines`), the plot area, the polyline, and
    the ticks (``(y, exponent)`` on the log axis, ``(x, step as written)`` on the step axis)."""

    width: float
    height: float
    title: tuple[str, ...]
    title_size: float
    title_baselines: tuple[float, ...]
    left: float
    top: float
    right: float
    bottom: float
    points: tuple[tuple[float, float], ...]
    decades: tuple[tuple[float, int], ...]
    steps: tuple[tuple[float, str], ...]
    text_size: float = TEXT
    x_label: str = X_LABEL
    y_label: str = Y_LABEL

    @property
    def middle(self) -> tuple[float, float]:
        """The centre of the plot area (where the axis names are centred)."""
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)


def _points(curve: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    points = [(s, v) for s, v in curve if v > 0 and math.isfinite(v)]
    if not points:
        raise UsageError("cannot plot: the error is zero or not finite at every recorded step")
    return points


def _title_lines(title: str) -> tuple[tuple[str, ...], float]:
    """The title on one line, or broken at a space onto two, at a size that fits."""
    room = WIDTH - 2 * 12

    def fits(lines: Sequence[str], size: float) -> bool:
        return all(len(line) * CHARACTER * size <= room for line in lines)

    if fits([title], TITLE):
        return (title,), TITLE
    words = title.split()
    best = (title,)
    if len(words) > 1:
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        best = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    size = TITLE
    while not fits(best, size) and size > 7:
        size -= 0.5
    return tuple(best), size


def chart(
    curve: Sequence[tuple[int, float]],
    title: str,
    *,
    labels: tuple[str, str] = (X_LABEL, Y_LABEL),
    integer: Callable[[int], str] = "{:,}".format,
) -> Chart:
    """The error curve of (step, loss) pairs laid out, the loss on a log scale; the axes
    named by `labels` (steps, error) and the step ticks written by `integer` (the
    language's grouping of thousands)."""
    points = _points(curve)
    last = max(points[-1][0], 1)
    decades = _decades(min(v for _, v in points), max(v for _, v in points))
    low, high = decades[0], max(decades[-1], decades[0] + 1)
    lines, size = _title_lines(title)
    baselines = tuple(10 + size * (1 + 1.2 * i) for i in range(len(lines)))
    top = baselines[-1] + 14
    left, right, bottom = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(step: float) -> float:
        return round(left + (right - left) * step / last, 2)

    def y(value: float) -> float:
        return round(top + (bottom - top) * (high - math.log10(value)) / (high - low), 2)

    return Chart(
        WIDTH,
        HEIGHT,
        lines,
        size,
        tuple(round(b, 2) for b in baselines),
        left,
        round(top, 2),
        right,
        bottom,
        tuple((x(s), y(v)) for s, v in points),
        tuple((y(10.0**d), d) for d in range(low, high + 1)),
        tuple((x(t), integer(t)) for t in _step_ticks(last)),
        x_label=labels[0],
        y_label=labels[1],
    )


def _decades(low: float, high: float) -> list[int]:
    return list(range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1))


def _step_ticks(last: int) -> list[int]:
    """About five round numbers from 0 to `last`."""
    raw = last / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, last + 1, max(1, int(step))))


def _power(exponent: int) -> str:
    """10 to the `exponent`, as SVG text: 10 with a raised exponent (− a true minus)."""
    sign = "\N{MINUS SIGN}" if exponent < 0 else ""
    return f'10<tspan baseline-shift="super" font-size="75%">{sign}{abs(exponent)}</tspan>'


def svg(c: Chart) -> str:
    """The chart as a standalone SVG file."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{c.width}" height="{c.height}" '
        f'viewBox="0 0 {c.width} {c.height}" font-family="sans-serif" '
        f'font-size="{c.text_size}" role="img" aria-label="{escape(" ".join(c.title))}">',
        f"<title>{escape(' '.join(c.title))}</title>",
        f'<rect width="{c.width}" height="{c.height}" fill="white"/>',
    ]
    for line, baseline in zip(c.title, c.title_baselines, strict=True):
        parts.append(
            f'<text x="{c.width / 2}" y="{baseline}" text-anchor="middle" '
            f'font-size="{c.title_size}">{escape(line)}</text>'
        )
    for level, exponent in c.decades:
        parts.append(
            f'<line x1="{c.left}" x2="{c.right}" y1="{level}" y2="{level}" stroke="#ddd"/>'
            f'<text x="{c.left - 8}" y="{level + 4}" text-anchor="end">{_power(exponent)}</text>'
        )
    for at, step in c.steps:
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{c.top}" y2="{c.bottom}" stroke="#eee"/>'
            f'<text x="{at}" y="{c.bottom + 18}" text-anchor="middle">{escape(step)}</text>'
        )
    path = " ".join(f"{x},{y}" for x, y in c.points)
    mx, my = c.middle
    parts += [
        f'<rect x="{c.left}" y="{c.top}" width="{c.right - c.left}" '
        f'height="{c.bottom - c.top}" fill="none" stroke="black"/>',
        f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>',
        f'<text x="{mx}" y="{c.height - 15}" text-anchor="middle">{escape(c.x_label)}</text>',
        f'<text transform="translate(20 {my}) rotate(-90)" text-anchor="middle">'
        f"{escape(c.y_label)}</text>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def error_curve_svg(curve: Sequence[tuple[int, float]], title: str, **layout: Any) -> str:
    """A standalone SVG line chart of (step, loss), the loss on a log scale (`layout`: the
    axis labels and the step numbers' writing, as `chart` takes them)."""
    return svg(chart(curve, title, **layout))


def error_curve_pdf(curve: Sequence[tuple[int, float]], title: str, **layout: Any) -> bytes:
    """The same chart as a one-page PDF (for \\includegraphics): the SVG typeset by typst."""
    from derive.printing import typst_string
    from derive.typeset import typst_pdf

    c = chart(curve, title, **layout)
    page = (
        f"#set page(width: {c.width * 0.75}pt, height: {c.height * 0.75}pt, margin: 0pt)\n"
        f'#image(bytes({typst_string(svg(c))}), format: "svg", width: 100%)\n'
    )
    return typst_pdf(page)


def error_curve_png(curve: Sequence[tuple[int, float]], title: str, **layout: Any) -> bytes:
    """The same chart as PNG, drawn by matplotlib (an optional dependency)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise UsageError(
            "PNG plots need matplotlib: pip install matplotlib (or write an .svg plot)"
        ) from None
    points = _points(curve)
    lines, size = _title_lines(title)
    figure, axes = pyplot.subplots(figsize=(6.4, 4.0), dpi=100)
    axes.plot([s for s, _ in points], [v for _, v in points], color="#1f5fbf", linewidth=2)
    axes.set_yscale("log")  # decades labelled 10^{-1} (LogFormatterSciNotation)
    x_label, y_label = layout.get("labels", (X_LABEL, Y_LABEL))
    integer = layout.get("integer", "{:,}".format)
    axes.xaxis.set_major_formatter(lambda value, _position: integer(round(value)))
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_title("\n".join(lines), fontsize=size * 0.75)
    axes.grid(True, which="major", color="#ddd")
    figure.tight_layout()  # room for the title and the axis names: nothing is cut off
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    pyplot.close(figure)
    return buffer.getvalue()


def error_curve(
    curve: Sequence[tuple[int, float]], title: str, suffix: str, **layout: Any
) -> str | bytes:
    """The chart in the format a file suffix names (``.svg``, ``.pdf`` or ``.png``)."""
    if suffix == ".svg":
        return error_curve_svg(curve, title, **layout)
    if suffix == ".pdf":
        return error_curve_pdf(curve, title, **layout)
    if suffix == ".png":
        return error_curve_png(curve, title, **layout)
    raise UsageError(
        f"--plot: expected a file ending in .svg, .pdf or .png, got {suffix or 'no suffix'}"
    )
