"""PagedTable: one page of widgets at a time, search, selection across pages, row clicks, escaping."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import pytest

from workbench.ui import FrameSource, PagedTable, SqlSource


def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [f"i{k:03d}" for k in range(n)],
            "input": [{"q": f"question {k}"} for k in range(n)],
            "tier": [k % 3 for k in range(n)],
        }
    )


def test_shows_one_page_and_pages_through() -> None:
    table = PagedTable(FrameSource(frame(60)), page_size=25)
    assert table.rendered_rows == 25
    assert table.pages == 3
    assert "page 1 of 3" in table.page_label.value
    assert table.prev_button.disabled
    table.next_button.click()
    table.next_button.click()
    assert table.page == 2
    assert [r["item_id"] for r in table.rows] == [f"i{k:03d}" for k in range(50, 60)]
    assert table.rendered_rows == 10
    assert table.widget_count == 3 + 25 * 3  # header and 25 reused row slots, 15 of them hidden now
    assert sum(w.layout.display != "none" for w in table.grid.children) == 3 + 10 * 3
    assert "page 3 of 3" in table.page_label.value
    assert table.next_button.disabled
    table.prev_button.click()
    assert table.rows[0]["item_id"] == "i025"


def test_paging_reuses_the_same_widgets() -> None:
    table = PagedTable(FrameSource(frame(100)), selectable=True, on_row_click=lambda _row: None)
    before = [w.model_id for w in table.grid.children]
    table.next_button.click()
    table.search.value = "question 7"
    table.go(1)
    assert [w.model_id for w in table.grid.children] == before


def test_search_filters_and_goes_back_to_page_one() -> None:
    table = PagedTable(FrameSource(frame(60)), page_size=10)
    table.go(3)
    table.search.value = "question 5"
    assert table.page == 0
    assert [r["item_id"] for r in table.rows] == [
        "i005",
        "i050",
        "i051",
        "i052",
        "i053",
        "i054",
        "i055",
        "i056",
        "i057",
        "i058",
    ]
    assert table.total == 11
    assert "page 1 of 2" in table.page_label.value


def test_selection_is_kept_across_pages_with_a_live_count() -> None:
    seen: list[list[str]] = []
    table = PagedTable(FrameSource(frame(60)), selectable=True)
    table.on_select(seen.append)
    assert "0 of 60 selected" in table.selected_label.value
    table.checkbox("i001").value = True
    table.checkbox("i003").value = True
    table.next_button.click()
    table.checkbox("i030").value = True
    assert table.selected == ["i001", "i003", "i030"]
    assert "3 of 60 selected" in table.selected_label.value
    assert seen[-1] == ["i001", "i003", "i030"]
    table.prev_button.click()
    assert table.checkbox("i001").value is True
    assert table.checkbox("i002").value is False
    table.checkbox("i001").value = False
    assert table.selected == ["i003", "i030"]


def test_select_page_select_all_matching_and_clear() -> None:
    table = PagedTable(FrameSource(frame(60)), selectable=True, page_size=10)
    table.select_page_button.click()
    assert len(table.selected) == 10
    assert all(table.checkbox(f"i{k:03d}").value for k in range(10))
    table.search.value = "question 4"
    table.select_all_button.click()
    assert len(table.selected) == 10 + 10  # i004 is on page 1 already; i040-i049 are new
    assert "20 of 60 selected" in table.selected_label.value
    table.clear_button.click()
    assert table.selected == []
    assert not any(box.value for box in (table.checkbox(r["item_id"]) for r in table.rows))


def test_selected_can_be_set() -> None:
    table = PagedTable(FrameSource(frame(5)), selectable=True)
    table.selected = ["i002", "i004"]
    assert table.checkbox("i002").value is True
    assert "2 of 5 selected" in table.selected_label.value


def test_row_click_calls_back_with_the_row() -> None:
    clicked: list[dict[str, Any]] = []
    table = PagedTable(FrameSource(frame(5)), on_row_click=clicked.append)
    table.open_button("i003").click()
    assert clicked[0]["item_id"] == "i003"
    assert clicked[0]["input"] == {"q": "question 3"}


def test_cells_are_escaped_and_truncated() -> None:
    df = pd.DataFrame({"item_id": ["<b>x</b>"], "input": ["<script>alert(1)</script>" + "y" * 300]})
    table = PagedTable(FrameSource(df), max_chars=50)
    shown = "".join(getattr(w, "value", "") for w in table.grid.children if isinstance(getattr(w, "value", None), str))
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;b&gt;x&lt;/b&gt;" in shown
    assert "y" * 60 not in shown.split("title=")[0]  # the cell text is cut (the tooltip keeps more)
    assert "\u2026" in shown


def test_page_size_is_bounded() -> None:
    with pytest.raises(ValueError, match="page_size"):
        PagedTable(FrameSource(frame(1)), page_size=51)


def test_empty_source_says_so() -> None:
    table = PagedTable(FrameSource(frame(0)))
    assert table.rendered_rows == 0
    assert "page 1 of 1" in table.page_label.value
    assert table.empty_note.layout.display is None
    assert "No rows" in table.empty_note.value
    table.set_source(FrameSource(frame(3)))
    assert table.empty_note.layout.display == "none"


def test_sql_source_pages_and_searches_in_duckdb() -> None:
    source = SqlSource(
        "select i as n, 'id_' || i::varchar as item_id, 'text ' || i::varchar as body from range(1000) t(i)",
        order_by="n",
        search_columns=["item_id", "body"],
    )
    assert source.count("") == 1000
    assert list(source.page("", 10, 5)["item_id"]) == ["id_10", "id_11", "id_12", "id_13", "id_14"]
    assert source.count("text 99") == 11
    assert source.count("_9") == 111  # "_" is a character, not a wildcard
    assert source.count("%") == 0
    assert source.keys("text 999") == ["id_999"]
    table = PagedTable(source, selectable=True, page_size=50)
    assert table.rendered_rows == 50
    assert table.pages == 20


def test_updates_from_another_thread_and_the_users_paging_run_one_at_a_time() -> None:
    entered, release = threading.Event(), threading.Event()
    watcher: list[threading.Thread] = []

    class Slow(FrameSource):
        def page(self, search: str, offset: int, limit: int) -> pd.DataFrame:
            if watcher and threading.current_thread() is watcher[0]:
                entered.set()
                release.wait(10)
            return super().page(search, offset, limit)

    table = PagedTable(Slow(frame(60)), page_size=10)
    watcher.append(threading.Thread(target=table.refresh))  # a watcher reloading the page
    watcher[0].start()
    assert entered.wait(10)
    paged = threading.Event()

    def page_three() -> None:
        table.go(3)
        paged.set()

    user = threading.Thread(target=page_three)
    user.start()
    try:
        assert not paged.wait(0.2)  # the user's paging waits for the watcher's refresh
    finally:
        release.set()
        watcher[0].join(10)
        user.join(10)
    assert paged.is_set()
    assert table.page == 3
    assert [r["item_id"] for r in table.rows] == [f"i{k:03d}" for k in range(30, 40)]
    assert table.page_label.value.startswith("page 4 of 6")


def test_a_render_in_another_thread_never_swallows_the_users_tick() -> None:
    table = PagedTable(FrameSource(frame(5)), selectable=True)
    holding, release = threading.Event(), threading.Event()

    def syncing() -> None:  # a watcher thread in the middle of setting checkboxes itself
        table._syncing = True
        holding.set()
        release.wait(10)
        table._syncing = False

    helper = threading.Thread(target=syncing)
    helper.start()
    try:
        assert holding.wait(10)
        table.checkbox("i002").value = True
    finally:
        release.set()
        helper.join(10)
    assert table.selected == ["i002"]
