"""Playwright fixtures: Debian's Chromium, headless, launched once, a fresh context per test.

The browser tests drive the real pages through pytest-django's ``live_server``
(so they need ``@pytest.mark.django_db(transaction=True)``). On failure the page
is saved as a screenshot under ``test-artifacts/`` (gitignored).
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright waits at most this long for an element or a navigation (milliseconds).
TIMEOUT_MS = 10_000

_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember whether the test itself failed, for the screenshot in ``page``'s teardown."""
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for every browser test (they all live in this package).

    Package scope, not session: Playwright's sync API keeps an asyncio loop running
    in the main thread while it is started, which would make Django refuse ORM calls
    and ``async_to_sync`` fail in every test that runs after this package.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: run `apt-get install chromium` "
            "(`make test` installs it). Never `playwright install`: no browser download works here.",
            pytrace=False,
        )
    # With that loop running, Django raises SynchronousOnlyOperation when a test or a
    # fixture touches the ORM; the code really is synchronous, so say so while it runs.
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        tempfile.TemporaryDirectory(prefix="pmm-chromium-") as scratch,
        sync_playwright() as playwright,
    ):
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            # Keep Chromium's downloads and crash dumps out of the user's home.
            downloads_path=scratch,
            env={**os.environ, "HOME": scratch},
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context (no cookies), with relative URLs going to the live server.

    The test fails when the page raised an uncaught JavaScript error or logged a
    console error (a CSP violation, a missing static file...).
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    try:
        yield page
        if request.node.stash.get(_call_failed, False):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    finally:
        context.close()
    assert not problems, "The browser reported problems:\n" + "\n".join(problems)
