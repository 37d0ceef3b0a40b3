"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable without CSS."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup


def format_number(value: float | Decimal | int | str) -> str:
    """Thousands separated, no spurious decimals.

    >>> format_number(15600000)
    '15,600,000'
    >>> format_number(Decimal("1234.50"))
    '1,234.5'
    >>> format_number("n/a")
    'n/a'
    """
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def bar_chart(
    bars: Sequence[tuple[str, float] | tuple[str, float, str]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
) -> Markup:
    """A horizontal bar chart with a label and a value on every bar; ``title`` is its name.
    A bar given a third element (a link, the figure's page) links there."""
    if not bars:
        return Markup("")
    bar_height, gap, label_width, value_width = 22, 8, 230, 110
    top = 8
    height = top + len(bars) * (bar_height + gap)
    largest = max((bar[1] for bar in bars), default=0) or 1
    plot = width - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        label, value = bar[0], bar[1]
        href = bar[2] if len(bar) > 2 else ""  # type: ignore[misc]
        y = top + index * (bar_height + gap)
        length = max(1.0, plot * (value / largest)) if value > 0 else 0
        short = label if len(label) <= 34 else label[:33] + "…"
        text = format_number(value) + (f" {unit}" if unit else "")
        bar_parts = [
            f'<g class="bar"><title>{escape(label)}: {escape(text)}</title>',
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>',
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}"/>',
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{escape(text)}</text></g>',
        ]
        if href:
            bar_parts = [f'<a href="{escape(href)}">', *bar_parts, "</a>"]
        parts += bar_parts
    parts.append("</svg>")
    return Markup("".join(parts))
