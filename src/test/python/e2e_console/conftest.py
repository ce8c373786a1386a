"""Fixtures for the web console's browser suite.

A real browser, Debian's ``chromium`` package (``/usr/bin/chromium``, or ``FLOE_TEST_CHROMIUM``),
driven by Playwright (PyPI ``playwright``; its own browser download is never used), against the
Floe the enclosing ``ConsoleTest`` started on the test lake with auth on. Every test opens the
console in a new browser context (a new tab session: no key kept), so it starts at the key prompt.
Each screen's screenshot is written to ``target/console-screenshots/`` for a reviewer.

Environment: as floe_e2e.py lists it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

pytest_plugins = ("floe_e2e",)

SCREENSHOTS = Path(os.environ.get("FLOE_TEST_SCREENSHOTS", "target/console-screenshots"))


def chromium_path() -> str:
    path = os.environ.get("FLOE_TEST_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(
            f"no browser at {path}: install Debian's chromium package (apt-get install chromium),"
            " or point FLOE_TEST_CHROMIUM at a Chromium binary",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            # Loopback only: nothing on these pages reaches another host.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def api_key() -> str:
    key = os.environ.get("FLOE_API_KEY")
    if not key:
        pytest.exit("FLOE_API_KEY is not set; see floe_e2e.py", 2)
    return key


@pytest.fixture
def page(browser: Browser, floe_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=floe_url, viewport={"width": 1366, "height": 800}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The page's Content-Security-Policy must never have to refuse anything the console does.
    page.add_init_script(
        "window.__refused = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__refused.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    refused: list[str] = []
    # Every asset ships with Floe: the page asks nothing of another origin (no CDN).
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((floe_url + "/", "data:", "blob:"))
            else elsewhere.append(r.url)
        ),
    )
    yield page
    if not page.is_closed() and page.url.startswith(floe_url):
        refused = page.evaluate("() => window.__refused || []")
    context.close()
    assert not errors, f"the page threw: {errors}"
    assert not refused, f"the page's Content-Security-Policy refused: {refused}"
    assert not elsewhere, f"the page asked other origins: {elsewhere}"


@pytest.fixture
def console(page: Page, api_key: str) -> Page:
    """The console opened and the key entered at its prompt."""
    page.goto("/")
    enter_key(page, api_key)
    expect(page.locator("#table-tree")).to_contain_text("default")
    return page


def enter_key(page: Page, key: str) -> None:
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    page.fill("#key-input", key)
    page.click("#key-form button[value=use]")


AXE = Path(__file__).resolve().parents[3] / "main/webui/node_modules/axe-core/axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """What axe-core (the console's dev dependency, from its lock file) finds against WCAG 2 A and
    AA on the page as it is now: each rule broken, with the elements that break it."""
    if not AXE.exists():
        pytest.fail(f"no {AXE}: the Maven build installs it (npm ci in src/main/webui)")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # Evaluated by the browser's devtools protocol: the page's policy allows no inline script.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[str] = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))
            .violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    return found


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
