"""The report in headless Chromium (Debian's /usr/bin/chromium driven by Playwright), opened from a
file with every non-file request aborted: it must need no network and log no console error.

Screenshots go to pytest's tmp dir only (tests never write to the working tree).
"""

from pathlib import Path

import pytest

from harness.fixtures.model import Fixture
from harness.report import build_report, load_report_data
from harness.store.results import ResultsStore
from tests.browser import NEEDS_CHROMIUM, chromium
from tests.factories import fixture_dict
from tests.report.runs import corpus, rules_brief, store_run

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("report")
    hostile = fixture_dict("telecom-hostile-transcript")
    hostile["conversation"]["messages"][1]["content"] = (
        "<script>document.title='pwned'</script><img src=https://example.invalid/x.png onerror=alert(1)>")
    fixtures = [*corpus()[:5], Fixture.model_validate(hostile)]
    store = ResultsStore(directory / "results.duckdb")
    store_run(store, "run-base", fixtures, repeats=2)

    def second(fixture, repeat):
        brief = rules_brief(fixture)
        if repeat == 1:  # one repeat disagrees, so the repeat differences show
            brief["header"]["sentiment"]["level"] = "calm"
        return brief

    store_run(store, "run-new", fixtures, repeats=2, make_brief=second, minutes=5)
    page = build_report(load_report_data(store, "run-new", "run-base"))
    store.close()
    target = directory / "report.html"
    target.write_text(page, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    """A tab whose every request but file:// is aborted and recorded, with console errors recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    opened.blocked, opened.problems, opened.dialogs = [], [], []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    opened.on("console", lambda message: message.type == "error" and opened.problems.append(message.text))
    opened.on("pageerror", lambda error: opened.problems.append(str(error)))
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    context.close()


def test_the_report_loads_offline_shows_scoreboard_chart_and_cards(page, report_file, tmp_path):
    page.goto(report_file.as_uri())
    page.wait_for_load_state("load")

    assert page.locator("#scoreboard").is_visible()
    assert page.locator("#scoreboard tbody tr").count() > 20
    assert page.locator("#distribution-chart").is_visible()
    cards = page.locator("details.card")
    assert cards.count() == 6
    assert all(cards.nth(i).is_visible() for i in range(6))
    opened = page.locator("details.card[open]").first  # failing fixtures open with their brief drawn
    opened.scroll_into_view_if_needed()
    assert opened.locator(".portal").first.is_visible() and opened.locator(".gold").is_visible()
    assert opened.locator(".transcript li.message").count() > 3
    assert page.locator("#filter-count").inner_text() == "6 of 6 shown"
    page.screenshot(path=str(tmp_path / "card.png"))
    page.locator("h1").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "report.png"))

    assert page.problems == []  # console errors, CSP violations and script exceptions all land here
    assert page.blocked == []  # nothing was even attempted: no external assets
    assert page.dialogs == [] and page.title().startswith("Handoff brief report")  # the injected script never ran
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_the_filters_narrow_the_cards(page, report_file, tmp_path):
    page.goto(report_file.as_uri())
    page.fill("#filter-text", "hostile")
    assert page.locator("#filter-count").inner_text() == "1 of 6 shown"
    assert page.locator("#fx-telecom-hostile-transcript").is_visible()
    page.fill("#filter-text", "")
    page.select_option("#filter-status", "pass")
    shown = page.locator("details.card:not([hidden])")
    assert all(shown.nth(i).get_attribute("data-status") == "pass" for i in range(shown.count()))
    page.click("#collapse-all")
    assert page.locator("details.card[open]:not([hidden])").count() == 0
    page.click("#expand-all")
    assert page.locator("details.card[open]:not([hidden])").count() == shown.count()
    page.screenshot(path=str(tmp_path / "filtered.png"))
    assert page.problems == [] and page.blocked == []
