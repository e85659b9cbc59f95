"""Diary minutes, clock times, circular statistics and time zones.

A diary day starts when the client gets out of bed, so times are "minutes after the diary day's
midnight": a bedtime of 00:30 after that day is 1470, not 30 (docs/science.md §1.2).
"""

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.rhythm.activities import MINUTES_PER_DAY

# [0-9], not \d: \d also matches other scripts' digits.
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
_TAU = 2 * math.pi
# Tolerance for a resultant of exactly opposite times (e.g. 00:00 and 12:00): no mean direction.
_NO_DIRECTION = 1e-9
# After-midnight cut for inferring a bedtime's day offset (docs/science.md §1.2).
_NOON = 12 * 60


def parse_hhmm(text: str) -> int:
    """ "HH:MM" (00:00..23:59, two digits each) -> minutes after midnight."""
    match = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"time must be HH:MM with two digits each, got {text!r}")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise ValueError(f"time must be between 00:00 and 23:59, got {text!r}")
    return hours * 60 + minutes


def format_hhmm(minutes: float) -> str:
    """Clock time of diary minutes: wraps past midnight and rounds half up to the minute."""
    whole = math.floor(minutes + 0.5) % MINUTES_PER_DAY
    return f"{whole // 60:02d}:{whole % 60:02d}"


def to_diary_minutes(clock_minutes: int, day_offset: int) -> int:
    return clock_minutes + MINUTES_PER_DAY * day_offset


def split_diary_minutes(m: int) -> tuple[int, int]:
    """Diary minutes -> (clock minutes 0..1439, day offset)."""
    day_offset, clock_minutes = divmod(m, MINUTES_PER_DAY)
    return clock_minutes, day_offset


def infer_day_offset(activity: str, clock_minutes: int) -> int:
    """A bedtime before noon is after midnight: it belongs to the day the client got up."""
    return 1 if activity == "to_bed" and clock_minutes < _NOON else 0


def unwrap_near(m: float, reference: float) -> float:
    """Move a time by whole days so that it lies within half a day of `reference`."""
    return m + MINUTES_PER_DAY * round((reference - m) / MINUTES_PER_DAY)


def _resultant(minutes: Iterable[float]) -> tuple[float, float, int]:
    sin_sum = cos_sum = 0.0
    n = 0
    for m in minutes:
        angle = _TAU * m / MINUTES_PER_DAY
        sin_sum += math.sin(angle)
        cos_sum += math.cos(angle)
        n += 1
    return sin_sum, cos_sum, n


def circular_mean(minutes: Iterable[float]) -> float | None:
    """Mean clock time in [0, 1440); None when empty or when the times cancel out."""
    sin_sum, cos_sum, n = _resultant(minutes)
    if n == 0 or math.hypot(sin_sum, cos_sum) / n < _NO_DIRECTION:
        return None
    mean = math.atan2(sin_sum, cos_sum) * MINUTES_PER_DAY / _TAU % MINUTES_PER_DAY
    # A tiny negative angle modulo 1440 rounds up to 1440.0, which is midnight.
    return 0.0 if mean >= MINUTES_PER_DAY else mean


def resultant_length(minutes: Iterable[float]) -> float | None:
    """R in [0, 1]: 1 when all times are equal, near 0 when spread round the clock."""
    sin_sum, cos_sum, n = _resultant(minutes)
    return None if n == 0 else min(1.0, math.hypot(sin_sum, cos_sum) / n)


def circular_sd(minutes: Iterable[float]) -> float | None:
    """sqrt(-2 ln R) in minutes; None when empty or when R is 0 (SD is infinite)."""
    r = resultant_length(minutes)
    if r is None or r < _NO_DIRECTION:
        return None
    return math.sqrt(-2 * math.log(r)) * MINUTES_PER_DAY / _TAU


def unwrapped_mean(minutes: Iterable[float]) -> float | None:
    """Arithmetic mean after unwrapping every time near the circular mean.

    Stays on the diary-minute scale of the inputs (a habitual bedtime of 00:10 stays 1450), and
    values coded a day off (30 instead of 1470) still average correctly.
    """
    values = list(minutes)
    if not values:
        return None
    plain = math.fsum(values) / len(values)
    centre = circular_mean(values)
    if centre is None:
        return plain
    centre = unwrap_near(centre, plain)
    return math.fsum(unwrap_near(v, centre) for v in values) / len(values)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """ZoneInfo by IANA name, cached; unknown names raise ValueError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_instant(day: date, diary_minutes: int, zone_name: str) -> datetime:
    """Aware datetime of the wall-clock time `diary_minutes` after `day`'s midnight.

    Wall-clock arithmetic first, zone second, with fold=0: a time in a spring-forward gap is
    read with the offset in force before the gap (01:30 GMT on London's spring day, i.e. 02:30
    BST), and an ambiguous autumn time is its first occurrence (summer time).
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone(zone_name))
    # Aware + timedelta is wall-clock arithmetic in Python and yields fold=0.
    return midnight + timedelta(minutes=diary_minutes)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1970-01-01: local dates as numbers, for epoch-minute arithmetic."""
    return day.toordinal() - _EPOCH_ORDINAL


@lru_cache(maxsize=65536)
def _steady_midnight(day: date, zone_name: str) -> int | None:
    """Epoch minutes of `day`'s local midnight when one UTC offset holds all day, else None."""
    tz = zone(zone_name)
    first = datetime(day.year, day.month, day.day, tzinfo=tz).utcoffset()
    last = datetime(day.year, day.month, day.day, 23, 59, tzinfo=tz).utcoffset()
    if first != last:
        return None
    return day_number(day) * MINUTES_PER_DAY - first // timedelta(minutes=1)


def epoch_minutes(day: date, diary_minutes: int, zone_name: str) -> float:
    """Minutes since the Unix epoch of `local_instant(day, diary_minutes, zone_name)`.

    Plain arithmetic from the local midnight, cached per (date, zone); the rare day whose offset
    changes (a DST day) goes through the datetime path, which resolves gaps and folds.
    """
    extra_days, minutes = divmod(diary_minutes, MINUTES_PER_DAY)
    local_day = date.fromordinal(day.toordinal() + extra_days) if extra_days else day
    midnight = _steady_midnight(local_day, zone_name)
    if midnight is None:
        return local_instant(day, diary_minutes, zone_name).timestamp() / 60
    return midnight + minutes


def night_instants(
    bed_day: date,
    bed_minutes: int,
    bed_zone: str,
    wake_day: date,
    wake_minutes: int,
    wake_zone: str,
    longest: float,
) -> tuple[float, float, str] | None:
    """(bed, wake) in epoch minutes of a night, and the zone whose clock the bedtime is read on;
    None when no reading gives a night longer than 0 and at most `longest` minutes.

    Each end is read in its own day's zone. On a night that changes zone (travel) the bedtime
    may have been written on the arrival clock instead: when the departure clock gives no night
    (typically an eastward one whose wake then comes before the bedtime, docs/science.md §2.7),
    the bedtime is read on the arrival clock.
    """
    wake = epoch_minutes(wake_day, wake_minutes, wake_zone)
    readings = (bed_zone,) if bed_zone == wake_zone else (bed_zone, wake_zone)
    for zone_name in readings:
        bed = epoch_minutes(bed_day, bed_minutes, zone_name)
        if 0 < wake - bed <= longest:
            return bed, wake, zone_name
    return None


@lru_cache(maxsize=65536)
def _offset_from(quarter_hour: int, zone_name: str) -> int:
    # Offsets change only on quarter hours in the zone database, so one per quarter hour is exact.
    instant = datetime.fromtimestamp(quarter_hour * 900, tz=zone(zone_name))
    return instant.utcoffset() // timedelta(minutes=1)


def local_minutes(epoch: float, zone_name: str) -> float:
    """Local wall-clock minutes since 1970-01-01 00:00 of an instant given in epoch minutes."""
    return epoch + _offset_from(int(epoch // 15), zone_name)


def local_today(zone_name: str, now: datetime) -> date:
    """The calendar date at instant `now` (aware) where the client is."""
    return now.astimezone(zone(zone_name)).date()
