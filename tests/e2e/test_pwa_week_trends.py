"""The week grid and Trends on small phones: a cell opens its day, labels are whole and 12 px at
least, a bedtime after midnight says so; chart labels never overlap, an empty chart says what it
needs, and the SRM is explained without hovering."""

from datetime import timedelta

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    ZONE,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    sign_in,
)

# Every visible text in the grid, the legend and the scores: whole (nothing cut off) and 12 px
# or more. Screen-reader-only text is left out (it is 1 px on purpose).
GRID_READABLE = """() => {
  const grid = document.querySelector("table.weekgrid");
  const labels = [...grid.querySelectorAll("th")];
  const texts = [...document.querySelectorAll(
    ".weekgrid th, .weekgrid td, .weekgrid .t, .weekgrid .dev, .weekgrid .plus, .weekgrid abbr, "
    + ".weekgrid .daynum, .legend .key, .stat-name, .stat-hint")]
    .filter((el) => !el.closest(".sr-only") && el.textContent.trim());
  const small = texts.filter((el) => parseFloat(getComputedStyle(el).fontSize) < 12)
    .map((el) => el.textContent.trim());
  const cut = labels.filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent);
  return { small, cut, labels: labels.length };
}"""

# The x-axis labels of every chart: their boxes as drawn, chart by chart.
X_LABELS = """() => [...document.querySelectorAll("figure svg.chart")].map((svg) => {
  const box = svg.getBoundingClientRect();
  return { left: box.left, right: box.right, labels: [...svg.querySelectorAll("text.x-tick")]
    .map((el) => { const r = el.getBoundingClientRect();
      return { text: el.textContent, left: r.left, right: r.right, height: r.height }; }) };
})"""


def join(server, page, email: str) -> None:
    body = {"email": email, "password": PASSWORD, "timezone": ZONE}
    status, answer, _ = server.request("POST", "/api/v1/auth/register", body)
    assert status == 202, answer
    sign_in(page, email)


def last_monday():
    today = local_today()
    return today - timedelta(days=today.weekday() + 7)


def test_week_cells_open_their_day_and_every_label_is_whole_and_readable(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = new_context(browser)
    page = open_app(context, server)
    join(server, page, "week.grid@example.org")
    monday = last_monday()
    bedtimes = ["23:10", "00:40", "23:30"]
    for i, bed in enumerate(bedtimes):
        times = {"out_of_bed": "07:00", "breakfast": "07:30", "to_bed": bed}
        log_day(page, monday + timedelta(days=i), times, mood=i - 1)
    page.goto(f"{server.url}/#/week?start={monday}")
    grid = page.locator("table.weekgrid")
    grid.locator("td.cell").first.wait_for()
    bed = grid.locator("tbody tr").filter(has=page.locator("th", has_text="Went to bed"))

    # After midnight: said in full in the cell's title and the legend, marked in the cell.
    tuesday = bed.locator("td").nth(1)
    assert tuesday.get_attribute("title").startswith("00:40 (after midnight)")
    assert "(+1)" in tuesday.inner_text()
    assert "after midnight, as in 00:40 (after midnight)" in page.locator(".legend").inner_text()

    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 740})
        found = page.evaluate(GRID_READABLE)
        assert found["labels"] > 8 and found["small"] == [] and found["cut"] == [], (width, found)
        assert no_overflow(page), width
        page.screenshot(path=ARTIFACTS / f"pwa-week-grid-{width}.png", full_page=True)

    # A logged cell opens its day with its times; an empty one opens that day to log it.
    tuesday.get_by_role("link").click()
    page.locator(f'form.diary[data-date="{monday + timedelta(days=1)}"][data-loaded]').wait_for()
    assert page.locator("#time-to_bed").input_value() == "00:40"
    page.go_back()
    thursday = monday + timedelta(days=3)
    empty = page.locator("table.weekgrid tbody tr").filter(
        has=page.locator("th", has_text="Went to bed")
    )
    empty.locator("td").nth(3).get_by_role("link").click()
    page.locator(f'form.diary[data-date="{thursday}"][data-loaded]').wait_for()
    assert page.locator("#time-to_bed").input_value() == ""
    assert page.errors == []
    context.close()


def test_trends_say_what_an_empty_chart_needs_and_explain_the_srm_on_a_phone(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    join(server, page, "trends.empty@example.org")
    page.set_viewport_size({"width": 320, "height": 740})
    page.get_by_role("link", name="Trends", exact=True).click()
    page.get_by_role("heading", name="Trends", exact=True).wait_for()
    main = page.locator("#main")
    main.get_by_text("the SRM needs 3 days of an anchor in a week").wait_for()
    assert "this chart needs at least one day with your mood rated" in main.inner_text()
    assert page.locator("figure svg.chart").count() == 0
    # The explanation opens with a tap, on a phone.
    explain = page.locator(".srm-explain")
    assert not explain.get_by_text("scores how regular your day's anchors were").is_visible()
    explain.get_by_text("What is the SRM?").click()
    assert explain.get_by_text("scores how regular your day's anchors were").is_visible()
    assert no_overflow(page)
    page.screenshot(path=ARTIFACTS / "pwa-trends-empty-320.png", full_page=True)
    assert page.errors == []
    context.close()


def test_trends_x_labels_never_overlap_on_small_phones(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    join(server, page, "trends.labels@example.org")
    monday = last_monday()
    for i in range(4):  # four days of one week: an SRM to draw
        times = {"out_of_bed": "07:00", "breakfast": "07:30", "dinner": "19:00", "to_bed": "23:00"}
        log_day(page, monday + timedelta(days=i), times, mood=0)
    page.get_by_role("link", name="Trends", exact=True).click()
    page.get_by_role("heading", name="Trends", exact=True).wait_for()
    page.locator("figure svg.chart").nth(2).wait_for()
    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 740})
        charts = page.evaluate(X_LABELS)
        assert len(charts) == 3, charts
        for chart in charts:
            labels = sorted(chart["labels"], key=lambda label: label["left"])
            assert len(labels) >= 2, (width, chart)
            for a, b in zip(labels, labels[1:], strict=False):
                assert a["right"] + 2 <= b["left"], (width, a, b)
            assert (
                labels[0]["left"] >= chart["left"] - 1 and labels[-1]["right"] <= chart["right"] + 1
            )
            assert all(label["height"] >= 12 for label in labels), (width, labels)
        assert no_overflow(page), width
        page.screenshot(path=ARTIFACTS / f"pwa-trends-{width}.png", full_page=True)
    assert page.errors == []
    context.close()
