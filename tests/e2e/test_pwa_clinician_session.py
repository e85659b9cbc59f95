"""A clinician's session, end to end in Chromium: the caseload ranks the riskier client first,
says how it ranks and colours only a change beyond the client's own threshold; the client's week
opens on the last complete week with their notes, people and life events; flags come highest
severity first, each with its evidence as a table; an acknowledgement with a note shows who made
it, lasts, and can be undone; the session report prints on one A4 or Letter page and downloads
as the server's PDF. The client proposes target times and the clinician accepts them."""

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader

from tests.e2e.clinician_data import (
    CLINICIAN,
    CLINICIAN_NAME,
    EVENT_NOTE,
    LATE_BEDTIME,
    LATE_NOTE,
    day_month,
    seed,
)
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    go,
    new_context,
    no_overflow,
    open_app,
    sign_in,
    sign_in_staff,
)

SEVERITY = {"High": 0, "Medium": 1, "Low": 2}
A4 = (595, 842)  # points
LETTER = (612, 792)
NOTE = "Talked about late nights; agreed a wind-down plan."


def flags_of(server, token: str, client_id: int) -> dict:
    status, body, _ = server.request("GET", f"/api/v1/clients/{client_id}/flags", token=token)
    assert status == 200, body
    return {f["rule"]: f for f in body["flags"]}


def pdf_pages(data: bytes) -> list:
    return PdfReader(io.BytesIO(data)).pages


def size(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


USUAL_SENTENCE = (
    "Usual = their 4-week habitual time for that kind of day (work day or free day), "
    "or the target agreed in therapy where one is set."
)
# Each cell's text, its time and its minutes from usual, 12 px at least, inside its cell.
CELLS_FIT = """() => {
  const grid = document.querySelector("table.weekgrid");
  const parts = [...grid.querySelectorAll("td.cell .t, td.cell .dev, td.cell .plus")];
  const size = (el) => parseFloat(getComputedStyle(el).fontSize);
  const inside = (el) => {
    const cell = el.closest("td").getBoundingClientRect(), box = el.getBoundingClientRect();
    const fits = getComputedStyle(el).display === "inline" || el.scrollWidth <= el.clientWidth + 1;
    return fits && box.left >= cell.left && box.right <= cell.right;
  };
  return parts.length > 0 && parts.every((el) => size(el) >= 12 && inside(el))
    && grid.offsetWidth <= grid.parentElement.clientWidth;
}"""


def check_the_grid_against_the_usual_time(doc, server, data) -> None:
    """The grid compares each time with the flags' usual time and says which: the cells beyond
    the shift threshold are the bed_shift flag's days, with the flag's deviations."""
    main = doc.locator("#main")
    assert USUAL_SENTENCE in main.inner_text()
    assert "published scale with its own definition" in main.inner_text()
    grid = doc.locator("table.weekgrid")
    off = grid.locator("td.off-usual")
    assert off.count() == 5 and all(LATE_BEDTIME in t for t in off.all_inner_texts())
    bed = grid.locator("tbody tr").filter(has=doc.locator("th", has_text="Went to bed"))
    flagged = flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]
    for item in flagged["evidence"]["days"]:
        column = (date.fromisoformat(item["date"]) - data.last_monday).days
        cell = bed.locator("td").nth(column)
        shown = int(cell.locator(".dev").inner_text().replace("−", "-"))
        assert abs(shown - item["deviation_minutes"]) <= 1 and shown > 120, (item, shown)
        said = cell.text_content()
        assert f"usual {item['habitual']} (work day)" in said, said
        assert "more than 120 minutes from usual" in said
    # A day on its usual time: its small deviation shown, no mark.
    monday = bed.locator("td").first
    assert "off-usual" not in monday.get_attribute("class")
    assert abs(int(monday.locator(".dev").inner_text().replace("−", "-"))) < 30
    usual_list = doc.locator("dl.usual").inner_text()
    assert re.search(r"Usual: 2[23]:\d\d(–2[23]:\d\d)? work days", usual_list), usual_list
    assert re.search(r"SRM: habitual \d\d:\d\d, \d/\d near it", usual_list), usual_list
    for width in (320, 360):
        doc.set_viewport_size({"width": width, "height": 740})
        assert no_overflow(doc), width
        assert doc.evaluate(CELLS_FIT), width
        doc.screenshot(path=ARTIFACTS / f"pwa-session-week-grid-{width}.png", full_page=True)


def test_session_path(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    data = seed(server)
    sunday = data.last_monday + timedelta(days=6)
    context = new_context(browser, accept_downloads=True)
    doc = open_app(context, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")

    # Caseload: the order and why, rounded scores, the latest figures, colour beyond threshold.
    doc.get_by_text("Ranked by: open high flags, then open medium flags").wait_for()
    rows = doc.locator(".client-row")
    rows.first.wait_for()
    assert rows.count() == 2
    risky, steady = rows.nth(0), rows.nth(1)
    assert risky.get_by_role("link").first.inner_text() == "Priya Late"
    assert "Ranked for: open high flags" in risky.inner_text()
    assert re.search(r"SRM \d\.\d · week of", risky.inner_text())
    assert re.search(r"Mood [+−-]?\d", risky.inner_text())
    assert re.search(r"Sleep \d+ h", risky.inner_text())
    assert "Logged 7/7" in risky.inner_text()
    assert risky.locator(".srm-change.beyond").count() == 1
    assert steady.locator(".srm-change.beyond").count() == 0
    assert steady.locator(".srm-change").count() == 1
    risky.get_by_role("link", name="Priya Late").click()

    # The week opens on the last complete week, with the client's own words and company.
    doc.get_by_role("heading", name=f"Week of {day_month(data.last_monday)}").wait_for()
    grid = doc.locator("table.weekgrid")
    grid.get_by_text(LATE_BEDTIME).first.wait_for()
    notes = doc.locator(".week-notes")
    notes.get_by_role("heading", name="Their notes, people and life events").wait_for()
    assert LATE_NOTE in notes.inner_text()
    assert EVENT_NOTE in notes.inner_text()
    assert notes.locator(".people-table td.alone").count() == 1
    assert "Usual = their 4-week habitual time for that kind of day" in doc.inner_text("#main")
    check_the_grid_against_the_usual_time(doc, server, data)
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-session-week-360.png", full_page=True)

    # Flags: highest severity first, evidence as a table, the usual time named.
    doc.get_by_role("link", name="Flags", exact=True).click()
    items = doc.locator(".flags > li")
    items.first.wait_for()
    badges = [items.nth(i).locator(".badge").first.inner_text() for i in range(items.count())]
    ranks = [SEVERITY[b] for b in badges]
    assert ranks == sorted(ranks) and ranks[0] == 0, badges
    assert items.first.get_attribute("data-rule") == "mood"
    bed = doc.locator('.flags > li[data-rule="bed_shift"]')
    assert "Their bedtime moved later than usual" in bed.inner_text()
    table = bed.locator("table.evidence")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Day", "Time", "Usual", "Deviation (+ later)"]
    body_rows = table.locator("tbody tr")
    assert body_rows.count() == 5
    first = body_rows.first.locator("th, td").all_inner_texts()
    assert first[1] == f"{LATE_BEDTIME} (+1)"
    assert re.match(r"2[23]:\d\d · (work|free) day$", first[2]), first
    assert re.match(r"\+[1-4] h( \d+ min)?$", first[3]), first
    assert "Usual = their 4-week habitual time" in doc.locator(".usual-note").inner_text()

    # Acknowledge with a note: who and what is shown, kept by the server, and undone.
    bed.get_by_role("button", name="Acknowledge", exact=True).click()
    bed.get_by_label("Note (optional)").fill(NOTE)
    doc.screenshot(path=ARTIFACTS / "pwa-session-flags-360.png", full_page=True)
    bed.get_by_role("button", name="Acknowledge", exact=True).click()
    bed = doc.locator('.flags > li[data-rule="bed_shift"]')
    bed.get_by_text(f"by {CLINICIAN_NAME}").wait_for()
    assert NOTE in bed.locator(".ack-note").inner_text()
    stored = flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]
    assert stored["status"] == "acknowledged" and stored["ack_note"] == NOTE
    assert stored["acknowledged_by"]["name"] == CLINICIAN_NAME
    doc.reload()
    bed = doc.locator('.flags > li[data-rule="bed_shift"]')
    bed.get_by_text(f"by {CLINICIAN_NAME}").wait_for()
    bed.get_by_role("button", name="Undo acknowledgement").click()
    bed.get_by_role("button", name="Acknowledge", exact=True).wait_for()
    assert bed.locator(".flag-status").inner_text().startswith("Open")
    assert flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]["status"] == "open"
    bed.get_by_role("button", name="Acknowledge", exact=True).click()
    bed.get_by_role("button", name="Acknowledge", exact=True).click()  # without a note this time
    bed.get_by_text(f"by {CLINICIAN_NAME}").wait_for()
    assert flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]["ack_note"] is None

    # The caseload says who acknowledged what.
    go(doc, "Caseload", "Caseload")
    risky = doc.locator(".client-row").filter(has_text="Priya Late")
    risky.get_by_text(f"Acknowledged: Bedtime shifted (medium) by {CLINICIAN_NAME}").wait_for()

    # The session report: on screen, then as printed on one A4 page and one Letter page.
    risky.get_by_role("link", name="Priya Late").click()
    doc.get_by_role("link", name="Report", exact=True).click()
    report = doc.locator('.report[data-loaded="true"]')
    report.wait_for()
    doc.get_by_role("heading", name="Session report: Priya Late").wait_for()
    text = report.inner_text()
    assert f"Last complete week: {day_month(data.last_monday)} – {day_month(sunday)}" in text
    assert LATE_BEDTIME in report.locator(".report-weekgrid").inner_text()
    assert "Bedtime shifted" in text and "Mood change" in text and "Life change" in text
    assert report.locator(".report-flag table.evidence").count() >= 3
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-session-report-360.png", full_page=True)

    # The Print button prints (the browser's dialog itself is not under test).
    doc.evaluate("window.print = () => { window.printed = true; }")
    doc.get_by_role("button", name="Print").click()
    assert doc.evaluate("window.printed === true")
    doc.emulate_media(media="print")
    assert not doc.locator("header.top").is_visible()
    assert not doc.locator(".report-controls").is_visible()
    assert not doc.locator(".tabs").is_visible()
    a4 = pdf_pages(doc.pdf(prefer_css_page_size=True, print_background=True))
    assert len(a4) == 1 and size(a4[0]) == A4
    printed = a4[0].extract_text()
    assert "Session report: Priya Late" in printed and "Bedtime shifted" in printed
    doc.emulate_media(media="screen")
    doc.get_by_label("Paper").select_option("letter")
    doc.emulate_media(media="print")
    letter = pdf_pages(doc.pdf(prefer_css_page_size=True, print_background=True))
    assert len(letter) == 1 and size(letter[0]) == LETTER
    (ARTIFACTS / "pwa-session-report-letter.pdf").write_bytes(
        doc.pdf(prefer_css_page_size=True, print_background=True)
    )
    doc.emulate_media(media="screen")

    # The server's PDF, fetched with the token and saved from a blob.
    with doc.expect_download() as download:
        doc.get_by_role("link", name="Download PDF").click()
    saved = download.value.path().read_bytes()
    assert saved.startswith(b"%PDF")
    pages = pdf_pages(saved)
    assert len(pages) == 1 and size(pages[0]) == LETTER
    assert "Priya Late" in pages[0].extract_text()
    doc.get_by_text("Saved ").wait_for()

    assert doc.errors == []
    context.close()


def test_the_client_proposes_targets_and_adds_context_but_cannot_acknowledge(server, browser):
    data = seed(server)
    bed = flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]
    status, _, _ = server.request(
        "POST",
        f"/api/v1/clients/{data.risky_id}/flags/{bed['id']}/ack",
        {"note": NOTE},
        token=data.clinician_token,
    )
    assert status == 200
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, "priya@example.org")
    go(me, "More", "My target times", via="My target times")
    me.get_by_text("No target times yet.").wait_for()
    # Read-only: the agreed times are not a form; a change is a proposal.
    assert me.locator("#main form").count() == 0
    me.get_by_role("button", name="Propose a change").click()
    me.get_by_label("Out of bed").fill("07:15")
    me.get_by_label("Went to bed").fill("23:15")
    me.get_by_role("button", name="Send proposal").click()
    me.get_by_text("Waiting for your clinician").wait_for()
    status, body, _ = server.request("GET", "/api/v1/targets", token=data.risky_token)
    assert status == 200 and body["targets"] == {}

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.goto(f"{server.url}/#/client/{data.risky_id}/targets")
    proposal = doc.locator(".proposal")
    proposal.wait_for()
    cells = proposal.locator("tbody tr").all_inner_texts()
    assert any("Out of bed" in c and "07:15" in c for c in cells), cells
    proposal.get_by_label("Note to the client (optional)").fill("As agreed today.")
    proposal.get_by_role("button", name="Accept").click()
    doc.locator(".proposal").wait_for(state="detached")
    assert doc.locator("#target-out_of_bed").input_value() == "07:15"
    status, body, _ = server.request("GET", "/api/v1/targets", token=data.risky_token)
    assert body["targets"]["out_of_bed"]["time"] == "07:15"

    me.reload()
    me.get_by_text("Accepted", exact=True).wait_for()
    assert "accepted by Dr Okafor" in me.locator("#main").inner_text()
    assert "As agreed today." in me.locator("#main").inner_text()
    assert "07:15" in me.locator("dl.usual").inner_text()

    # The client's flags: who acknowledged, no way to clear one, a note of their own to add.
    me.get_by_role("link", name="Flags", exact=True).click()
    mine = me.locator('.flags > li[data-rule="bed_shift"]')
    mine.get_by_text(f"by your clinician {CLINICIAN_NAME}").wait_for()
    assert "Your bedtime moved later than usual" in mine.inner_text()
    assert me.get_by_role("button", name=re.compile("acknowledge", re.I)).count() == 0
    mine.get_by_role("button", name="Add context").click()
    mine.get_by_label("Your note").fill("Deadline week.")
    event = mine.get_by_label("A life event that explains it (optional)")
    event.select_option(label=f"Life change, {day_month(data.last_monday)}")
    mine.get_by_role("button", name="Add", exact=True).click()
    mine.get_by_text("Your note:").wait_for()
    assert "explained by Life change" in mine.inner_text()
    context = flags_of(server, data.clinician_token, data.risky_id)["bed_shift"]["context"]
    assert [c["note"] for c in context] == ["Deadline week."] and context[0]["event_id"]
    doc.goto(f"{server.url}/#/client/{data.risky_id}/flags")
    theirs = doc.locator('.flags > li[data-rule="bed_shift"]')
    theirs.get_by_text("Their note:").wait_for()
    assert "Deadline week." in theirs.inner_text()
    assert doc.errors == [] and me.errors == []
    phone.close()
    desk.close()
