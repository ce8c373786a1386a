"""The web console in a real browser, against the real service on the test lake (auth on)."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
import uuid
from pathlib import Path

import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from floe_e2e import fresh_namespace
from playwright.sync_api import Page, expect
from pyiceberg.catalog import Catalog

from conftest import axe_violations, enter_key, shot

FLOWERS_BY_SPECIES = ["setosa", "versicolor", "virginica"]


def api(floe_url: str, key: str, method: str, path: str, body: object = None) -> dict:
    request = urllib.request.Request(
        floe_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def downloads(page: Page, into: Path) -> dict[str, Path]:
    """The current workload's result saved by each Download button: Arrow, CSV and Parquet."""
    got = {}
    for fmt in ("arrow", "csv", "parquet"):
        with page.expect_download() as info:
            page.click(f"#download-{fmt}")
        path = into / info.value.suggested_filename
        info.value.save_as(path)
        got[fmt] = path
    return got


def set_editor(page: Page, text: str) -> None:
    page.click("#editor .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_the_key_is_asked_for_and_a_wrong_one_answers_401(page: Page, api_key: str) -> None:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto("/")
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#key-why")).to_contain_text("no API key")
    shot(page, "01-key-prompt")
    enter_key(page, "floe_not-a-key")
    # The service answered 401 UNAUTHENTICATED: the prompt is back, saying why.
    expect(dialog).to_be_visible()
    expect(page.locator("#key-why")).not_to_have_text("")
    expect(page.locator("#key-why")).not_to_contain_text("no API key")
    shot(page, "02-key-refused")
    enter_key(page, api_key)
    expect(page.locator("#who")).to_have_text("admin (admin)")
    # Kept for this tab only: in sessionStorage, never in the URL or localStorage.
    expect(page.locator("#table-tree")).to_contain_text("default")
    assert urls and not [u for u in urls if api_key in u], "the key went into a URL"
    assert page.evaluate("() => JSON.stringify(localStorage)") == "{}"
    assert page.evaluate("() => sessionStorage.getItem('floe.apiKey')") == api_key


def test_the_flowers_query_from_the_editor_fills_the_grid(console: Page) -> None:
    console.click("#editor .cm-content")
    console.keyboard.press("Control+Enter")
    expect(console.locator("#row-count")).to_have_text("3 rows")
    headers = console.locator(".grid th")
    expect(headers).to_have_count(3)
    expect(headers.nth(0)).to_contain_text("species")
    expect(headers.nth(0)).to_contain_text("String")
    expect(headers.nth(1)).to_contain_text("Int64")
    expect(headers.nth(2)).to_contain_text("Float64")
    rows = console.locator(".grid tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == FLOWERS_BY_SPECIES
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("50")
    expect(console.locator("#result-run")).to_have_text(re.compile(r"^r-[0-9a-f-]{36}$"))
    expect(console.locator("#result-facts")).to_contain_text("ms")
    # SQL is highlighted: keywords are their own tokens.
    assert console.locator("#editor .cm-line span").count() > 3
    shot(console, "03-query")


def test_the_table_picker_shows_columns_and_snapshots_and_binds(console: Page) -> None:
    console.locator("#table-tree summary", has_text="default").click()
    table = console.locator("details.table[data-table='default.flowers']")
    table.locator("summary").click()
    columns = table.locator("table.columns")
    expect(columns).to_contain_text("petal_length")
    expect(columns).to_contain_text("double")
    expect(table.locator(".snapshots")).to_contain_text("current")
    # The current snapshot id, exact (it passes 2^53: no float rounding on the way).
    current = table.locator(".snapshots code").inner_text()
    assert re.fullmatch(r"\d+", current)
    console.click("#bindings button")  # remove the example binding
    expect(console.locator("#bindings")).to_contain_text("No tables bound")
    table.locator("button.bind").click()
    expect(console.locator("#bindings")).to_contain_text("flowers=default.flowers")
    shot(console, "04-table-picker")


def test_a_script_with_params(console: Page) -> None:
    console.check("#mode-script")
    set_editor(
        console,
        'lf = scan("default.flowers")\n'
        'result = lf.filter(pl.col("petal_length") > params["min_petal"]).select("species",'
        ' "petal_length").head(params["limit"])\n',
    )
    console.fill("#params", '{"min_petal": 6, "limit": 3}')
    console.click("#run")
    expect(console.locator("#row-count")).to_have_text("3 rows")
    cells = console.locator(".grid tbody tr td:nth-child(2)")
    expect(cells).to_have_count(3)
    assert all(float(cells.nth(i).inner_text()) > 6 for i in range(3))
    shot(console, "05-script-params")


def test_a_syntax_error_is_shown_at_its_line(console: Page) -> None:
    console.check("#mode-script")
    set_editor(console, "x = 1\ny = (\nresult = 2\n")
    console.click("#run")
    expect(console.locator("#error-code")).to_have_text("SCRIPT_SYNTAX")
    expect(console.locator("#error-where")).to_have_text(" at line 2, column 5")
    expect(console.locator("#error-message")).to_contain_text("line 2")
    expect(console.locator(".cm-error-line")).to_have_text("y = (")
    shot(console, "06-syntax-error")


def test_bad_params_are_refused_before_anything_is_sent(console: Page) -> None:
    console.check("#mode-script")
    console.fill("#params", "{limit: 3}")
    console.click("#run")
    expect(console.locator("#error-code")).to_have_text("INVALID_REQUEST")
    expect(console.locator("#error-message")).to_contain_text("params is not valid JSON")


def test_a_save_shows_the_new_snapshot(
    console: Page, floe_url: str, api_key: str, writer_catalog: Catalog
) -> None:
    with fresh_namespace(writer_catalog, "console") as namespace:
        console.click("#save-options summary")
        console.fill("#destination", f"{namespace}.species_counts")
        console.select_option("#save-mode", "overwrite")
        console.select_option("#schema-mode", "strict")
        console.click("#save")
        expect(console.locator("#saved")).to_contain_text(f"{namespace}.species_counts")
        shown = console.locator("#saved-snapshot").inner_text()
        table = api(
            floe_url,
            api_key,
            "GET",
            f"/api/v1/catalogs/lake/namespaces/{namespace}/tables/species_counts",
        )
        # The raw metadata keeps Iceberg's numbers: compare as text to stay exact.
        assert str(table["table"]["current-snapshot-id"]) == shown
        shot(console, "07-save")


def test_explain_draws_the_plan_tree_with_its_reads(console: Page) -> None:
    set_editor(console, "SELECT species FROM flowers WHERE petal_length > 5")
    console.click("#explain")
    tree = console.locator("#plan-tree")
    expect(tree).to_be_visible()
    expect(tree.locator("li.scan")).to_have_count(1)
    expect(tree.locator("li").first).to_contain_text("π")
    reads = console.locator("#reads")
    expect(reads).to_contain_text("default.flowers")
    expect(reads).to_contain_text("petal_length > 5")
    expect(console.locator("#estimate")).to_contain_text("150 records")
    shot(console, "08-explain")


def test_explain_with_a_destination_shows_the_save_verdict(console: Page) -> None:
    console.click("#save-options summary")
    console.fill("#destination", "default.flowers")
    console.click("#explain")
    verdict = console.locator("#save-verdict")
    expect(verdict).to_have_class(re.compile("refused"))
    expect(verdict).to_contain_text("SCHEMA_MISMATCH")
    expect(verdict.locator("table")).to_contain_text("sepal_length")


def test_a_long_scripts_logs_grow_then_it_is_cancelled(console: Page) -> None:
    console.check("#mode-script")
    set_editor(
        console,
        "import time\nfor i in range(600):\n    print(f'tick {i}', flush=True)\n"
        "    time.sleep(0.2)\nresult = pl.DataFrame({'x': [1]})\n",
    )
    console.click("#run-background")
    expect(console).to_have_url(re.compile(r"#/runs/r-"))
    logs = console.locator("#run-logs")
    expect(logs).to_contain_text("tick 2", timeout=30_000)
    first = logs.inner_text()
    expect(logs).to_contain_text("tick 8", timeout=30_000)
    assert len(logs.inner_text()) > len(first)
    expect(console.locator("#run-status")).to_have_text("running")
    shot(console, "09-run-logs")
    console.click("#cancel")
    expect(console.locator("#run-status")).to_have_text("cancelled", timeout=30_000)
    expect(console.locator("#cancel")).to_be_hidden()
    expect(console.locator("#run-outcome")).to_contain_text("RUN_CANCELLED")
    shot(console, "10-run-cancelled")


def test_the_run_list_updates_by_itself(console: Page, floe_url: str, api_key: str) -> None:
    console.click("nav a[data-screen=runs]")
    expect(console.locator("#runs-note")).to_contain_text("refreshed")
    accepted = api(
        floe_url,
        api_key,
        "POST",
        "/api/v1/warehouse/polars/runs",
        {"mode": "query", "query": "SELECT 42 AS answer", "tables": []},
    )
    row = console.locator(f"tr[data-run='{accepted['run_id']}']")
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("admin")
    expect(row).to_contain_text("query")
    expect(row.locator(".status")).to_have_text("succeeded", timeout=15_000)
    shot(console, "11-runs")
    row.locator("a").click()
    expect(console.locator("#run-outcome .grid")).to_contain_text("42")
    expect(console.locator("#run-source")).to_have_text("SELECT 42 AS answer")
    expect(console.locator("#run-request")).not_to_contain_text("null")
    expect(console.locator("#run-outcome")).to_contain_text("1 row")
    expect(console.locator("#run-outcome")).not_to_contain_text("1 rows")
    shot(console, "12-run-page")
    console.click("#open-in-editor")
    expect(console.locator("#editor .cm-content")).to_have_text("SELECT 42 AS answer")
    expect(console.locator("#bindings")).to_contain_text("No tables bound")


def test_a_runs_params_past_2_53_are_shown_and_sent_again_exactly(
    console: Page, floe_url: str, api_key: str
) -> None:
    # Python writes 2^53 + 1 digit for digit (no float64 on the way); a string of digits stays one.
    accepted = api(
        floe_url,
        api_key,
        "POST",
        "/api/v1/warehouse/polars/runs",
        {
            "mode": "script",
            "script": "result = pl.DataFrame({'n': [params['n']]})",
            "params": {"n": 2**53 + 1, "s": str(2**53 + 1)},
        },
    )
    console.goto(f"/#/runs/{accepted['run_id']}")
    exact = '{"n":9007199254740993,"s":"9007199254740993"}'
    expect(console.locator("#run-params")).to_have_text(exact)
    expect(console.locator("#run-outcome .grid")).to_contain_text("9007199254740993")
    console.click("#open-in-editor")
    expect(console.locator("#params")).to_have_value(exact)
    console.click("#run")
    expect(console.locator("#row-count")).to_have_text("1 row")
    expect(console.locator(".grid tbody")).to_have_text("9007199254740993")


def test_a_profiled_run_shows_each_plan_nodes_time_and_rows(console: Page) -> None:
    console.check("#with-profile")
    console.click("#run")
    expect(console.locator("#row-count")).to_have_text("3 rows")
    nodes = console.locator("#profile tbody tr")
    expect(nodes.first).to_be_visible()
    assert nodes.count() >= 2
    expect(console.locator("#profile")).to_contain_text("ms")
    shot(console, "13-profile")


def test_downloads_come_from_the_arrow_stream(console: Page, tmp_path: Path) -> None:
    expect(console.locator("#download-csv")).to_be_enabled()
    got = downloads(console, tmp_path)
    with ipc.open_stream(got["arrow"].read_bytes()) as reader:
        arrow = reader.read_all()
    assert arrow.num_rows == 3
    assert arrow.column_names == ["species", "n", "avg_petal_length"]
    rows = list(csv.reader(io.StringIO(got["csv"].read_text())))
    assert rows[0] == ["species", "n", "avg_petal_length"]
    assert sorted(r[0] for r in rows[1:]) == FLOWERS_BY_SPECIES
    assert [r[1] for r in rows[1:]] == ["50", "50", "50"]
    parquet = pq.read_table(got["parquet"])
    assert parquet.num_rows == 3
    assert sorted(parquet.column("species").to_pylist()) == FLOWERS_BY_SPECIES
    assert parquet.column("n").to_pylist() == [50, 50, 50]


def test_downloads_keep_dates_timestamps_times_and_decimals_exact(
    console: Page, tmp_path: Path
) -> None:
    console.check("#mode-script")
    set_editor(
        console,
        "import datetime as dt, decimal\n"
        "ts = [dt.datetime(2024, 1, 2, 3, 4, 5, 123456), None,"
        " dt.datetime(1969, 12, 31, 23, 59, 59, 999999)]\n"
        "result = pl.DataFrame({\n"
        "    'd': [dt.date(2024, 1, 2), None, dt.date(1969, 12, 31)],\n"
        "    'ts': ts,\n"
        "    'tz': pl.Series(ts).dt.replace_time_zone('UTC'),\n"
        "    'ns': pl.Series(ts).cast(pl.Datetime('ns')),\n"
        "    'dec': pl.Series([decimal.Decimal('12345678.25'), None, decimal.Decimal('-0.01')],"
        " dtype=pl.Decimal(10, 2)),\n"
        "    't': [dt.time(1, 2, 3), None, dt.time(23, 59)],\n"
        "    'l': [[1, 2**53 + 1], None, []],\n"
        "})\n",
    )
    got = downloads(console, tmp_path)
    with ipc.open_stream(got["arrow"].read_bytes()) as reader:
        arrow = reader.read_all()
    parquet = pq.read_table(got["parquet"])
    assert parquet.num_rows == 3
    for name in ("d", "ts", "tz", "ns", "dec", "t"):
        assert parquet.schema.field(name).type == arrow.schema.field(name).type, name
        assert parquet.column(name).to_pylist() == arrow.column(name).to_pylist(), name
    assert str(parquet.schema.field("tz").type) == "timestamp[us, tz=UTC]"
    assert parquet.column("l").to_pylist() == ["[1,9007199254740993]", None, "[]"]
    rows = list(csv.reader(io.StringIO(got["csv"].read_text())))
    assert rows == [
        ["d", "ts", "tz", "ns", "dec", "t", "l"],
        [
            "2024-01-02",
            "2024-01-02T03:04:05.123456",
            "2024-01-02T03:04:05.123456Z",
            "2024-01-02T03:04:05.123456000",
            "12345678.25",
            "01:02:03.000000000",
            "[1,9007199254740993]",
        ],
        ["", "", "", "", "", "", ""],
        [
            "1969-12-31",
            "1969-12-31T23:59:59.999999",
            "1969-12-31T23:59:59.999999Z",
            "1969-12-31T23:59:59.999999000",
            "-0.01",
            "23:59:00.000000000",
            "[]",
        ],
    ]


def test_every_control_has_a_name_and_the_keyboard_reaches_run(console: Page) -> None:
    unnamed = console.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
             .filter(e => !e.closest('[hidden]') && !(e.labels && e.labels.length)
                          && !e.getAttribute('aria-label') && !e.textContent.trim())
             .map(e => e.outerHTML)"""
    )
    assert unnamed == []
    # From the page's start, Tab reaches the Run button without a mouse.
    console.locator("body").focus()
    for _ in range(60):
        console.keyboard.press("Tab")
        if console.evaluate("() => document.activeElement.id") == "run":
            break
    else:
        raise AssertionError("Tab never reached the Run button")
    console.keyboard.press("Enter")
    expect(console.locator("#row-count")).to_have_text("3 rows")


def test_a_callers_grants_decide_what_it_sees(page: Page, floe_url: str, api_key: str) -> None:
    name = f"console-{uuid.uuid4().hex[:8]}"
    created = api(
        floe_url, api_key, "POST", "/api/v1/admin/keys", {"name": name, "principal": name}
    )
    try:
        api(
            floe_url,
            api_key,
            "POST",
            "/api/v1/admin/grants",
            {"subject": name, "privilege": "read", "scope": "lake.default.flowers"},
        )
        page.goto("/")
        enter_key(page, created["key"])
        expect(page.locator("#who")).to_have_text(name)
        namespaces = page.locator("#table-tree details.ns > summary")
        expect(namespaces).to_have_text(["default"])
        namespaces.first.click()
        expect(page.locator("#table-tree details.table > summary")).to_have_text(["flowers"])
        page.click("#run")
        expect(page.locator("#row-count")).to_have_text("3 rows")
        # Its own runs only: the one it just ran, none of the admin's.
        page.click("nav a[data-screen=runs]")
        rows = page.locator("#runs-body tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(name)
        shot(page, "14-reader-sees-its-grants")
    finally:
        api(floe_url, api_key, "DELETE", f"/api/v1/admin/keys/{name}")


def test_each_screen_passes_an_accessibility_audit(
    console: Page, floe_url: str, api_key: str
) -> None:
    assert axe_violations(console) == []
    console.click("#run")
    expect(console.locator("#row-count")).to_have_text("3 rows")
    assert axe_violations(console) == []
    console.click("#explain")
    expect(console.locator("#plan-tree")).to_be_visible()
    assert axe_violations(console) == []
    accepted = api(
        floe_url,
        api_key,
        "POST",
        "/api/v1/warehouse/polars/runs",
        {"mode": "script", "script": "print('hello')\nresult = pl.DataFrame({'x': [1]})\n"},
    )
    console.click("nav a[data-screen=runs]")
    expect(console.locator(f"tr[data-run='{accepted['run_id']}']")).to_be_visible()
    assert axe_violations(console) == []
    console.goto(f"/#/runs/{accepted['run_id']}")
    expect(console.locator("#run-outcome .grid")).to_be_visible()
    assert axe_violations(console) == []
