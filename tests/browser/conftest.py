"""A real browser against the app: Debian's chromium driven by Playwright.

The app of ``tests/conftest.py`` is served by a werkzeug server on a free port of
127.0.0.1, in a thread, for the length of one test. Each request there runs in the server
thread with its own app context and database session, so data the test creates must be
committed before the browser acts on it.

Playwright's own browser download cannot work on the machines we test on, so the tests
launch the system chromium; when it is missing they fail and say what to install.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root in a container, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: screenshots for people to look at; the folder is in .gitignore
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: how long the browser waits for a page or an element before the test fails
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's chromium instead of the browser Playwright would download."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Run `apt-get install chromium` (or `make test` as root, which installs it).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """No fixed base URL: each test's server has its own port, so pages are opened by full URL.

    This also replaces pytest-playwright 0.10's own ``base_url``, a fixture defined as an
    instance method, which pytest 9 deprecates with a warning our settings turn into an error.
    """
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A browser set up like a clerk's in Panjin: Chinese, China Standard Time."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test's app on a free local port; yield its base URL.

    Browser tests run on SQLite only. The views they drive are the same on PostgreSQL,
    where the HTTP tests (``tests/test_relief_story.py`` and the view tests) cover them.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip(
            "browser tests run on SQLite; the same views are covered on PostgreSQL by the "
            "HTTP tests"
        )

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"

    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def page(page: Page) -> Page:
    """Playwright's page, failing fast instead of waiting 30 s for what is not there."""
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder the screenshots go to."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
