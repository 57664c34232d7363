"""The dashboard in headless Chromium against a real gateway server, offline.

The server reads the demo dataset (24 backfills: running, paused, completed, orphaned,
skipped slots, 1,000+ slots) on every backend. What the page shows is checked against the
database, read here with our own SQL, not through the gateway: the progress bars' values,
the slot grids, the orphans; a run that changes the way Airflow changes it moves its bar
without a reload; the finalize flow writes what the page says. No request leaves 127.0.0.1.

`UPDATE_SCREENSHOTS=1` also saves the screenshots to docs/screenshots/ (committed).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from backfill_gateway.demo import build_demo_dataset
from tests.conftest import FIXED_NOW
from tests.support.airflow_versions import dataset_for, load_versioned_dataset
from tests.support.dashboard_browser import open_dashboard, wait_until_loaded
from tests.support.finalize import ADMIN_TOKEN, READER_TOKEN, TOKENS
from tests.support.graphiql_browser import chromium_path
from tests.support.prefixed_app import PREFIX
from tests.support.server import running_server

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
GRACE = timedelta(seconds=600)  # the default orphan grace period
LIVE_POLL_SECONDS = "1"
REASONS = {"already exists": "ALREADY_EXISTS", "in flight": "IN_FLIGHT", "unknown": "UNKNOWN"}


def screenshot(page_or_element, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page_or_element.screenshot(path=path)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)


def sql(url: str, statement: str, **params) -> list:
    """Rows of `statement` on the test's database (our own reading, not the gateway's).
    In a thread of its own: Playwright's sync API runs an event loop in this one."""

    async def run() -> list:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


@pytest.fixture
def demo_url(empty_database) -> str:
    """A fresh database of this backend with the demo dataset (tests here write to it)."""
    chromium_path()  # skip before loading anything when there is no browser
    dataset = dataset_for(empty_database.version, build_demo_dataset(FIXED_NOW))

    async def load() -> None:
        engine = create_async_engine(empty_database.url)
        try:
            await load_versioned_dataset(engine, dataset, empty_database.version)
        finally:
            await engine.dispose()

    asyncio.run(load())
    return empty_database.url


def server_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "GATEWAY_TOKENS": TOKENS,
        "GATEWAY_LIVE_POLL_SECONDS": LIVE_POLL_SECONDS,
        "TEST_SERVER_LOG": str(tmp_path / "gateway.log"),
    }


@pytest.fixture
def gateway_url(demo_url, tmp_path) -> Iterator[str]:
    with running_server(server_env(demo_url, tmp_path)) as (base_url, _, _):
        yield base_url


def finished_percent_by_backfill(url: str) -> dict[int, float]:
    """Percent of each backfill's slots with nothing left to run: skipped, run gone, or
    run succeeded or failed (`progress.finishedFraction`'s definition)."""
    rows = sql(url, """
        SELECT s.backfill_id, COUNT(*),
               SUM(CASE WHEN s.exception_reason IS NOT NULL OR r.id IS NULL
                          OR r.state IN ('success', 'failed') THEN 1 ELSE 0 END)
        FROM backfill_dag_run s LEFT JOIN dag_run r ON r.id = s.dag_run_id
        GROUP BY s.backfill_id
    """)  # fmt: skip
    return {backfill_id: 100 * int(done) / count for backfill_id, count, done in rows}


def expected_orphans(url: str, now: datetime) -> list[int]:
    """Active backfills without slots or queued/running runs, older than the grace period."""
    rows = sql(url, """
        SELECT b.id, b.created_at FROM backfill b
        WHERE b.completed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM backfill_dag_run s WHERE s.backfill_id = b.id)
          AND NOT EXISTS (SELECT 1 FROM dag_run r WHERE r.backfill_id = b.id
                                                  AND r.state IN ('queued', 'running'))
    """)  # fmt: skip
    return sorted(b for b, created in rows if as_utc(created) <= now - GRACE)


def as_utc(value) -> datetime:
    if isinstance(value, str):  # SQLite
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def bar_values(page) -> list[tuple[int, dict]]:
    """Each shown card's backfill id and progress bar's attributes, in page order."""
    return page.eval_on_selector_all(
        "#backfills > li",
        """cards => cards.map(card => {
            const bar = card.querySelector('[role=progressbar]');
            return [card.dataset.backfillId, {
              now: bar.getAttribute('aria-valuenow'), min: bar.getAttribute('aria-valuemin'),
              max: bar.getAttribute('aria-valuemax'), label: bar.getAttribute('aria-label'),
              status: card.dataset.status, slots: card.querySelectorAll('.slot').length,
            }];
        })""",
    )


def shown_ids(page) -> list[int]:
    return [int(i) for i in page.eval_on_selector_all("#backfills > li", "cs => cs.map(c => c.dataset.backfillId)")]


def test_bars_grids_and_pages_match_the_database(gateway_url, demo_url, tmp_path):
    percents = finished_percent_by_backfill(demo_url)
    backfills = {b: (dag, n) for b, dag, n in sql(demo_url, """
        SELECT b.id, b.dag_id, (SELECT COUNT(*) FROM backfill_dag_run s WHERE s.backfill_id = b.id)
        FROM backfill b""")}  # fmt: skip
    newest_first = sorted(backfills, reverse=True)

    with open_dashboard(f"{gateway_url}/dashboard") as (page, record):
        first_page = bar_values(page)
        page_info = page.text_content("#page-info")
        shown_skipped = skipped_cells(page)
        shown_task_counts = task_counts(page)
        screenshot(page, tmp_path, "dashboard.png")
        skipping = page.locator("#backfills > li", has=page.locator("details.skipped")).first
        skipping.locator("summary").click()
        screenshot(skipping, tmp_path, "dashboard-skipped-slots.png")
        page.click("#next-page")
        page.wait_for_function("() => document.getElementById('page-info').textContent.startsWith('21')")
        wait_until_loaded(page)
        second_page = shown_ids(page)
        page.click("#prev-page")
        page.wait_for_function("() => document.getElementById('page-info').textContent.startsWith('1–')")
        wait_until_loaded(page)
        back_to_first = shown_ids(page)
        # A named bar, as assistive technology finds it.
        named = page.get_by_role("progressbar", name=f"Backfill {newest_first[1]} of {backfills[newest_first[1]][0]}")
        assert named.count() == 1

    record.assert_offline_and_clean()
    assert page_info == f"1–20 of {len(backfills)}"
    assert [int(i) for i, _ in first_page] == newest_first[:20]
    assert second_page == newest_first[20:]
    assert back_to_first == newest_first[:20]
    for backfill_id, bar in first_page:
        dag_id, slot_count = backfills[int(backfill_id)]
        assert bar["label"] == f"Backfill {backfill_id} of {dag_id}"
        assert (bar["min"], bar["max"]) == ("0", "100")
        assert bar["slots"] == min(slot_count, 100)  # one page of the grid, not 1,000 cells
        if slot_count == 0:
            assert bar["now"] is None  # indeterminate: no slots, no fraction
        else:
            assert float(bar["now"]) == pytest.approx(percents[int(backfill_id)], abs=0.05)
    assert any(n > 100 for _, n in backfills.values())  # the demo's large backfill is paged

    # Skipped slots: marked with their reason and the run that blocked them.
    expected_skipped = skipped_slots(demo_url, newest_first[:20])
    assert expected_skipped  # the demo skips slots on the first page
    assert {k: (reason, run) for k, reason, run, _ in shown_skipped} == expected_skipped
    for _, reason, run, label in shown_skipped:
        assert f"skipped ({reason})" in label
        assert (f"blocked by run {run} (" in label) if run else ("no longer exists" in label)
    # Task instances by state, per backfill.
    expected_tasks = task_counts_by_backfill(demo_url)
    assert any(total for total, _, _ in expected_tasks.values())
    for backfill_id in newest_first[:20]:
        total, success, failed = expected_tasks.get(backfill_id, (0, 0, 0))
        shown = shown_task_counts[str(backfill_id)]
        assert shown.get("total") == str(total), backfill_id
        assert shown.get("success", "0") == str(success), backfill_id
        assert shown.get("failed", "0") == str(failed), backfill_id


def skipped_slots(url: str, backfill_ids: list[int]) -> dict[tuple[int, int], tuple[str, str | None]]:
    """(backfill, ordinal) of each skipped slot drawn (the first 100 of a backfill) -> its
    reason and the run_id of its DAG's run for the same logical date (or partition, for a
    partitioned DAG), if one exists."""
    rows = sql(url, """
        SELECT s.backfill_id, s.sort_ordinal, s.exception_reason,
               (SELECT MIN(r.run_id) FROM dag_run r
                WHERE r.dag_id = b.dag_id
                  AND (r.logical_date = s.logical_date
                       OR (s.logical_date IS NULL AND r.partition_key = s.partition_key)))
        FROM backfill_dag_run s JOIN backfill b ON b.id = s.backfill_id
        WHERE s.exception_reason IS NOT NULL AND s.sort_ordinal <= 100""")  # fmt: skip
    return {(b, o): (REASONS[r], run) for b, o, r, run in rows if b in backfill_ids}


def task_counts_by_backfill(url: str) -> dict[int, tuple[int, int, int]]:
    """Task instances of each backfill's slots' runs: all, succeeded, failed."""
    rows = sql(url, """
        SELECT s.backfill_id, COUNT(*),
               SUM(CASE WHEN t.state = 'success' THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.state = 'failed' THEN 1 ELSE 0 END)
        FROM backfill_dag_run s
        JOIN dag_run r ON r.id = s.dag_run_id
        JOIN task_instance t ON t.dag_id = r.dag_id AND t.run_id = r.run_id
        GROUP BY s.backfill_id""")  # fmt: skip
    return {b: (int(n), int(ok), int(bad)) for b, n, ok, bad in rows}


def skipped_cells(page) -> list:
    return [
        ((b, o), reason, run, label)
        for b, o, reason, run, label in page.eval_on_selector_all(
            ".slot-skipped",
            """cells => cells.map(cell => [
                Number(cell.closest('li').dataset.backfillId),
                Number(cell.getAttribute('aria-label').match(/^#(\\d+)/)[1]),
                cell.dataset.reason, cell.dataset.blockingRun ?? null,
                cell.getAttribute('aria-label')])""",
        )
    ]


def task_counts(page) -> dict[str, dict[str, str]]:
    return page.eval_on_selector_all(
        "#backfills > li",
        """cards => Object.fromEntries(cards.map(card => [card.dataset.backfillId,
            Object.fromEntries([...card.querySelectorAll('.task-counts dd')]
                .map(dd => [dd.dataset.taskState, dd.textContent]))]))""",
    )


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_filters_by_status_and_dag(gateway_url, demo_url):
    orphans = expected_orphans(demo_url, datetime.now(UTC))
    dag_id, dag_backfills = max(
        ((d, sorted(b for b, in sql(demo_url, "SELECT id FROM backfill WHERE dag_id = :d", d=d)))
         for d, in sql(demo_url, "SELECT DISTINCT dag_id FROM backfill")),
        key=lambda item: len(item[1]),
    )  # fmt: skip

    with open_dashboard(f"{gateway_url}/dashboard") as (page, record):
        page.check("input[name=status][value=ORPHANED]")
        page.click("#filters button[type=submit]")
        page.wait_for_function("() => [...document.querySelectorAll('#backfills > li')].every(c => c.dataset.status === 'ORPHANED')")
        wait_until_loaded(page)
        orphaned_shown = shown_ids(page)
        page.uncheck("input[name=status][value=ORPHANED]")
        page.fill("#dag-filter", dag_id)
        page.click("#filters button[type=submit]")
        page.wait_for_function(f"() => document.getElementById('page-info').textContent.endsWith('of {len(dag_backfills)}')")
        wait_until_loaded(page)
        dag_shown = shown_ids(page)

    record.assert_offline_and_clean()
    assert orphans and sorted(orphaned_shown) == orphans
    assert sorted(dag_shown) == dag_backfills and len(dag_backfills) > 1


# Cards the live updates redrew (the page counts them on its status line's element).
REDRAWN = "() => Number(document.getElementById('live-status').dataset.redrawn || 0)"


def test_a_run_changing_as_airflow_changes_it_moves_its_bar_without_reload(
    gateway_url, demo_url, tmp_path
):
    # A running slot of a backfill on the first page: its run succeeds, as the scheduler
    # records it (state, end_date, updated_at in one UPDATE).
    newest = sorted((b for b, in sql(demo_url, "SELECT id FROM backfill")), reverse=True)[:20]
    backfill_id, run_id = next(
        (b, r) for b, r in sql(demo_url, """
            SELECT s.backfill_id, r.id FROM backfill_dag_run s JOIN dag_run r ON r.id = s.dag_run_id
            WHERE r.state = 'running' ORDER BY s.backfill_id DESC, s.sort_ordinal""")
        if b in newest
    )  # fmt: skip
    before = finished_percent_by_backfill(demo_url)[backfill_id]
    bar = f"#backfill-{backfill_id} [role=progressbar]"

    with open_dashboard(f"{gateway_url}/dashboard") as (page, record):
        page.wait_for_function("() => document.getElementById('live-status').dataset.state === 'live'")
        shown_before = float(page.get_attribute(bar, "aria-valuenow"))
        page.evaluate("() => { window.notReloaded = true; }")
        # The subscription's first events repeat what the page shows: no card is redrawn,
        # so a keyboard user's focus stays where it was.
        page.focus("#backfills details.skipped summary")
        page.wait_for_function(
            "() => Number(document.getElementById('live-status').dataset.events || 0)"
            " >= document.querySelectorAll('#backfills > li').length"
        )
        redrawn_by_first_events = page.evaluate(REDRAWN)
        focus_kept = page.evaluate("() => document.activeElement.matches('details.skipped summary')")
        now = datetime.now(UTC)
        sql(demo_url, "UPDATE dag_run SET state = 'success', end_date = :now, updated_at = :now WHERE id = :id",
            now=now, id=run_id)  # fmt: skip
        after = finished_percent_by_backfill(demo_url)[backfill_id]
        page.wait_for_function(
            f"() => Math.abs(Number(document.querySelector('{bar}').getAttribute('aria-valuenow')) - {after}) < 0.05"
        )
        still_same_document = page.evaluate("() => window.notReloaded === true")
        redrawn_by_the_change = page.evaluate(REDRAWN)
        screenshot(page, tmp_path, "dashboard-live.png")

    record.assert_offline_and_clean()
    assert shown_before == pytest.approx(before, abs=0.05)
    assert after > before
    assert still_same_document
    assert redrawn_by_first_events == 0 and focus_kept
    assert redrawn_by_the_change == 1
    assert record.websockets and all(w.startswith(gateway_url.replace("http", "ws")) for w in record.websockets)


def test_an_admin_finalizes_orphans_after_a_dry_run_and_a_confirmation(
    gateway_url, demo_url, tmp_path
):
    orphans = expected_orphans(demo_url, datetime.now(UTC))
    audit_before = sql(demo_url, "SELECT COUNT(*) FROM log WHERE event = 'finalize_orphaned_backfill'")[0][0]

    with open_dashboard(f"{gateway_url}/dashboard", token=ADMIN_TOKEN) as (page, record):
        page.wait_for_selector("#orphans-result table")
        dry_run = outcomes(page)
        written_by_dry_run = sql(demo_url, "SELECT COUNT(*) FROM backfill WHERE completed_at IS NULL")[0][0]
        page.click("#finalize")
        page.wait_for_selector("[role=alertdialog]")
        screenshot(page, tmp_path, "dashboard-finalize-confirm.png")
        page.click("#finalize-confirm")
        page.wait_for_selector("#orphans-result .applied")
        applied = outcomes(page)
        screenshot(page, tmp_path, "dashboard-finalized.png")
        token_kept = page.evaluate("() => Object.values(sessionStorage)")

    record.assert_offline_and_clean()
    would = sorted(b for b, outcome in dry_run.items() if outcome == "WOULD_FINALIZE")
    assert would == orphans and orphans
    assert written_by_dry_run == sql(demo_url, "SELECT COUNT(*) FROM backfill WHERE completed_at IS NULL")[0][0] + len(orphans)
    assert {b: applied[b] for b in orphans} == dict.fromkeys(orphans, "FINALIZED")
    assert sorted(b for b, in sql(demo_url, "SELECT id FROM backfill WHERE completed_at IS NOT NULL AND id IN ("
                                  + ",".join(map(str, orphans)) + ")")) == orphans  # fmt: skip
    audit = sql(demo_url, "SELECT extra FROM log WHERE event = 'finalize_orphaned_backfill'")
    assert len(audit) - audit_before == len(orphans)
    assert token_kept == [ADMIN_TOKEN]  # the tab's sessionStorage, nothing else


def outcomes(page) -> dict[int, str]:
    return {
        int(b): o
        for b, o in page.eval_on_selector_all(
            "#orphans-result tr[data-outcome]", "rows => rows.map(r => [r.dataset.backfillId, r.dataset.outcome])"
        )
    }


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_a_reader_token_sees_no_finalize_button(gateway_url):
    with open_dashboard(f"{gateway_url}/dashboard", token=READER_TOKEN) as (page, record):
        page.wait_for_selector("#orphans-result .error")
        message = page.text_content("#orphans-result .error")
        has_button = page.locator("#finalize").count()

    record.assert_offline_and_clean()
    assert "admin token" in message and has_button == 0


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_under_a_path_prefix_everything_stays_under_it(demo_url, tmp_path):
    command = (os.sys.executable, "-m", "uvicorn", "--factory", "tests.support.prefixed_app:create_prefixed_app")
    with running_server(server_env(demo_url, tmp_path), command=command) as (base_url, _, _):
        with open_dashboard(f"{base_url}{PREFIX}/dashboard") as (page, record):
            cards = len(shown_ids(page))
            page.wait_for_function("() => document.getElementById('live-status').dataset.state === 'live'")

    record.assert_offline_and_clean()
    assert cards == 20
    assert all(r.split(" ", 1)[1].startswith(f"{base_url}{PREFIX}/") for r in record.requests)
    assert record.websockets == [f"{base_url.replace('http', 'ws')}{PREFIX}/graphql"]


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_a_thousand_backfills_are_paged_not_drawn_at_once(empty_database, tmp_path):
    from tests.support.bulk import load_many_backfills

    chromium_path()

    async def load() -> None:
        engine = create_async_engine(empty_database.url)
        try:
            await load_many_backfills(engine, FIXED_NOW, backfills=1000, slots_each=120)
        finally:
            await engine.dispose()

    asyncio.run(load())
    with running_server(server_env(empty_database.url, tmp_path)) as (base_url, _, _):
        with open_dashboard(f"{base_url}/dashboard") as (page, record):
            page_info = page.text_content("#page-info")
            cards, cells = page.evaluate(
                "() => [document.querySelectorAll('#backfills > li').length,"
                " document.querySelectorAll('.slot').length]"
            )
            notes = page.eval_on_selector_all(".slots-more", "ps => ps.map(p => p.textContent)")
            page.click("#next-page")
            page.wait_for_function("() => document.getElementById('page-info').textContent.startsWith('21–40')")
            wait_until_loaded(page)
            second = shown_ids(page)

    record.assert_offline_and_clean()
    assert page_info == "1–20 of 1000"
    assert (cards, cells) == (20, 20 * 100)  # one page of cards, one page of slots each
    assert notes == ["First 100 of 120 slots shown."] * 20
    assert second == list(range(980, 960, -1))
