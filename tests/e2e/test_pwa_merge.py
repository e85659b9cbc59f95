"""'Merge both' after a conflict: a three-way merge against the version the phone's edit started
from (pwa/js/merge.js). A field changed on one device only takes that change; a field changed on
both asks the person, and the value not kept stays on the device, set aside."""

import re
from pathlib import Path

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    REPLAY_TIMEOUT,
    api_token,
    axe_violations,
    days_ago,
    eventually,
    log_day,
    new_context,
    no_overflow,
    open_app,
    open_day,
    register,
    server_entries,
    sign_in,
)

PWA = Path(__file__).resolve().parents[2] / "pwa"

# merge(base, mine, theirs) for each case, in the page (the module as the app loads it).
MERGE = """async (cases) => {
    const M = await import('/js/merge.js');
    return cases.map(([base, mine, theirs]) => M.merge(base, mine, theirs));
}"""


def entry(activities, mood=0, note=None, work_day=None):
    """A server entry as GET /entries/{date} returns it (minutes, a stated work-day mark)."""
    acts = {}
    for code, value in activities.items():
        time, offset = value if isinstance(value, tuple) else (value, 0)
        hours, minutes = map(int, time.split(":"))
        acts[code] = {
            "time": time,
            "day_offset": offset,
            "minutes": hours * 60 + minutes + 1440 * offset,
        }
    return {
        "mood": mood,
        "activities": acts,
        "note": note,
        "work_day": work_day,
        "timezone": "Europe/London",
    }


def body(activities, mood=0, note=None, **extra):
    """A PUT body as the phone's form makes it."""
    acts = {}
    for code, value in activities.items():
        if isinstance(value, dict):
            acts[code] = value
        else:
            time, offset = value if isinstance(value, tuple) else (value, 0)
            acts[code] = {"time": time, "day_offset": offset}
    return {"mood": mood, "activities": acts, "note": note, "timezone": "Europe/London", **extra}


def times(merged):
    return {code: a["time"] for code, a in merged["body"]["activities"].items()}


def test_merge_is_three_way_and_pure(server, browser):
    source = (PWA / "js" / "merge.js").read_text()
    assert "document" not in source and "window" not in source and "indexedDB" not in source

    context = new_context(browser)
    page = open_app(context, server)
    base = entry({"lunch": "13:00", "dinner": "19:00"}, note="base")
    cases = [
        # 0 the example: laptop moved lunch, phone moved dinner: both kept, no question
        (
            base,
            body({"lunch": "13:00", "dinner": "19:30"}, note="base"),
            entry({"lunch": "13:45", "dinner": "19:00"}, note="base"),
        ),
        # 1 both moved lunch, differently: a question; meanwhile the phone's value
        (
            base,
            body({"lunch": "12:30", "dinner": "19:00"}, note="base"),
            entry({"lunch": "13:45", "dinner": "19:00"}, note="base"),
        ),
        # 2 both moved lunch to the same time: no question
        (
            base,
            body({"lunch": "13:45", "dinner": "19:00"}, note="base"),
            entry({"lunch": "13:45", "dinner": "19:00"}, note="base"),
        ),
        # 3 company on one side, time on the other: both kept
        (
            base,
            body(
                {"lunch": {"time": "13:00", "day_offset": 0, "people": 2}, "dinner": "19:00"},
                note="base",
            ),
            entry({"lunch": "13:20", "dinner": "19:00"}, note="base"),
        ),
        # 4 mood and note on one side each, work-day mark only on the other
        (
            base,
            body({"lunch": "13:00", "dinner": "19:00"}, mood=3, note="base"),
            entry({"lunch": "13:00", "dinner": "19:00"}, note="laptop", work_day=False),
        ),
        # 5 mood, note and mark changed on both sides, differently: three questions
        (
            base,
            body({"lunch": "13:00", "dinner": "19:00"}, mood=3, note="phone", work_day=True),
            entry({"lunch": "13:00", "dinner": "19:00"}, mood=-2, note="laptop", work_day=False),
        ),
        # 6 dinner removed on the phone, untouched on the laptop: removed
        (
            base,
            body({"lunch": "13:00"}, note="base"),
            entry({"lunch": "13:45", "dinner": "19:00"}, note="base"),
        ),
        # 7 dinner removed on the phone, moved on the laptop: asked about dinner as a whole
        (
            base,
            body({"lunch": "13:00"}, note="base"),
            entry({"lunch": "13:00", "dinner": "20:00"}, note="base"),
        ),
        # 8 a bedtime after midnight is the same time however it is written
        (
            entry({"to_bed": ("00:40", 1)}),
            body({"to_bed": ("00:40", 1)}, mood=1),
            entry({"to_bed": ("00:40", 1)}),
        ),
        # 9 no base known (created on both devices): every difference is a question
        (
            None,
            body({"lunch": "12:00", "dinner": "19:00"}),
            entry({"lunch": "13:00", "dinner": "19:00"}),
        ),
    ]
    r = page.evaluate(MERGE, [list(c) for c in cases])

    assert times(r[0]) == {"lunch": "13:45", "dinner": "19:30"} and r[0]["conflicts"] == []
    assert times(r[1])["lunch"] == "12:30" and r[1]["conflicts"] == ["activities.lunch.time"]
    assert times(r[2])["lunch"] == "13:45" and r[2]["conflicts"] == []
    assert r[3]["body"]["activities"]["lunch"] == {"time": "13:20", "day_offset": 0, "people": 2}
    assert r[3]["conflicts"] == []
    assert (r[4]["body"]["mood"], r[4]["body"]["note"], r[4]["body"]["work_day"]) == (
        3,
        "laptop",
        False,
    )
    assert r[4]["conflicts"] == []
    assert sorted(r[5]["conflicts"]) == ["mood", "note", "work_day"]
    assert (r[5]["body"]["mood"], r[5]["body"]["note"], r[5]["body"]["work_day"]) == (
        3,
        "phone",
        True,
    )
    assert times(r[6]) == {"lunch": "13:45"} and r[6]["conflicts"] == []
    assert times(r[7]) == {"lunch": "13:00"} and r[7]["conflicts"] == ["activities.dinner"]
    assert r[8]["body"]["mood"] == 1 and r[8]["conflicts"] == []
    assert r[9]["conflicts"] == ["activities.lunch.time"]

    # Answering a question: the other device's value into the merged body.
    answered = page.evaluate(
        """async ([mine, theirs]) => {
            const M = await import('/js/merge.js');
            const { body, conflicts } = M.merge(null, mine, theirs);
            let next = body;
            for (const field of conflicts) {
                next = M.withValue(next, field, M.valueOf(theirs, field));
            }
            return [next, M.differences(mine, theirs)];
        }""",
        [body({"lunch": "12:00"}, note="a"), entry({"dinner": "19:00"}, note="b")],
    )
    # With no base, what only one side has is kept; what both hold differently was asked.
    assert times({"body": answered[0]}) == {"lunch": "12:00", "dinner": "19:00"}
    assert answered[0]["note"] == "b"
    assert sorted(answered[1]) == ["activities.dinner", "activities.lunch", "note"]

    # Every text of the sync screen, in English and Spanish (dynamic keys by their families).
    catalogue, codes = page.evaluate(
        """async () => {
            const [i18n, D] = await Promise.all([import('/js/i18n.js'), import('/js/diary.js')]);
            return [i18n.catalogue(), D.CODES];
        }"""
    )
    view = (PWA / "js" / "views" / "sync.js").read_text()
    used = set(re.findall(r't\("(sync\.[\w.-]+)"', view))
    used |= {f"sync.activity.{code}" for code in codes}
    used |= {f"sync.mood.{n}" for n in range(-5, 6)} | {f"sync.people.{n}" for n in range(4)}
    used |= {f"sync.workDay.{v}" for v in ("true", "false", "null")}
    used |= {f"sync.state.{s}" for s in ("waiting", "sending", "refused", "attention")}
    for lang in ("en", "es"):
        keys = {k for k in catalogue[lang] if k.startswith("sync.")}
        assert {k for k in used if k not in keys and f"{k}.other" not in keys} == set(), lang
    assert {k for k in catalogue["en"] if k.startswith("sync.")} == {
        k for k in catalogue["es"] if k.startswith("sync.")
    }
    # A version in Spanish, its differences marked in words.
    shown = page.evaluate(
        """async (day) => {
            const i18n = await import('/js/i18n.js');
            const S = await import('/js/views/sync.js');
            i18n.choose('es');
            const text = S.version(day, ['mood', 'activities.lunch']).textContent;
            i18n.choose(null);
            return text;
        }""",
        body(
            {"lunch": {"time": "13:00", "day_offset": 0, "people": 0}, "to_bed": ("00:40", 1)},
            mood=-2,
        ),
    )
    assert "Ánimo distinto" in shown and "-2 bajo" in shown
    assert "Comida distinto13:00, a solas" in shown
    assert "0:40 (después de medianoche)" in shown
    assert page.errors == []
    context.close()


def two_devices(server, browser, email, day, first, **logged):
    """The laptop logs a day; the phone signs in and opens it (its edit starts from there)."""
    laptop_context = new_context(browser)
    laptop = open_app(laptop_context, server)
    register(laptop, email)
    log_day(laptop, day, first, **logged)
    phone_context = new_context(browser)
    phone = open_app(phone_context, server)
    sign_in(phone, email)
    open_day(phone, day)
    phone.locator("#time-lunch").wait_for()
    assert phone.locator("#time-lunch").input_value() == first["lunch"]
    return laptop_context, laptop, phone_context, phone


def edit_offline_then_conflict(phone_context, phone, laptop, day, phone_edit, laptop_edit):
    """The phone edits offline, the laptop edits online, the phone comes back: a conflict."""
    phone_context.set_offline(True)
    phone_edit()
    phone.locator(".day-status").get_by_text("Saved on this device", exact=True).wait_for()
    laptop_edit()
    phone_context.set_offline(False)
    phone.locator(".day-status").get_by_text("Conflict", exact=True).wait_for(
        timeout=REPLAY_TIMEOUT
    )
    phone.locator("#sync-state").click()
    card = phone.locator(f'.conflict[data-date="{day}"]')
    card.wait_for()
    return card


def server_day(server, email, day):
    return server_entries(server, api_token(server, email), day, day).get(str(day))


def test_merge_keeps_a_change_made_only_on_the_laptop(server, browser):
    """The issue's example: lunch moved on the laptop, dinner on the phone offline."""
    email, day = "lunch.merge@example.org", days_ago(1)
    laptop_context, laptop, phone_context, phone = two_devices(
        server, browser, email, day, {"lunch": "13:00", "dinner": "19:00"}, mood=0, note="plain day"
    )
    card = edit_offline_then_conflict(
        phone_context,
        phone,
        laptop,
        day,
        lambda: log_day(
            phone, day, {"dinner": "19:30"}, expect="Saved on this device", navigate=False
        ),
        lambda: log_day(laptop, day, {"lunch": "13:45"}),
    )
    # What differs is marked on both sides, in words; what is the same is not.
    assert card.locator('.side-mine dt.differs[data-field="activities.lunch"]').count() == 1
    assert card.locator('.side-theirs dt.differs[data-field="activities.dinner"]').count() == 1
    assert (
        card.locator('.side-mine dt.differs[data-field="activities.lunch"]')
        .inner_text()
        .endswith("differs")
    )
    assert card.locator('dt.differs[data-field="note"]').count() == 0

    card.get_by_role("button", name="Merge both").click()
    phone.locator("#sync-state").get_by_text("All synced").wait_for()
    merged = eventually(
        lambda: (
            (e := server_day(server, email, day))
            and e["activities"]["dinner"]["time"] == "19:30"
            and e
        )
    )
    assert merged["activities"]["lunch"]["time"] == "13:45"  # not the phone's stale 13:00
    assert merged["note"] == "plain day"
    # No question was asked, and nothing had to be set aside: both changes are in the merge.
    assert phone.locator(".merge-questions").count() == 0
    assert phone.get_by_text("Versions set aside").count() == 0
    assert phone.errors == [] and laptop.errors == []
    phone_context.close()
    laptop_context.close()


def test_a_field_changed_on_both_devices_is_asked_and_the_choice_stored(server, browser):
    email, day = "both.merge@example.org", days_ago(2)
    laptop_context, laptop, phone_context, phone = two_devices(
        server, browser, email, day, {"lunch": "13:00", "dinner": "19:00"}, mood=0, note="plain day"
    )
    card = edit_offline_then_conflict(
        phone_context,
        phone,
        laptop,
        day,
        lambda: log_day(
            phone,
            day,
            {"lunch": "12:30"},
            note="phone note",
            expect="Saved on this device",
            navigate=False,
        ),
        lambda: log_day(laptop, day, {"lunch": "13:45"}, mood=2),
    )
    card.get_by_role("button", name="Merge both").click()
    questions = card.locator(".merge-questions")
    questions.get_by_role("heading", name="Changed on both devices").wait_for()
    # Only lunch's time was changed on both: mood (laptop) and note (phone) are not asked.
    assert questions.locator("fieldset").count() == 1
    group = questions.get_by_role("group", name="Lunch: time")
    assert group.get_by_role("radio", name="This device: 12:30").is_visible()
    assert group.get_by_role("radio", name="Other device: 13:45").is_visible()

    # Saving without an answer says so and sends nothing.
    questions.get_by_role("button", name="Save merged version").click()
    questions.get_by_text("Choose a version for each question first.").wait_for()
    assert server_day(server, email, day)["activities"]["lunch"]["time"] == "13:45"
    assert server_day(server, email, day)["note"] == "plain day"

    group.get_by_role("radio", name="This device: 12:30").check()
    questions.get_by_role("button", name="Save merged version").click()
    phone.locator("#sync-state").get_by_text("All synced").wait_for()
    stored = eventually(
        lambda: (e := server_day(server, email, day)) and e["note"] == "phone note" and e
    )
    assert stored["activities"]["lunch"]["time"] == "12:30"  # the person's choice
    assert stored["mood"] == 2  # the laptop's one-sided change
    assert stored["activities"]["dinner"]["time"] == "19:00"
    # The laptop's lunch was not kept: its version stays on the phone until dismissed.
    aside = phone.locator(f'.aside[data-date="{day}"]')
    aside.get_by_text("13:45").wait_for()
    assert "version from the other device" in aside.locator("h4").inner_text()
    assert phone.errors == [] and laptop.errors == []
    phone_context.close()
    laptop_context.close()


def test_mood_note_work_day_and_removed_anchors_merge(server, browser):
    email, day = "fields.merge@example.org", days_ago(3)
    laptop_context, laptop, phone_context, phone = two_devices(
        server, browser, email, day, {"lunch": "13:00", "dinner": "19:00"}, mood=0, note="plain day"
    )

    def phone_edit():
        # Dinner and lunch removed, a free day, mood +2.
        phone.locator("#work-day-no").check()
        log_day(
            phone,
            day,
            {"dinner": "", "lunch": ""},
            mood=2,
            expect="Saved on this device",
            navigate=False,
        )

    card = edit_offline_then_conflict(
        phone_context,
        phone,
        laptop,
        day,
        phone_edit,
        # The laptop moves lunch (removed on the phone), rates mood -1 and writes a note.
        lambda: log_day(laptop, day, {"lunch": "12:15"}, mood=-1, note="laptop note"),
    )
    assert card.locator('.side-mine dt.differs[data-field="work_day"]').count() == 1
    assert (
        card.locator('.side-mine dd.differs[data-field="activities.lunch"]').inner_text()
        == "not logged"
    )
    card.get_by_role("button", name="Merge both").click()
    questions = card.locator(".merge-questions")
    questions.get_by_role("heading", name="Changed on both devices").wait_for()
    assert sorted(
        questions.locator("fieldset").evaluate_all("els => els.map((e) => e.dataset.field)")
    ) == ["activities.lunch", "mood"]
    lunch = questions.get_by_role("group", name="Lunch", exact=True)
    assert lunch.get_by_role("radio", name="This device: not logged").is_visible()
    lunch.get_by_role("radio", name="Other device: 12:15").check()
    mood = questions.get_by_role("group", name="Mood")
    mood.get_by_role("radio", name="This device: +2 high").check()
    assert no_overflow(phone)
    assert axe_violations(phone) == []
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "pwa-merge-questions-360.png", full_page=True)
    # An answer survives the view redrawing (a queue change elsewhere redraws it).
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert mood.get_by_role("radio", name="This device: +2 high").is_checked()
    questions.get_by_role("button", name="Save merged version").click()
    phone.locator("#sync-state").get_by_text("All synced").wait_for()

    stored = eventually(lambda: (e := server_day(server, email, day)) and e["mood"] == 2 and e)
    assert stored["activities"]["lunch"]["time"] == "12:15"  # chosen: the laptop's
    assert "dinner" not in stored["activities"]  # removed on the phone only
    assert stored["note"] == "laptop note"  # changed on the laptop only
    assert stored["work_day"] is False  # marked on the phone only
    # A value of each side was left out: both versions are set aside.
    assert phone.locator(f'.aside[data-date="{day}"]').count() == 2

    laptop.reload()
    open_day(laptop, day)
    assert laptop.locator("#time-lunch").input_value() == "12:15"
    assert laptop.locator("#time-dinner").input_value() == ""
    assert phone.errors == [] and laptop.errors == []
    phone_context.close()
    laptop_context.close()
