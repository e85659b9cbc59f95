"""Table files: column buffers flushed as Arrow record batches to CSV and Parquet, and the
events table, which the database writes as CSV itself (events.parquet is read back from it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa

from api.services.export import queries, stream
from api.services.export.codebook import SCHEMAS

# Values buffered per table before a record batch is written (rows x columns), so a wide
# table flushes after fewer rows than a narrow one and memory stays flat for both.
BATCH_VALUES = 200_000


class ArrowTable:
    """Column buffers for one table, flushed as record batches to its CSV and Parquet files."""

    def __init__(self, name: str, directory: Path, formats: Sequence[str]):
        self.name, self.schema = name, SCHEMAS[name]
        self.columns: dict[str, list] = {column: [] for column in self.schema.names}
        self.pending = self.rows = 0
        self.limit = max(1, BATCH_VALUES // len(self.schema.names))
        self.arrow: list[pa.RecordBatch] = []
        self.arrow_rows = 0
        self.paths: dict[str, Path] = {}
        self.csv = self.parquet = None
        if "csv" in formats:
            self.paths["csv"] = directory / f"{name}.csv"
            self.csv = pa_csv.CSVWriter(
                str(self.paths["csv"]),
                self.schema,
                write_options=pa_csv.WriteOptions(quoting_style="needed"),
            )
        if "parquet" in formats:
            self.paths["parquet"] = directory / f"{name}.parquet"
            self.parquet = pq.ParquetWriter(
                str(self.paths["parquet"]), self.schema, compression="zstd"
            )

    @property
    def written(self) -> int:
        """Rows handed to this table so far (written or buffered)."""
        return self.rows + self.arrow_rows + self.pending

    def added(self, count: int = 1) -> None:
        self.pending += count
        if self.pending >= self.limit:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch = pa.RecordBatch.from_pydict(self.columns, schema=self.schema)
        self.pending = 0
        for values in self.columns.values():
            values.clear()
        self.write(batch)

    def write(self, batch: pa.RecordBatch, final: bool = False) -> None:
        """Collect record batches; write them once they make a row group of a useful size."""
        if batch.num_rows:
            self.arrow.append(batch)
            self.arrow_rows += batch.num_rows
        if self.arrow and (final or self.arrow_rows >= self.limit):
            table = pa.Table.from_batches(self.arrow, schema=self.schema)
            if self.csv is not None:
                self.csv.write_table(table)
            if self.parquet is not None:
                self.parquet.write_table(table)
            self.rows += self.arrow_rows
            self.arrow, self.arrow_rows = [], 0

    def close(self) -> None:
        self.flush()
        self.write(pa.RecordBatch.from_pylist([], schema=self.schema), final=True)
        if self.csv is not None:
            self.csv.close()
        if self.parquet is not None:
            self.parquet.close()


class EventsTable:
    """events.csv as the database writes it, batch by batch; events.parquet read back from it."""

    def __init__(self, directory: Path, formats: Sequence[str]):
        self.directory = directory
        self.csv_path = directory / "events.csv"  # also the source of events.parquet
        self.paths = {fmt: directory / f"events.{fmt}" for fmt in formats}
        self.rows = 0
        self.csv_path.write_bytes(queries.EVENTS_HEADER)

    @property
    def written(self) -> int:
        return self.rows

    def stream_batch(
        self, connection: sa.Connection, study_id: int, batch: Sequence[queries.Participant]
    ) -> None:
        statement, values = queries.batch_statement("events", connection.dialect, study_id, batch)
        with open(self.csv_path, "ab") as out:
            if connection.dialect.name == "postgresql":
                quoted = queries.QUOTED_EVENT_COLUMNS
                self.rows += stream.copy_postgresql(connection, statement, values, out, quoted)
            else:
                self.rows += stream.fetch_lines(connection, statement, values, out)

    def close(self) -> None:
        if "parquet" in self.paths:
            self._write_parquet()

    def _write_parquet(self) -> None:
        """Parse events.csv with the table's exact Arrow types, a block at a time."""
        schema = SCHEMAS["events"]
        table = ArrowTable("events", self.directory, ("parquet",))
        reader = pa_csv.open_csv(
            self.csv_path,
            # Small blocks: the reader's working memory grows with the block size (some 70 MB at
            # the default 1 MiB), and ArrowTable still gathers the batches into full row groups.
            read_options=pa_csv.ReadOptions(block_size=1 << 16),
            convert_options=pa_csv.ConvertOptions(
                column_types=schema, include_columns=schema.names, null_values=[""]
            ),
        )
        with reader:
            for batch in reader:
                table.write(batch)
        table.close()
