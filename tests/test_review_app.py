"""The review app (`poa review OUT --serve`) end to end in headless Chromium: open the folder, click a cell,
type the right value, save, see it on the page and in the Parquet with its unit's recomputed average, undo."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.request

import pandas as pd
import pytest
from conftest import SAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - dev dependency
    sync_playwright = None



def needs_browser(test):
    """Headless Chromium driven by Playwright, documents read again: slow, and skipped (saying why) without them."""
    for mark in (pytest.mark.slow, pytest.mark.long,
                 pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"),
                 pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[dev]')")):
        test = mark(test)
    return test


@pytest.fixture
def folder(tmp_path):
    """An output folder holding the planted sample, read."""
    from poa.batch import run

    pdf = tmp_path / "planted.pdf"
    shutil.copy(SAMPLES / "mmm-2016-s1-planted.pdf", pdf)
    run([pdf], out=tmp_path / "out", jobs=1, review="none")
    return tmp_path / "out"


def serving(out):
    """A review app on OUT, serving in a thread of this process; its URL with the token, and the server."""
    from poa.serve import server

    httpd, url = server(out, author="ana")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, url


@pytest.fixture
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def results(out) -> pd.DataFrame:
    return pd.read_parquet(out / "results").set_index("result_key")


def blank_result(out) -> pd.Series:
    r = results(out)
    return r[r.physical_pct.isna() & (r.physical_raw.fillna("") == "")].iloc[0]


@needs_browser
def test_a_blank_cell_corrected_in_the_browser_reaches_the_page_the_parquet_and_the_average_and_can_be_undone(
        folder, browser):
    out = folder
    httpd, url = serving(out)
    try:
        row = blank_result(out)
        units = pd.read_parquet(out / "units").set_index("node_id")
        before = units.loc[row.unit_id].recomputed_physical_pct
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.click("a[href$='.html']")  # the folder's one document
        sheet, beside = page.locator(".sheet").first.bounding_box(), page.locator(".rows").first.bounding_box()
        assert beside["x"] >= sheet["x"] + sheet["width"] and abs(beside["y"] - sheet["y"]) < 40  # rows beside, at 1400 px
        cell = f"#{row.result_id}-physical"
        assert "blank" in page.get_attribute(cell, "class")  # the blank % cell has a box to click
        page.click(cell)
        assert page.input_value("#panel input[name=value]") == ""
        page.fill("#panel input[name=value]", "75")
        page.fill("#panel textarea[name=note]", "el PDF dice 75 %")
        page.click("#panel button[type=submit]")
        page.wait_for_selector(f"{cell} .fix", timeout=60_000)  # read again, the page reloaded
        assert page.inner_text(f"{cell} .fix") == "75"
        assert page.get_attribute(cell, "data-st") == "corrected"
        fixed = results(out).loc[row.name]
        assert fixed.physical_pct == 75 and list(fixed.corrected) == ["physical_pct"]
        after = pd.read_parquet(out / "units").set_index("node_id").loc[row.unit_id].recomputed_physical_pct
        assert after != before  # the blank left the average; 75 entered it
        from poa.outputs.spanish import pct

        unit_row = page.inner_text(f"tr#{row.unit_id}")
        assert pct(after) in unit_row  # the recomputed average beside the page is the new one
        assert "ana" in (out / "corrections.csv").read_text(encoding="utf-8")

        page.click("button.undo")  # undone from the page
        page.wait_for_function(f"!document.querySelector('{cell} .fix')", timeout=60_000)
        assert page.get_attribute(cell, "data-st") != "corrected"
        undone = results(out).loc[row.name]
        assert pd.isna(undone.physical_pct) and list(undone.corrected) == []
        assert pd.read_parquet(out / "units").set_index("node_id").loc[row.unit_id].recomputed_physical_pct == before
        assert len((out / "corrections.csv").read_text(encoding="utf-8").splitlines()) == 1  # the header alone

        page.keyboard.press("n")  # the next doubtful cell: a cell of a finding, opened in the panel
        assert page.is_visible("#panel")
        assert page.eval_on_selector("a.cell.sel", "a => a.dataset.st") in ("finding", "ocr", "corrected")
    finally:
        httpd.shutdown()


@needs_browser
def test_two_tabs_on_two_servers_of_one_folder_lose_no_correction(folder, browser):
    out = folder
    servers = [serving(out) for _ in range(2)]
    try:
        r = results(out)
        wanted = r[r.physical_pct.notna()].iloc[[0, 5]]
        pages = []
        for (_, url), (_, row) in zip(servers, wanted.iterrows()):
            page = browser.new_page()
            page.goto(url)
            page.click("a[href$='.html']")
            page.click(f"#{row.result_id}-physical")
            page.fill("#panel input[name=value]", "11" if not pages else "22")
            pages.append((page, row))
        for page, _ in pages:  # saved at once, through both servers
            page.click("#panel button[type=submit]", no_wait_after=True)
        for page, row in pages:
            page.wait_for_selector(f"#{row.result_id}-physical .fix", timeout=90_000)
        for page, _ in pages:  # the later read applied both
            page.reload()
        fixed = results(out).loc[wanted.index]
        assert list(fixed.physical_pct) == [11, 22]
        assert all(p.inner_text(f"#{row.result_id}-physical .fix") in ("11", "22") for p, row in pages)
    finally:
        for httpd, _ in servers:
            httpd.shutdown()


def test_the_app_refuses_requests_without_its_token_or_from_another_site(folder):
    httpd, url = serving(folder)
    base = url.split("?")[0]
    try:
        def status(path, data=None, headers=None):
            req = urllib.request.Request(base.rstrip("/") + path, data=data, headers=headers or {})
            try:
                return urllib.request.urlopen(req, timeout=10).status
            except urllib.error.HTTPError as e:
                return e.code

        assert status("/") == 403
        assert status("/?token=wrong") == 403
        assert status("/?" + url.split("?")[1]) == 200
        token = url.split("token=")[1]
        body = json.dumps({"doc_id": "0" * 16}).encode()
        port = url.split(":")[2].split("/")[0]
        cookie = {"Cookie": f"poa_token_{port}={token}", "Content-Type": "application/json"}  # one per app
        assert status("/api/correct", body, {**cookie, "Origin": "http://evil.example"}) == 403
        assert status("/api/correct", body, {**cookie, "Host": "evil.example"}) == 403
        r = results(folder).iloc[0]
        bad = json.dumps({"doc_id": r.doc_id, "table": "results", "key": "no/such/key", "column": "physical_pct",
                          "value": "5"}).encode()
        assert status("/api/correct", bad, cookie) == 400  # the checks of poa correct: nothing written
        assert not (folder / "corrections.csv").exists()
    finally:
        httpd.shutdown()


def test_a_correction_saved_while_its_document_is_read_again_gets_a_read_of_its_own(tmp_path, monkeypatch):
    """The running read took corrections.csv as it was before the new line: sharing its job would leave the
    new correction unapplied. A job not yet started is shared (it reads the file as it is then)."""
    import time

    import poa.serve as serve

    started, release, reads = threading.Event(), threading.Event(), []

    def slow_read(out, doc_id):
        reads.append(doc_id)
        started.set()
        release.wait(10)

    monkeypatch.setattr(serve, "read_again", slow_read)
    rereads = serve.Rereader(tmp_path)
    first = rereads.reread("a" * 16)
    assert started.wait(10)  # running
    second, third = rereads.reread("a" * 16), rereads.reread("a" * 16)
    assert second is not first and third is second  # a new read, shared by the saves made before it starts
    release.set()
    for _ in range(100):
        if second.state == "done":
            break
        time.sleep(0.05)
    assert (first.state, second.state, reads) == ("done", "done", ["a" * 16] * 2)
