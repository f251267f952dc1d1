"""Browser tests: Playwright on Debian's Chromium (never `playwright install`, which cannot
download here). In CI they must run: a missing Chromium fails the run instead of skipping."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the main thread (STACK.md pitfall #6).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise pytest.UsageError(f"Chromium est introuvable ({CHROMIUM}) : .ci/run doit l'installer.")
        skip = pytest.mark.skip(reason=f"Chromium absent ({CHROMIUM}) : apt-get install chromium chromium-driver")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)
    if not shutil.which("node") and os.environ.get("CI"):
        raise pytest.UsageError("Node.js est introuvable : il le faut pour le fournisseur OpenID de test.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page
