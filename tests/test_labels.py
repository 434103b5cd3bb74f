"""Where the animation names its municipalities (sim/present/labels.py): beside their circles,
on no circle and no other name, whatever the names' lengths and the circles' places."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.present import labels
from sim.present.labels import HEIGHT, Label, choose, layout, layouts, lines, place, text_width

DRECHTSTEDEN = [  # (x, y, r) of sim/present/map_layout.py's layout, in map units
    ("Dordrecht", 254.1, 717.0, 85.0),
    ("Zwijndrecht", 175.9, 590.4, 51.8),
    ("Papendrecht", 373.3, 500.0, 44.1),
    ("Hendrik-Ido-Ambacht", 120.0, 397.5, 43.7),
    ("Sliedrecht", 626.7, 602.5, 39.0),
    ("Alblasserdam", 246.7, 295.0, 35.0),
    ("Hardinxveld-Giessendam", 880.0, 500.0, 33.2),
]


def overlap(a, b, margin: float = 0.0) -> bool:
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def on_circle(box, circle) -> bool:
    x, y, r = circle
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return math.hypot(x - nx, y - ny) < r - 1e-9


def near(box, circle) -> tuple[float, float]:
    x, y, _ = circle
    return x - min(max(x, box[0]), box[2]), y - min(max(y, box[1]), box[3])


def apart_circles(draw_positions):
    """Circles that do not overlap one another (as map_layout's are pushed apart)."""
    out = []
    for x, y, r in draw_positions:
        if all(math.hypot(x - a, y - b) >= r + c for a, b, c in out):
            out.append((x, y, r))
    return out


circles = st.lists(
    st.tuples(st.floats(0, 1000), st.floats(0, 1000), st.floats(5, 90)),
    min_size=1,
    max_size=12,
).map(apart_circles)


@settings(max_examples=60, deadline=None)
@given(circles, st.data())
def test_no_label_covers_a_circle_or_another_label(spots, data):
    sizes = data.draw(
        st.lists(
            st.tuples(st.floats(10, 700), st.floats(10, 80)),
            min_size=len(spots),
            max_size=len(spots),
        )
    )
    gap = data.draw(st.floats(0, 20))
    boxes = place(spots, sizes, gap)
    assert len(boxes) == len(spots)
    for i, (box, (w, h)) in enumerate(zip(boxes, sizes, strict=True)):
        assert math.isclose(box[2] - box[0], w) and math.isclose(box[3] - box[1], h)
        assert not any(on_circle(box, c) for c in spots)
        assert not any(overlap(box, other, gap - 1e-6) for other in boxes[i + 1 :])


@settings(max_examples=40, deadline=None)
@given(
    circles,
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzIMW- ", min_size=1, max_size=30),
        min_size=12,
        max_size=12,
    ),
    st.sampled_from(labels.SIZES),
    st.sampled_from(labels.SPREADS),
)
def test_a_layout_frames_every_name_and_mark_whole(spots, names, size, spread):
    shown = [Label(n, "✓9", "✗9") for n in names[: len(spots)]]
    out = layout(spots, shown, size, spread)
    vx, vy, vw, vh = out["view"]
    boxes = []
    for lab, row in zip(shown, out["labels"], strict=True):
        parts = lines(lab.name)
        y0 = row[0] - labels.BASELINE * size
        for q, part in enumerate(parts):
            x, w = row[5 + 2 * q], row[6 + 2 * q]
            assert math.isclose(w, text_width(part, size), abs_tol=0.1)
            line = (x, y0 + q * HEIGHT * size, x + w, y0 + (q + 1) * HEIGHT * size)
            boxes.append(line)
        for x, room in ((row[1], row[3]), (row[2], row[4])):  # ✓ and ✗ beside the first line
            boxes.append((x, y0, x + room, y0 + HEIGHT * size))
    for box in boxes:  # inside the frame: nothing is cut off
        assert vx - 0.2 <= box[0] and box[2] <= vx + vw + 0.2
        assert vy - 0.2 <= box[1] and box[3] <= vy + vh + 0.2
    named = [(*out["at"][i], r) for i, (_, _, r) in enumerate(spots)]  # where it drew them
    for box in boxes:
        assert not any(on_circle(box, c) for c in named)
    for k, a in enumerate(boxes):  # name lines and marks of all labels: none on another
        assert not any(overlap(a, b, -0.2) for b in boxes[k + 1 :])


def test_the_longest_dutch_names_are_set_on_two_lines_at_a_hyphen():
    assert lines("Hendrik-Ido-Ambacht") == ["Hendrik-", "Ido-Ambacht"]
    assert lines("Hardinxveld-Giessendam") == ["Hardinxveld-", "Giessendam"]
    assert lines("Alblasserdam") == ["Alblasserdam"]  # no hyphen: one line
    assert lines("Ede-Wageningen") == ["Ede-", "Wageningen"]


def test_the_drechtsteden_names_stand_beside_their_own_circles():
    spots = [(x, y, r) for _, x, y, r in DRECHTSTEDEN]
    shown = [Label(n, "✓9", "✗9") for n, *_ in DRECHTSTEDEN]
    for size in labels.SIZES:
        out = layout(spots, shown, size, 1.0)
        for i, row in enumerate(out["labels"]):
            # each name nearer its own circle than any other circle, or joined to it by a line
            y0 = row[0] - labels.BASELINE * size
            k = len(row[5:]) // 2
            box = (
                min(row[5::2]),
                y0,
                max(x + w for x, w in zip(row[5::2], row[6::2], strict=True)),
                y0 + k * HEIGHT * size,
            )
            gaps = [max(math.hypot(*near(box, c)) - c[2], 0) for c in spots]
            assert gaps[i] <= min(gaps) + 1e-6 or out["leads"][i] is not None, (size, i)


def test_the_page_and_its_choice_ask_for_names_large_enough():
    spots = [(x, y, r) for _, x, y, r in DRECHTSTEDEN]
    options = layouts(spots, [Label(n, "✓9", "✗9") for n, *_ in DRECHTSTEDEN])
    for width, height, wanted in ((1100, 470, 28.8), (890, 330, 28.8), (640, 230, 15.4)):
        pick = choose(options, width, height, wanted)
        shown = pick["size"] * min(width / pick["view"][2], height / pick["view"][3])
        assert shown >= wanted  # reached at these sizes
        fits = [
            o
            for o in options
            if o["size"] * min(width / o["view"][2], height / o["view"][3]) >= wanted
        ]
        assert all(
            min(width / o["view"][2], height / o["view"][3])
            <= min(width / pick["view"][2], height / pick["view"][3]) + 1e-9
            for o in fits
        )  # and of those that reach it, the one that draws the map largest
    tiny = choose(options, 100, 60, 28.8)  # none reaches it: the largest names there are
    assert tiny["size"] * min(100 / tiny["view"][2], 60 / tiny["view"][3]) == max(
        o["size"] * min(100 / o["view"][2], 60 / o["view"][3]) for o in options
    )
