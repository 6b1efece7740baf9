"""Analysis on a Ray cluster, with Ray Data: the records of a window go out as one
dataset, `map_batches` runs `analysed_many` (what local ingest runs: the analysis and
the embeddings of its events) on a pool of actors that load the models once each, and the
results come back in input order for the driver to store. Storing stays in one process,
so the store sees the same order, and so the same incidents, as a local ingest of the same
documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import ray
from ray.data import ActorPoolStrategy, DataContext

from sitreps.embeddings import DIMENSIONS
from sitreps.ingest import Analysed, Prepared, analysed, analysed_many
from sitreps.inputs import ReportRecord
from sitreps.model import Analysis, Mode

RECORDS_PER_BATCH = 4  # small: while the last batches run, the other actors wait


class _AnalyseBatch:
    """One per actor: the models load when it starts, and stay."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        analysed(ReportRecord(text="Shelling was reported in Kharkiv on Monday."), mode)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, list[Any]]:
        analyses, vectors, failures = [], [], []
        records = [ReportRecord.model_validate_json(line) for line in batch["record"]]
        for result in analysed_many(records, self.mode):
            if isinstance(result, str):
                analyses.append("")
                vectors.append(b"")
                failures.append(result)
            else:
                analyses.append(result.analysis.model_dump_json())
                vectors.append(b"".join(v.astype(np.float32).tobytes() for v in result.vectors))
                failures.append("")
        return {"analysis": analyses, "vectors": vectors, "failure": failures}


class RayAnalyser:
    """An `Analyser` for `ingest`: connects to the cluster at `address` (none: a local Ray
    on this machine) and analyses each window of records on `workers` actors."""

    def __init__(
        self, address: str | None = None, workers: int = 2, mode: Mode = Mode.FULL
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
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # per-dataset chatter
        context = DataContext.get_current()
        context.execution_options.preserve_order = True  # the store's order, as locally
        context.enable_progress_bars = False  # sitreps shows its own

    def __call__(self, records: list[ReportRecord]) -> Iterator[Analysed]:
        if not records:
            return
        dataset = ray.data.from_items([{"record": r.model_dump_json()} for r in records])
        analysed_rows = dataset.map_batches(
            _AnalyseBatch,
            fn_constructor_kwargs={"mode": self.mode},
            batch_size=RECORDS_PER_BATCH,
            compute=ActorPoolStrategy(size=self.workers),
            num_cpus=1,
        )
        for row in analysed_rows.iter_rows():
            if row["failure"]:
                yield str(row["failure"])
            else:
                vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(-1, DIMENSIONS)
                yield Prepared(Analysis.model_validate_json(row["analysis"]), list(vectors))

    def close(self) -> None:
        ray.shutdown()
