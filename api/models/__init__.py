"""Every model, imported so that Alembic and the tests see the whole schema."""

from api.models.account_tokens import ACCOUNT_TOKEN_PURPOSES, AccountToken
from api.models.audit import OUTCOMES, AuditEvent
from api.models.care import PHASES, PROBLEM_AREAS, CareInvitation, CareLink, CareLinkEnding
from api.models.coverage import CoverageLabel  # noqa: F401
from api.models.diary import DiaryEntry, EntryActivity
from api.models.export_jobs import EXPORT_JOB_STATUSES, ExportJob  # noqa: F401
from api.models.ipt import (  # noqa: F401
    Goal,
    GoalReview,
    InventoryPerson,
    RelapsePlanVersion,
    Task,
)
from api.models.mail import MAIL_STATUSES, MailMessage
from api.models.push import (
    DELIVERY_STATUSES,
    REMINDER_KINDS,
    JobRun,
    PushSubscription,
    Reminder,
)
from api.models.questionnaires import (  # noqa: F401
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireResponse,
    SafeguardAlert,
)
from api.models.ratelimit import RateLimitCounter
from api.models.research import Study, StudyConsent, StudyConsentVersion, StudyParticipant
from api.models.review import FlagAcknowledgement, FlagContext, TargetProposal  # noqa: F401
from api.models.therapy import (
    FLAG_STATUSES,
    LIFE_EVENT_KINDS,
    Flag,
    FlagSettingsOverride,
    FlagWork,
    LifeEvent,
    Target,
)
from api.models.two_factor import Authenticator, RecoveryCode
from api.models.users import ROLES, Token, User

__all__ = [
    "ACCOUNT_TOKEN_PURPOSES",
    "AccountToken",
    "OUTCOMES",
    "PHASES",
    "PROBLEM_AREAS",
    "AuditEvent",
    "Authenticator",
    "CareInvitation",
    "CareLink",
    "CareLinkEnding",
    "DELIVERY_STATUSES",
    "FLAG_STATUSES",
    "LIFE_EVENT_KINDS",
    "MAIL_STATUSES",
    "ROLES",
    "DiaryEntry",
    "EntryActivity",
    "Flag",
    "FlagSettingsOverride",
    "FlagWork",
    "JobRun",
    "LifeEvent",
    "MailMessage",
    "PushSubscription",
    "REMINDER_KINDS",
    "RateLimitCounter",
    "RecoveryCode",
    "Reminder",
    "Study",
    "StudyConsent",
    "StudyConsentVersion",
    "StudyParticipant",
    "Target",
    "Token",
    "User",
]
