"""Analysis on a Ray cluster, with Ray Data: the documents of a window go out as one
dataset, `map_batches` runs `analysed_many` (what local ingest runs: the analysis and
the embeddings of its events) on a pool of actors that load the models once each, and the
results come back in input order.

Given a PostgreSQL store, the actors store what they analyse themselves, in parallel:
writers take turns on the store's lock, so the incidents are those one writer storing
the reports in commit order would make. Otherwise (a SQLite file is one machine's) the
results go back to the driver, which stores them in input order, and so makes the same
incidents as a local ingest of the same documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import ray
from pydantic import TypeAdapter
from ray.data import ActorPoolStrategy, DataContext

from sitreps.embeddings import DIMENSIONS
from sitreps.ingest import (
    Analysed,
    Committed,
    Document,
    Prepared,
    analysed,
    analysed_many,
    commit,
)
from sitreps.inputs import ReportRecord
from sitreps.model import Analysis, AnalysisWarning, Mode
from sitreps.store import Outcome, Store

RECORDS_PER_BATCH = 4  # small: while the last batches run, the other actors wait


WARNINGS = TypeAdapter(list[AnalysisWarning])


def _row(document: Document) -> dict[str, str]:
    return {
        "record": document.record.model_dump_json(),
        "origin": document.origin,
        "document_key": document.document_key or "",
        "warnings": WARNINGS.dump_json(document.warnings).decode(),
    }


def _document(row: dict[str, Any], at: int) -> Document:
    return Document(
        record=ReportRecord.model_validate_json(row["record"][at]),
        origin=str(row["origin"][at]),
        document_key=str(row["document_key"][at]) or None,
        warnings=WARNINGS.validate_json(row["warnings"][at]),
    )


class _AnalyseBatch:
    """One per actor: the models load when it starts, and stay; so does its connection to
    the store, where it stores what it analyses."""

    def __init__(self, mode: Mode, store: str | None) -> None:
        self.mode = mode
        self.store = Store.open(store, migrate=False) if store else None
        analysed(ReportRecord(text="Shelling was reported in Kharkiv on Monday."), mode)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, list[Any]]:
        columns: dict[str, list[Any]] = {
            "analysis": [], "vectors": [], "failure": [], "report_id": [], "outcome": []
        }  # fmt: skip
        documents = [_document(batch, at) for at in range(len(batch["record"]))]
        results = analysed_many([d.record for d in documents], self.mode)
        for document, result in zip(documents, results, strict=True):
            if isinstance(result, Prepared) and self.store is not None:
                result = commit(self.store, document, result)
            analysis, vectors, failure, report_id, outcome = "", b"", "", "", ""
            if isinstance(result, str):
                failure = result
            elif isinstance(result, Committed):
                report_id, outcome = result.report_id, result.outcome.value
            else:
                analysis = result.analysis.model_dump_json()
                vectors = b"".join(v.astype(np.float32).tobytes() for v in result.vectors)
            for name, value in zip(
                columns, (analysis, vectors, failure, report_id, outcome), strict=True
            ):
                columns[name].append(value)
        return columns


class RayAnalyser:
    """An `Analyser` for `ingest`: connects to the cluster at `address` (none: a local Ray
    on this machine) and analyses each window of documents on `workers` actors, which
    store them too where `store` (a database URL) is a PostgreSQL store."""

    def __init__(
        self,
        address: str | None = None,
        workers: int = 2,
        mode: Mode = Mode.FULL,
        store: str | None = None,
    ) -> None:
        if not ray.is_initialized():
            ray.init(
                address=address,
                num_cpus=None if address else workers,
                include_dashboard=False,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
        self.workers = workers
        self.mode = mode
        self.store = store if store and store.startswith("postgresql") else None
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # per-dataset chatter
        context = DataContext.get_current()
        context.execution_options.preserve_order = True  # the store's order, as locally
        context.enable_progress_bars = False  # sitreps shows its own

    def __call__(self, documents: list[Document]) -> Iterator[Analysed]:
        if not documents:
            return
        dataset = ray.data.from_items([_row(document) for document in documents])
        analysed_rows = dataset.map_batches(
            _AnalyseBatch,
            fn_constructor_kwargs={"mode": self.mode, "store": self.store},
            batch_size=RECORDS_PER_BATCH,
            compute=ActorPoolStrategy(size=self.workers),
            num_cpus=1,
        )
        for row in analysed_rows.iter_rows():
            if row["failure"]:
                yield str(row["failure"])
            elif row["report_id"]:
                yield Committed(str(row["report_id"]), Outcome(row["outcome"]))
            else:
                vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(-1, DIMENSIONS)
                yield Prepared(Analysis.model_validate_json(row["analysis"]), list(vectors))

    def close(self) -> None:
        ray.shutdown()
