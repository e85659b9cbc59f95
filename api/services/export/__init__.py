"""De-identified study exports: a zip of tidy tables (CSV and/or Parquet), a Frictionless
codebook (datapackage.json) and a README.md on how the data were de-identified
(docs/research-export.md).

Entry points, for the download route, the export jobs and the command line:

- `check_min_participants(bind, study, *, allow_small, actor, via)`: the small-study rule; call
  it first (Conflict if the study is too small and not overridden; overrides are audited).
- `export(engine, study, path, formats, *, actor, via, settings=None, progress=None,
  participants_done=None, today=None) -> Summary`: write the zip to an existing owner-only
  file and put it on the audit trail.
- `write_package(engine, study, out, formats=FORMATS, settings=None, progress=None,
  tables=TABLES, *, participants_done=None, today=None) -> (participants, rows per table)`:
  the zip to any binary stream. `progress(n)` is called after each batch of participants with
  the n rows that batch wrote (all tables), `participants_done(n)` with its n participants.

Modules, one job each:

- `codebook`: tables, fields, units and codes; datapackage.json and README.md.
- `queries`: participants in pseudonym order with their windows (api/services/deid.py), and the
  statements, per database where they differ.
- `stream`: rows through the driver's cursors; COPY on PostgreSQL.
- `tables`: Arrow buffering into CSV and Parquet files; the events table the database writes.
- `writer`: a batch of participants into the tables (daily rows and weekly scores from the
  diary days of api/services/diary_days.py).
- `package`: the snapshot, the batches, the zip and the audit trail.
- `small_cells`: the minimum number of participants.

The events table, one row per activity occurrence, is most of every export: the database
shifts, formats and writes it as CSV text (PostgreSQL's COPY, an SQLite SELECT of finished CSV
lines), which goes straight into events.csv; events.parquet is then read back from that file.
The other tables are worked out in Python from rows that a server-side cursor yields a few
thousand at a time, buffered as Arrow record batches and written as they fill, so memory stays
flat however large the study.
"""

from api.services.export.codebook import (
    FIELDS,
    FORMATS,
    PRIMARY_KEYS,
    SCHEMAS,
    TABLES,
    TITLES,
    datapackage,
    readme,
)
from api.services.export.package import Summary, export, sha256_of, write_package
from api.services.export.small_cells import check_min_participants, consenting

__all__ = [
    "FIELDS",
    "FORMATS",
    "PRIMARY_KEYS",
    "SCHEMAS",
    "TABLES",
    "TITLES",
    "Summary",
    "check_min_participants",
    "consenting",
    "datapackage",
    "export",
    "readme",
    "sha256_of",
    "write_package",
]
