"""Every flag rule, in the order findings and settings list them: a new rule is one line here
(and its Rule in the module of its family)."""

from collections.abc import Mapping
from types import MappingProxyType

from api.rhythm.flag_rules.adherence import INCOMPLETE_WEEK, MISSING_ENTRIES
from api.rhythm.flag_rules.base import Rule, Severity
from api.rhythm.flag_rules.mood import ISOLATION, MOOD
from api.rhythm.flag_rules.regularity import SRM_DROP, SRM_UNSTABLE
from api.rhythm.flag_rules.scales import ASRM_HIGH, PHQ9_HIGH, SUICIDE_RISK
from api.rhythm.flag_rules.sleep import SHORT_SLEEP
from api.rhythm.flag_rules.timing import ANCHORS_MISSED, BED_SHIFT, WAKE_SHIFT

REGISTRY: tuple[Rule, ...] = (
    WAKE_SHIFT,
    BED_SHIFT,
    SHORT_SLEEP,
    SRM_DROP,
    SRM_UNSTABLE,
    ANCHORS_MISSED,
    MOOD,
    ISOLATION,
    MISSING_ENTRIES,
    INCOMPLETE_WEEK,
    ASRM_HIGH,
    PHQ9_HIGH,
    SUICIDE_RISK,
)
BY_NAME: Mapping[str, Rule] = MappingProxyType({rule.name: rule for rule in REGISTRY})
RULES: tuple[str, ...] = tuple(BY_NAME)
RHYTHM_RULES = frozenset(rule.name for rule in REGISTRY if rule.rhythm)
# Always on, at their own severity: no setting silences them.
SAFEGUARD_RULES = frozenset(rule.name for rule in REGISTRY if rule.safeguard)
DEFAULT_SEVERITY: Mapping[str, Severity] = MappingProxyType(
    {rule.name: rule.severity for rule in REGISTRY}
)
