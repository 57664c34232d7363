import pytest

from backfill_gateway.resolvers.errors import BadUserInput
from backfill_gateway.resolvers.pagination import PageWindow, cut_page, page_window


def window(**kwargs):
    arguments = dict(first=None, last=None, after=None, before=None)
    arguments.update(kwargs)
    return page_window(
        **arguments,
        default_page_size=20,
        max_page_size=100,
        decode_cursor=lambda cursor, argument: int(cursor),
    )


def test_default_page_size_when_neither_first_nor_last():
    assert window() == PageWindow(20, False, None, None)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [({"first": 0}, "first"), ({"first": 101}, "first"), ({"first": -5}, "first"),
     ({"last": 0}, "last"), ({"last": 1000}, "last"), ({"first": 1, "last": 1}, "last")],
)  # fmt: skip
def test_out_of_range_or_combined_sizes_name_the_argument(arguments, named):
    with pytest.raises(BadUserInput) as raised:
        window(**arguments)
    assert raised.value.argument == named


def test_cut_page_forward_exact_flags():
    rows = [1, 2, 3, 4]
    page, info = cut_page(
        rows, PageWindow(3, False, 0, None),
        exists_before_window=True, exists_after_window=False, cursor_of=str,
    )  # fmt: skip
    assert page == [1, 2, 3]
    assert (info.has_next_page, info.has_previous_page) == (True, True)
    assert (info.start_cursor, info.end_cursor) == ("1", "3")


def test_cut_page_backward_restores_order_and_flags():
    fetched_from_end = [9, 8, 7]
    page, info = cut_page(
        fetched_from_end, PageWindow(2, True, None, 10),
        exists_before_window=False, exists_after_window=True, cursor_of=str,
    )  # fmt: skip
    assert page == [8, 9]
    assert (info.has_next_page, info.has_previous_page) == (True, True)


def test_empty_page_has_no_cursors():
    page, info = cut_page(
        [], PageWindow(5, False, 3, None),
        exists_before_window=True, exists_after_window=False, cursor_of=str,
    )  # fmt: skip
    assert page == [] and info.start_cursor is None and info.end_cursor is None
    assert info.has_previous_page and not info.has_next_page


def test_page_cursors_are_encoded_only_when_asked_for():
    encoded: list[int] = []

    def cursor_of(row: int) -> str:
        encoded.append(row)
        return str(row)

    page, info = cut_page(
        [9, 8, 7], PageWindow(2, True, None, 10),
        exists_before_window=False, exists_after_window=True, cursor_of=cursor_of,
    )  # fmt: skip
    assert encoded == []  # a query without pageInfo cursors pays for none
    assert info.end_cursor == "9" and encoded == [9]
    assert info.start_cursor == "8" and encoded == [9, 8]
