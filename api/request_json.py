"""The one reader of JSON request bodies, and the check that every text in the input is storable.

Python's json module turns a 5,000-digit number into an int-conversion ValueError and a body
nested 20,000 deep into a RecursionError, and it reads NaN and Infinity, which JSON does not
have. Here each of those is an `UnsafeJSON` naming the problem, which the arguments parser and
request.get_json() answer with 400.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

# Deeper than any body the API takes (a diary day is 3 levels), shallow enough that nothing
# after parsing (validation, error reshaping) can run out of stack.
MAX_DEPTH = 32
# More digits than any integer or number the API stores.
MAX_DIGITS = 30

UNSTORABLE = "Text must not contain NUL characters or unpaired surrogates."
# A Python str holds a surrogate code point only when it was unpaired in the input: json joins
# pairs into one character. PostgreSQL refuses NUL; no database encodes a lone surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnsafeJSON(json.JSONDecodeError):
    def __init__(self, reason: str):
        super().__init__(reason, "-", 0)
        self.reason = reason


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise UnsafeJSON(f"A number in the body has more than {MAX_DIGITS} digits.")
    return int(text)


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJSON("A number in the body is too large.")
    return value


def _constant(name: str):
    raise UnsafeJSON(f"{name} is not JSON: send a number or null.")


def load_json(body: bytes | str):
    """Parse a request body; json.JSONDecodeError (UnsafeJSON included) when it is unusable."""
    if isinstance(body, bytes | bytearray):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafeJSON("The body is not UTF-8.") from None
    try:
        value = json.loads(body, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJSON(f"The body is nested more than {MAX_DEPTH} levels deep.") from None
    if _depth(value) > MAX_DEPTH:
        raise UnsafeJSON(f"The body is nested more than {MAX_DEPTH} levels deep.")
    return value


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def unstorable_text(data) -> dict:
    """marshmallow-shaped errors ({"note": [...]}, {"activities": {"to_bed": {...}}}) for every
    text in `data`, keys included, that no database can store; {} when there is none."""
    errors: dict = {}
    stack = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                _put(errors, path)
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    _put(errors, (*path, "_key"))
                else:
                    stack.append(((*path, key), child))
        elif isinstance(item, list | tuple):
            stack.extend(((*path, i), child) for i, child in enumerate(item))
    return errors


def _put(errors: dict, path: tuple) -> None:
    node = errors
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return
    node.setdefault(path[-1] if path else "_schema", [UNSTORABLE])
