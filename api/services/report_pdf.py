"""Draw the session report (api/services/session_report.py) as one PDF page, with fpdf2.

The page always stays one page: sections are laid out top to bottom at fixed sizes, and the
lists that can grow without bound (flags, life events) are cut to the space left, saying how
many more there are. Four weeks leave room for about a dozen flags on A4 or US Letter.

Text uses Liberation Sans or DejaVu Sans where the system has them (Debian's
fonts-liberation, installed with Chromium by `make chromium`), so any script prints; without
them the PDF core font Helvetica is used and text outside Latin-1 is transliterated.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from api.services.session_report import PAPER

# fontTools logs each table it subsets at INFO, and fpdf2 warns with the very characters a
# font lacks (letters of a client's name): neither belongs in the service's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("fpdf").setLevel(logging.ERROR)

MARGIN = 12  # mm
LINE = 3.9  # mm, one line of body text
BODY, SMALL, HEADING, TITLE = 7.5, 6.5, 9, 13  # points
FONT_FILES = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)
SEVERITY_COLOUR = {"high": (176, 0, 32), "medium": (166, 94, 0), "low": (90, 90, 90)}
MAX_FLAG_CHARS = 300
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _font_files() -> tuple[str, str] | None:
    for regular, bold in FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


# Letters and signs with no Latin-1 form that NFKD does not take apart.
_PLAIN = {"–": "-", "—": "-", "−": "-", "…": "...", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d"}
_PLAIN |= {"Œ": "OE", "œ": "oe", "ı": "i", "Ħ": "H", "ħ": "h", "’": "'", "“": '"', "”": '"'}


def _latin1(char: str) -> str:
    if ord(char) < 256:
        return char
    if char in _PLAIN:
        return _PLAIN[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"


class _Page(FPDF):
    def __init__(self, paper: str):
        super().__init__(orientation="P", unit="mm", format=PAPER[paper])
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        files = _font_files()
        self.unicode = files is not None
        if files:
            self.add_font("body", "", files[0])
            self.add_font("body", "B", files[1])
            self.family_name = "body"
        else:
            self.family_name = "helvetica"
        self.add_page()

    @property
    def width(self) -> float:
        return self.w - 2 * MARGIN

    @property
    def bottom(self) -> float:
        return self.h - MARGIN

    def text_of(self, value) -> str:
        text = "" if value is None else str(value)
        if self.unicode:
            return text
        # Core fonts read Latin-1: other letters lose their accents, else become "?".
        return "".join(_latin1(c) for c in text)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)

    def put(self, w: float, text, align: str = "L", bold=False, size=BODY, h=LINE) -> None:
        self.font(size, bold)
        self.cell(w, h, self.fit(self.text_of(text), w), align=align)

    def fit(self, text: str, w: float, cut: bool = False) -> str:
        """Cut text to the cell's width, ending in an ellipsis (always when `cut`)."""
        if not cut and self.get_string_width(text) <= w - 1:
            return text
        dots = "…" if self.unicode else "..."
        # The longest prefix that fits, by bisection: measuring costs a pass over the text.
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.get_string_width(text[:mid] + dots) <= w - 1:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + dots

    def newline(self, h: float = LINE) -> None:
        self.set_xy(MARGIN, self.get_y() + h)

    def heading(self, text: str) -> None:
        self.newline(1.5)
        self.font(HEADING, bold=True)
        self.cell(self.width, 5, self.text_of(text))
        self.newline(5)
        self.set_draw_color(180, 180, 180)
        self.line(MARGIN, self.get_y() - 0.6, MARGIN + self.width, self.get_y() - 0.6)

    def lines_of(self, text: str, w: float, size: float) -> list[str]:
        self.font(size)
        return self.multi_cell(
            w, LINE, self.text_of(text), dry_run=True, output=MethodReturnValue.LINES
        )


def _num(value, places: int = 1) -> str:
    return "–" if value is None else f"{value:.{places}f}"


def _minutes(value) -> str:
    """Minutes as h:mm (a duration)."""
    if value is None:
        return "–"
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}"


def _mood(value: int | None) -> str:
    return "–" if value is None else (f"{value:+d}" if value else "0")


def _day(value: date) -> str:
    return value.strftime("%d %b")


def _label(code: str) -> str:
    return code.replace("_", " ")


def render(report: dict, paper: str = "a4") -> bytes:
    """The report as PDF bytes, always one page."""
    pdf = _Page(paper)
    pdf.set_title("Session report")
    pdf.set_creator("Cadence")
    generated = report["generated_at"]
    if isinstance(generated, datetime):
        pdf.set_creation_date(generated)
    _header(pdf, report)
    _weeks(pdf, report)
    _grid(pdf, report["last_week"])
    _scales(pdf, report.get("scales") or [])
    _tasks(pdf, report.get("tasks") or [])
    _flags_and_events(pdf, report)
    _footer(pdf, report)
    return bytes(pdf.output())


def _header(pdf: _Page, report: dict) -> None:
    client, course = report["client"], report["course"]
    name = client["display_name"] or f"Client {client['id']}"
    start, end = report["period"]["start"], report["period"]["end"]
    left = pdf.width - 78
    pdf.set_xy(MARGIN, MARGIN)
    pdf.put(left, f"Session report: {name}", bold=True, size=TITLE, h=7)
    pdf.newline(7)
    pdf.put(
        left,
        f"{report['weeks']} weeks, {start:%d %b %Y} to {end:%d %b %Y} (complete weeks); "
        f"flags and events to {report['today']:%d %b %Y}",
    )
    pdf.newline()
    if course:
        areas = ", ".join(_label(a) for a in course["problem_areas"]) or "none recorded"
        number = course["session_number"]
        planned = course["planned_weeks"]
        session = (
            "session –"
            if number is None
            else f"session {number}" + (f" of {planned}" if planned else "")
        )
        started = f"started {course['start']:%d %b %Y}" if course["start"] else "no start date"
        text = f"Course: {course['phase'] or 'phase not set'} phase, {session}, {started}"
        pdf.put(left, text)
        pdf.newline()
        pdf.put(left, f"Problem areas: {areas}")
    else:
        pdf.put(left, "Course: not recorded")
    pdf.newline()
    pdf.put(left, f"Time zone {client['timezone']}", size=SMALL)
    _chart(pdf, report["weekly"], MARGIN + left + 2, MARGIN, 76, 26)
    pdf.set_xy(MARGIN, MARGIN + 28)


def _chart(pdf: _Page, weekly: list[dict], x: float, y: float, w: float, h: float) -> None:
    """SRM (solid) and SRM-5 (dashed) by week on a 0..7 scale."""
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    top, plot_h, plot_x, plot_w = y + 4, h - 8, x + 6, w - 8
    for level in (0, 3.5, 7):
        ly = top + plot_h * (1 - level / 7)
        pdf.line(plot_x, ly, plot_x + plot_w, ly)
        pdf.font(SMALL)
        pdf.set_xy(x, ly - 1.5)
        pdf.cell(6, 3, f"{level:g}")
    pdf.set_xy(x, y)
    pdf.put(w, "SRM (solid) and SRM-5 (dashed) by week", size=SMALL, h=3.5)
    step = plot_w / max(1, len(weekly) - 1)

    def points(key):
        return [
            (plot_x + i * step, top + plot_h * (1 - week[key] / 7))
            for i, week in enumerate(weekly)
            if week[key] is not None
        ]

    pdf.set_draw_color(20, 60, 140)
    pdf.set_line_width(0.5)
    for key, dashed in (("srm", False), ("srm5", True)):
        found = points(key)
        if dashed:
            pdf.set_dash_pattern(dash=1.2, gap=0.8)
        if len(found) > 1:
            pdf.polyline(found)
        for px, py in found:
            pdf.circle(px, py, 0.6, style="F" if not dashed else "D")
        pdf.set_dash_pattern()
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.font(SMALL)
    if weekly:
        pdf.set_xy(plot_x - 3, top + plot_h + 0.5)
        pdf.cell(20, 3, _day(weekly[0]["start"]))
        pdf.set_xy(plot_x + plot_w - 14, top + plot_h + 0.5)
        pdf.cell(14, 3, _day(weekly[-1]["start"]), align="R")


WEEK_COLUMNS = (
    ("Week of", 17, "L"),
    ("Days", 10, "R"),
    ("SRM", 11, "R"),
    ("SRM-5", 12, "R"),
    ("Sleep", 13, "R"),
    ("Shortest", 15, "R"),
    ("Midpoint", 15, "R"),
    ("SRI", 11, "R"),
    ("Jetlag", 13, "R"),
    ("Mood", 12, "R"),
    ("Range", 15, "R"),
    ("High/low days", 22, "R"),
    ("Zone", 0, "L"),
)


def _weeks(pdf: _Page, report: dict) -> None:
    pdf.heading("Weeks: SRM, sleep (diary-derived) and mood")
    widths = [w or pdf.width - sum(c[1] for c in WEEK_COLUMNS) for _, w, _ in WEEK_COLUMNS]
    for (title, _, align), w in zip(WEEK_COLUMNS, widths, strict=True):
        pdf.put(w, title, align=align, bold=True, size=SMALL)
    pdf.newline()
    for week in report["weekly"]:
        sleep, mood = week["sleep"], week["mood"]
        mood_range = "–" if mood["min"] is None else f"{_mood(mood['min'])}..{_mood(mood['max'])}"
        cells = (
            _day(week["start"]),
            f"{week['days_logged']}/7",
            _num(week["srm"]),
            _num(week["srm5"]),
            _minutes(sleep["mean_duration"]),
            _minutes(sleep["min_duration"]),
            sleep.get("mean_midpoint_time") or "–",
            _num(sleep["sri"], 0),
            "–" if sleep["social_jetlag"] is None else f"{round(sleep['social_jetlag'])} min",
            _num(mood["mean"]),
            mood_range,
            f"{mood['elevated_days']}/{mood['depressed_days']}",
            "changed" if week["zone_changed"] else "",
        )
        for (_, _, align), w, text in zip(WEEK_COLUMNS, widths, cells, strict=True):
            pdf.put(w, text, align=align)
        pdf.newline()


def _grid(pdf: _Page, week: dict) -> None:
    pdf.heading(
        f"Last complete week, {week['start']:%d %b} to {week['end']:%d %b}: "
        f"SRM {_num(week['srm'])}, SRM-5 {_num(week['srm5'])}"
    )
    first, target, usual, hits = 30, 13, 13, 10
    day_w = (pdf.width - first - target - usual - hits) / 7
    pdf.put(first, "Anchor", bold=True, size=SMALL)
    pdf.put(target, "Target", align="R", bold=True, size=SMALL)
    pdf.put(usual, "SRM hab.", align="R", bold=True, size=SMALL)
    for day in week["days"]:
        pdf.put(day_w, f"{WEEKDAYS[day.weekday()]} {day.day}", align="R", bold=True, size=SMALL)
    pdf.put(hits, "Hits", align="R", bold=True, size=SMALL)
    pdf.newline()
    for anchor in week["anchors"]:
        pdf.put(first, _label(anchor["activity"]))
        pdf.put(target, anchor["target"] or "–", align="R")
        pdf.put(usual, anchor["habitual"] or "–", align="R")
        for time, late in zip(anchor["times"], anchor["after_midnight"], strict=True):
            pdf.put(day_w, "–" if time is None else (f"{time}+1" if late else time), align="R")
        pdf.put(hits, "–" if anchor["hits"] is None else anchor["hits"], align="R")
        pdf.newline()
    pdf.put(first + target + usual, "Mood")
    for mood in week["moods"]:
        pdf.put(day_w, _mood(mood), align="R")
    pdf.newline()
    pdf.put(first + target + usual, "Sleep (h:mm, night before)")
    for minutes in week["sleep_minutes"]:
        pdf.put(day_w, _minutes(minutes), align="R")
    pdf.newline()
    pdf.put(
        pdf.width,
        "SRM hab. = the week's habitual time as the SRM defines it; hits = days within its "
        "window; +1 = after midnight. Flags compare with the usual time: the 4-week habitual "
        "time of the same kind of day, or the target.",
        size=SMALL,
    )
    pdf.newline()


# Earlier totals shown beside the latest, per instrument.
SCALE_HISTORY = 6


def _scales(pdf: _Page, scales: list[dict]) -> None:
    """One line per instrument answered in the period: the latest total and band, then the
    earlier totals; nothing when none was answered, so the flags keep their room."""
    if not scales:
        return
    pdf.heading("Scales: questionnaires answered since the period began")
    name_w = 22
    for scale in scales:
        latest, earlier = scale["responses"][-1], scale["responses"][:-1]
        text = f"{latest['total']}/{scale['max']} {latest['band']} on {_day(latest['answered_on'])}"
        if earlier:
            shown = ", ".join(str(r["total"]) for r in earlier[-SCALE_HISTORY:])
            more = len(earlier) - SCALE_HISTORY
            text += f"; earlier {shown}" + (f" (+{more} more)" if more > 0 else "")
        pdf.put(name_w, scale["name"], bold=True)
        pdf.put(pdf.width - name_w, text)
        pdf.newline()


# Tasks listed before "+N more": the session goes over a handful, not a backlog.
TASKS_SHOWN = 4
TASK_STATUS = {"open": "open", "done": "done", "not_done": "not done"}


def _tasks(pdf: _Page, tasks: list[dict]) -> None:
    """One line per between-session task: due day, status, the task and the client's note."""
    if not tasks:
        return
    pdf.heading("Between-session tasks")
    status_w, due_w = 18, 22
    for task in tasks[:TASKS_SHOWN]:
        text = task["text"] + (f" (their note: {task['note']})" if task.get("note") else "")
        pdf.put(due_w, f"due {_day(task['due'])}")
        pdf.put(status_w, TASK_STATUS.get(task["status"], task["status"]), bold=True)
        pdf.put(pdf.width - due_w - status_w, text)
        pdf.newline()
    if len(tasks) > TASKS_SHOWN:
        pdf.put(pdf.width, f"+{len(tasks) - TASKS_SHOWN} more in the app")
        pdf.newline()


def _flag_lines(pdf: _Page, flag: dict, text_w: float) -> list[str]:
    explained = ""
    if flag["explained_by"]:
        explained = " Explained by " + ", ".join(flag["explained_by"]) + "."
    acked = ""
    if flag["acknowledged_at"] is not None:
        by = flag["acknowledged_by"]
        acked = f" Acknowledged by {by['name'] if by else 'a former account'}"
        acked += f" on {flag['acknowledged_at']:%d %b}"
        acked += f": {flag['ack_note']}." if flag["ack_note"] else "."
    context = "".join(f" Client: {note}" for note in flag["context"])
    window = _day(flag["window_start"])
    if flag["window_end"] != flag["window_start"]:
        window += f"–{_day(flag['window_end'])}"
    text = f"{window}.{explained}{acked}{context} {flag['summary']}"
    # Two lines hold under 250 characters: breaking only those keeps a long summary cheap.
    lines = pdf.lines_of(text[:MAX_FLAG_CHARS], text_w, BODY)
    if len(lines) > 2 or len(text) > MAX_FLAG_CHARS:
        pdf.font(BODY)
        lines = lines[:2]
        lines[-1] = pdf.fit(lines[-1], text_w, cut=True)
    return lines


def _flags_and_events(pdf: _Page, report: dict) -> None:
    events = report["life_events"]
    # Events get their lines first (at most 5), flags take what is left.
    shown_events = events[:5]
    events_h = (7.5 + LINE * max(1, len(shown_events))) + (LINE if len(events) > 5 else 0)
    footer_h = LINE + 1
    flags = [("open", f) for f in report["flags"]["open"]]
    flags += [("recent", f) for f in report["flags"]["recent"]]
    pdf.heading(
        f"Flags: {len(report['flags']['open'])} open, "
        f"{len(report['flags']['recent'])} acknowledged in the period"
    )
    tag_w, rule_w = 16, 26
    text_w = pdf.width - tag_w - rule_w
    limit = pdf.bottom - events_h - footer_h
    shown = 0
    for status, flag in flags:
        lines = _flag_lines(pdf, flag, text_w)
        if pdf.get_y() + LINE * (len(lines) + 1) > limit:
            break
        colour = SEVERITY_COLOUR.get(flag["severity"], (0, 0, 0))
        pdf.set_text_color(*colour)
        pdf.put(tag_w, f"{flag['severity']}{'' if status == 'open' else ' (ack)'}", bold=True)
        pdf.set_text_color(0, 0, 0)
        pdf.put(rule_w, _label(flag["rule"]))
        x = pdf.get_x()
        for i, line in enumerate(lines):
            pdf.set_x(x)
            pdf.put(text_w, line)
            if i < len(lines) - 1:
                pdf.newline()
        pdf.newline()
        shown += 1
    if not flags:
        pdf.put(pdf.width, "No open flags, none acknowledged in the period.")
        pdf.newline()
    elif shown < len(flags):
        pdf.put(pdf.width, f"+{len(flags) - shown} more flags: see the client's flags page.")
        pdf.newline()

    pdf.heading("Life events")
    if not events:
        pdf.put(pdf.width, "None in the period.")
        pdf.newline()
    for event in shown_events:
        note = f": {event['note']}" if event["note"] else ""
        days = _day(event["start"])
        if event["end"] != event["start"]:
            days += f"–{_day(event['end'])}"
        pdf.put(
            pdf.width,
            f"{days}  {_label(event['kind'])}, disruption {event['disruption']}/3{note}",
        )
        pdf.newline()
    if len(events) > len(shown_events):
        pdf.put(pdf.width, f"+{len(events) - len(shown_events)} more life events.")
        pdf.newline()


def _footer(pdf: _Page, report: dict) -> None:
    pdf.set_xy(MARGIN, pdf.bottom - LINE)
    pdf.set_text_color(90, 90, 90)
    generated = report["generated_at"]
    pdf.put(
        pdf.width,
        f"Cadence, {generated:%Y-%m-%d %H:%M} UTC. Sleep and SRI are estimated from the diary, "
        "not measured. Confidential health information.",
        size=SMALL,
    )
    pdf.set_text_color(0, 0, 0)
