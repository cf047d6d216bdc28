"""What a page looks like on paper in Chromium: its PDF's page count, and where its parts land
when laid out for print."""

from __future__ import annotations

import re

# A4 landscape less print.css's margins, in CSS pixels (96 per inch): the width the browser
# lays the printed page out in.
PAPER = {"width": round((297 - 14) / 25.4 * 96), "height": round((210 - 14) / 25.4 * 96)}


def pdf_pages(pdf: bytes) -> int:
    """Chromium writes each page as an uncompressed ``/Type /Page`` object."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def printed(page) -> bytes:
    """The page as Chromium prints it on A4 landscape, backgrounds included."""
    return page.pdf(format="A4", landscape=True, print_background=True)


def print_layout(page, selectors: dict[str, str]) -> dict[str, dict]:
    """The bounding box of each named part, laid out for print at the paper's width."""
    page.set_viewport_size(PAPER)
    page.emulate_media(media="print")
    # Wider than the paper, the browser would shrink the whole page to fit it.
    assert page.evaluate("document.documentElement.scrollWidth") <= PAPER["width"]
    boxes = {}
    for name, selector in selectors.items():
        box = page.locator(selector).bounding_box()
        assert box is not None, f"{name} ({selector}) is not laid out on paper"
        boxes[name] = {
            "left": box["x"],
            "top": box["y"],
            "right": box["x"] + box["width"],
            "bottom": box["y"] + box["height"],
        }
    return boxes


def overlapping(boxes: dict[str, dict]) -> list[tuple[str, str]]:
    """The pairs of parts whose boxes intersect (touching edges do not count)."""
    names = sorted(boxes)
    return [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if boxes[a]["left"] < boxes[b]["right"] - 0.5
        and boxes[b]["left"] < boxes[a]["right"] - 0.5
        and boxes[a]["top"] < boxes[b]["bottom"] - 0.5
        and boxes[b]["top"] < boxes[a]["bottom"] - 0.5
    ]


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - 0.5
        and inner["top"] >= outer["top"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


# The weekly summary's parts that must each have a place of their own on paper.
WEEKLY_PARTS = {
    "figures": "[data-testid=weekly-table]",
    "quality": "[data-testid=quality-without-incidents]",
    "incidents": "[data-testid=week-incidents]",
    "by_category": "#weekly-by-category",
    "trend": "#weekly-trend",
    "buildings": "[data-testid=top-buildings]",
    "notes": ".desk-weekly-notes",
}
WEEKLY_BOXES = {
    "by_category_box": "[data-testid=chart-by-category] .desk-chart-box",
    "trend_box": "[data-testid=chart-trend] .desk-chart-box",
}
