"""Writing whole weeks of diary days through the API, for scenario tests."""

from datetime import date, timedelta


def log_week(
    client,
    account,
    monday: date,
    columns: dict,
    *,
    timezone="UTC",
    mood=0,
    zones=None,
    moods=None,
    people=None,
):
    """columns: activity → 7 clock times ("HH:MM" or None). Bedtimes before 12:00 are after
    midnight, as the API infers. zones/moods/people: optional per-day lists."""
    for i in range(7):
        activities = {}
        for code, times in columns.items():
            if times[i] is not None:
                activities[code] = {"time": times[i]}
                if people and code in people:
                    activities[code]["people"] = people[code][i]
        response = client.put(
            f"/api/v1/entries/{monday + timedelta(days=i)}",
            json={
                "timezone": zones[i] if zones else timezone,
                "mood": moods[i] if moods else mood,
                "activities": activities,
            },
            headers=account.headers,
        )
        assert response.status_code in (200, 201), response.json


def steady(wake="07:00", contact="07:30", work="09:00", dinner="19:00", bed="23:00"):
    return {
        "out_of_bed": [wake] * 7,
        "first_contact": [contact] * 7,
        "start_work": [work] * 7,
        "dinner": [dinner] * 7,
        "to_bed": [bed] * 7,
    }


# Test vector TV1 from the science doc (– = not done); bedtimes 24:45 and 25:30 are 00:45, 01:30.
TV1 = {
    "out_of_bed": ["07:00", "07:10", "06:50", "07:05", "07:00", "08:30", "09:00"],
    "first_contact": ["07:30", "07:45", "07:20", "07:40", "07:30", "09:00", "10:15"],
    "start_work": ["08:30", "08:35", "08:30", "08:40", "08:30", "11:00", None],
    "dinner": ["18:30", "18:45", "19:00", "18:30", "20:30", "19:00", "18:45"],
    "to_bed": ["23:00", "23:15", "22:45", "23:30", "00:45", "01:30", "23:00"],
}
