"""The small vocabulary that ties a warning sign of the relapse-prevention plan to the flags:
a signal names a flag rule and, optionally, how far the flag must go to count.

{"rule": "bed_shift", "direction": "later", "min_minutes": 120} matches a bedtime flag whose
days moved at least two hours later; {"rule": "asrm_high", "min_total": 6} an ASRM flag with a
total of 6 or more; {"rule": "mood", "pole": "elevated"} an elevated-mood flag. Pure functions,
no database: validation for the schema, matching for api/services/ipt/relapse_plan.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from api.rhythm.flag_rules.registry import RULES

# The scale flags raised by questionnaire answers, beside the diary's rules.
SCALE_RULES = ("asrm_high", "phq9_high", "suicide_risk")
SIGNAL_RULES = tuple(dict.fromkeys((*RULES, *SCALE_RULES)))
DIRECTIONS = ("later", "earlier")
POLES = ("elevated", "depressed")
SHIFT_MINUTES_MAX = 720
TOTAL_MAX = {"asrm_high": 20, "phq9_high": 27}


def _one_of(options: tuple[str, ...]) -> Callable[[object], str | None]:
    def check(value) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)}"

    return check


def _whole(low: int, high: int) -> Callable[[object], str | None]:
    def check(value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
        return None

    return check


# The parameters each rule takes; a rule not listed takes none.
PARAMETERS: Mapping[str, Mapping[str, Callable[[object], str | None]]] = {
    "bed_shift": {
        "direction": _one_of(DIRECTIONS),
        "min_minutes": _whole(1, SHIFT_MINUTES_MAX),
    },
    "wake_shift": {
        "direction": _one_of(DIRECTIONS),
        "min_minutes": _whole(1, SHIFT_MINUTES_MAX),
    },
    "mood": {"pole": _one_of(POLES)},
    "asrm_high": {"min_total": _whole(0, TOTAL_MAX["asrm_high"])},
    "phq9_high": {"min_total": _whole(0, TOTAL_MAX["phq9_high"])},
}


def problems(signal: object) -> list[str]:
    """What is wrong with a signal, in words; empty when it is valid."""
    if not isinstance(signal, dict):
        return ["A signal is an object with a 'rule'."]
    rule = signal.get("rule")
    if rule not in SIGNAL_RULES:
        return [f"'rule' must be one of {', '.join(SIGNAL_RULES)}."]
    allowed = PARAMETERS.get(rule, {})
    found = []
    for key, value in signal.items():
        if key == "rule":
            continue
        if key not in allowed:
            takes = ", ".join(allowed) or "no parameters"
            found.append(f"'{key}' is not a parameter of {rule} (it takes {takes}).")
            continue
        problem = allowed[key](value)
        if problem:
            found.append(f"'{key}' {problem}.")
    return found


def matches(signal: Mapping, rule: str, evidence: Mapping) -> bool:
    """Whether a flag of `rule` with this evidence is what the signal describes."""
    if signal.get("rule") != rule:
        return False
    if rule in ("bed_shift", "wake_shift"):
        return _shift_matches(signal, evidence)
    if rule == "mood" and "pole" in signal:
        poles = evidence.get("poles") or [evidence.get("pole")]
        return signal["pole"] in poles
    if "min_total" in signal:
        total = evidence.get("total")
        return isinstance(total, int | float) and total >= signal["min_total"]
    return True


def _shift_matches(signal: Mapping, evidence: Mapping) -> bool:
    """Some day of the flag moved in the signal's direction by at least its minutes."""
    direction = signal.get("direction")
    least = signal.get("min_minutes", 0)
    for day in evidence.get("days") or []:
        deviation = day.get("deviation_minutes") if isinstance(day, Mapping) else None
        if not isinstance(deviation, int | float):
            continue
        if direction == "later" and deviation <= 0:
            continue
        if direction == "earlier" and deviation >= 0:
            continue
        if abs(deviation) >= least:
            return True
    return False
