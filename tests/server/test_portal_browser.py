"""The portal page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Screenshots go to pytest's tmp dir only (tests never write to the working tree).
"""

from urllib.parse import quote

import httpx
import pytest

from tests.browser import NEEDS_CHROMIUM, chromium

SECTIONS = ["#brief-header", "#transfer-reason", "#summary", "#information", "#next-steps", "#compliance", "#transcript"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, live):
    """A fresh tab (its own sessionStorage) that records console errors and every request's URL."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    opened = context.new_page()
    opened.console_errors, opened.requested = [], []
    opened.on("console", lambda message: message.type == "error" and opened.console_errors.append(message.text))
    opened.on("request", lambda request: opened.requested.append(request.url))
    yield opened
    context.close()


def portal_url(live: str, number: str) -> str:
    return f"{live}/portal/agent-assist/{quote(number, safe='')}"


def wait_for_status(page, title: str) -> None:
    # a locator assertion, not wait_for_function: the page's CSP rightly forbids eval
    sync_api.expect(page.locator("#status-title")).to_have_text(title, timeout=10_000)


def test_the_portal_shows_the_seven_sections_of_a_fixture(page, live, world, tmp_path):
    token = world.tokens["ak_portal"]
    expected = httpx.get(
        f"{live}/core/agent-assist/{quote(world.portal_number, safe='')}", headers=world.auth("ak_portal")
    ).json()
    page.goto(portal_url(live, world.portal_number) + f"#token={token}")
    page.wait_for_selector("#brief:not([hidden])", timeout=10_000)
    page.screenshot(path=str(tmp_path / "portal.png"))

    for selector in SECTIONS:
        assert page.locator(selector).is_visible(), selector
    assert "#" not in page.url  # the token left the address bar
    header = expected["header"]
    assert page.inner_text("#caller-name") == header["caller_name"]
    assert page.inner_text("#caller-number") == header["phone_number"]
    assert page.get_attribute("#sentiment-badge", "class") == f"badge level-{header['sentiment']['level']}"
    assert page.locator("#summary li").count() == len(expected["call_summary"])
    assert page.locator("#information tr").count() == max(1, len(expected["information_collected"]))
    assert page.locator("#information tr").first.locator("th, td").count() in (1, 2)
    assert page.locator("#next-steps li .confidence").count() == len(expected["suggested_next_steps"])
    assert page.locator("#compliance li.flag").count() == len(expected["compliance_flags"])
    assert page.locator("#transcript li.message").count() == len(expected["transcript"])
    marked = [message for message in expected["transcript"] if message["markers"]]
    assert marked and page.locator("#transcript li.marked").count() == len(marked)
    assert page.locator("#transcript .marker").count() == sum(len(m["markers"]) for m in marked)
    assert page.console_errors == []  # a CSP violation would show here
    assert all(url.startswith(live) for url in page.requested)  # no external assets

    page.goto(portal_url(live, "+13125550199"))  # same tab: the token is in sessionStorage
    wait_for_status(page, "Not Found")
    assert page.locator("#status-title").is_visible()
    assert not page.locator("#brief").is_visible()
    page.screenshot(path=str(tmp_path / "not-found.png"))
    assert (tmp_path / "portal.png").stat().st_size > 10_000


def test_without_a_token_the_page_asks_for_one_and_says_why_access_is_refused(page, live, world, tmp_path):
    page.goto(portal_url(live, world.portal_number))
    wait_for_status(page, "Sign in")
    page.fill("#token-input", world.tokens["ak_alpha_no_scope"])
    page.click("#token-form button[type=submit]")
    wait_for_status(page, "Not allowed")
    assert page.inner_text("#status-detail") == "the token lacks the scope conversations:read_sensitive"
    page.fill("#token-input", "ak_nonsense")
    page.click("#token-form button[type=submit]")
    wait_for_status(page, "Not signed in")
    page.fill("#token-input", world.tokens["pat_alice"])
    page.fill("#org-input", "org_alpha")
    page.click("#token-form button[type=submit]")
    wait_for_status(page, "Not Found")  # alice's org has no call from the fixture's number
    page.screenshot(path=str(tmp_path / "refused.png"))
