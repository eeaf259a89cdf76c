"""Imposition and cut marks (pure)."""

import pytest

from flashmob.tools.print.sheet import A4, A6, Rect, cut_marks, grid


def test_four_a6_tile_an_a4_page():
    cells = grid(A4, 2, 2, *A6)
    assert [(c.x, c.y) for c in cells] == [(0, 0.5), (105, 0.5), (0, 148.5), (105, 148.5)]
    assert all((c.w, c.h) == A6 for c in cells)


def test_grid_centres_and_refuses_what_does_not_fit():
    cells = grid(A4, 2, 4, 95, 65)
    assert cells[0].x == pytest.approx(10) and cells[0].y == pytest.approx(18.5)
    assert cells[-1].right == pytest.approx(200) and cells[-1].bottom == pytest.approx(278.5)
    with pytest.raises(ValueError):
        grid(A4, 3, 4, 95, 65)


def _inside(px, py, cell: Rect) -> bool:
    return cell.x + 1e-6 < px < cell.right - 1e-6 and cell.y + 1e-6 < py < cell.bottom - 1e-6


def _on_cut_line(seg, cells) -> bool:
    x1, y1, x2, y2 = seg
    edges_x = {c.x for c in cells} | {c.right for c in cells}
    edges_y = {c.y for c in cells} | {c.bottom for c in cells}
    return (x1 == x2 and x1 in edges_x) or (y1 == y2 and y1 in edges_y)


@pytest.mark.parametrize("layout", [(2, 2, *A6), (2, 4, 95, 65), (1, 2, 210, 148.5)])
def test_cut_marks_lie_on_cut_lines_and_never_cross_a_cell(layout):
    cols, rows, w, h = layout
    cells = grid(A4, cols, rows, w, h)
    marks = cut_marks(A4, cells)
    assert marks
    for seg in marks:
        assert _on_cut_line(seg, cells)
        x1, y1, x2, y2 = seg
        for t in (0.0, 0.5, 1.0):
            px, py = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            assert 0 <= px <= A4[0] and 0 <= py <= A4[1]
            # a mark over a cell is only allowed exactly on that cell's edge (it goes with the cut)
            assert not any(_inside(px, py, c) for c in cells)


def test_every_inner_cut_line_is_marked_at_both_ends():
    cells = grid(A4, 2, 2, *A6)
    marks = cut_marks(A4, cells)
    vertical = [m for m in marks if m[0] == m[2] == 105]
    horizontal = [m for m in marks if m[1] == m[3] == 148.5]
    assert len(vertical) == 2 and len(horizontal) == 2
    # kept off the paper edge, where home printers cannot print
    assert min(min(m[1], m[3]) for m in vertical) >= 4 and max(max(m[1], m[3]) for m in vertical) <= A4[1] - 4


def test_badge_marks_sit_in_the_margin():
    cells = grid(A4, 2, 4, 95, 65)
    for x1, y1, x2, y2 in cut_marks(A4, cells):
        if x1 == x2:
            assert max(y1, y2) <= cells[0].y or min(y1, y2) >= cells[-1].bottom
        else:
            assert max(x1, x2) <= cells[0].x or min(x1, x2) >= cells[-1].right
