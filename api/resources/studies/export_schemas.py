from marshmallow import fields, validate

from api import API_PREFIX
from api.extensions import Schema
from api.models.export_jobs import EXPORT_JOB_FORMATS, EXPORT_JOB_STATUSES


class JsonBoolean(fields.Boolean):
    """A JSON true or false only: "yes" or 1 must not override the small-study rule."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class ExportJobInSchema(Schema):
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(EXPORT_JOB_FORMATS),
        metadata={"description": "Table files in the zip: csv, parquet or both"},
    )
    allow_small = JsonBoolean(
        load_default=False,
        metadata={
            "description": "Export a study with fewer consenting participants than the minimum "
            "(CADENCE_EXPORT_MIN_PARTICIPANTS); the override is put on the audit trail"
        },
    )


class ExportJobSchema(Schema):
    id = fields.Integer()
    study_id = fields.Integer()
    status = fields.String(
        metadata={"enum": list(EXPORT_JOB_STATUSES), "description": "queued → running → done"}
    )
    format = fields.String()
    allow_small = fields.Boolean()
    rows_written = fields.Integer(
        metadata={"description": "Rows written so far; when done, the rows of every table"}
    )
    participants = fields.Integer(allow_none=True)
    attempts = fields.Integer(metadata={"description": "Runs started (a dead worker's is retried)"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(
        allow_none=True, metadata={"description": "After this the file is deleted (410 Gone)"}
    )
    error = fields.String(allow_none=True, metadata={"description": "Why the export failed"})
    size_bytes = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    download_url = fields.Method("_download_url", allow_none=True)

    def _download_url(self, job) -> str | None:
        if job.status != "done":
            return None
        return f"{API_PREFIX}/studies/{job.study_id}/exports/{job.id}/download"


class ExportJobListSchema(Schema):
    exports = fields.List(fields.Nested(ExportJobSchema))
