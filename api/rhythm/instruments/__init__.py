"""Validated self-report scales (docs/science.md §7): one module per instrument, pure scoring.

base: what an instrument is and the shared scoring rules; phq9, gad7, asrm, qids: the
instruments, each with its source, terms of use and rule for unanswered items.
"""

from collections.abc import Mapping
from types import MappingProxyType

from api.rhythm.instruments.asrm import ASRM
from api.rhythm.instruments.base import (
    AnswerError,
    Band,
    Instrument,
    Item,
    Option,
    Safety,
    Score,
    ScoredResponse,
)
from api.rhythm.instruments.gad7 import GAD7
from api.rhythm.instruments.phq9 import PHQ9
from api.rhythm.instruments.qids import QIDS_SR16

__all__ = [
    "ASRM",
    "BY_CODE",
    "CODES",
    "GAD7",
    "INSTRUMENTS",
    "PHQ9",
    "QIDS_SR16",
    "AnswerError",
    "Band",
    "Instrument",
    "Item",
    "Option",
    "Safety",
    "Score",
    "ScoredResponse",
]

INSTRUMENTS: tuple[Instrument, ...] = (PHQ9, GAD7, ASRM, QIDS_SR16)
BY_CODE: Mapping[str, Instrument] = MappingProxyType({i.code: i for i in INSTRUMENTS})
CODES: tuple[str, ...] = tuple(BY_CODE)
