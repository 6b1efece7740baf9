"""A process that loads sitreps' models once and forks `sitreps ingest` runs on request,
for the crash-safety test: each run is then the CLI's own code, killed at will, without
paying for model loading every time.

Protocol, one line each way: the test writes the ingest arguments (tab-separated); this
answers `started PID`, then `ended STATUS` when that run is over (killed or not).

Torch must not run before the fork: a forked child cannot use threads its parent started,
so the models are loaded here but every inference happens in the children.
"""

from __future__ import annotations

import os
import sys

from sitreps import embeddings, resources
from sitreps.cli import main
from sitreps.model import Mode


def _run(arguments: list[str]) -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    sys.argv = ["sitreps", *arguments]
    code = 1
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os._exit(code)


def serve() -> None:
    # What loads without computing: building the lexicon terms parses their phrases, and
    # the attribution tagger runs torch, so each child does those itself.
    loaded = resources.shared()
    for member in ("language", "registry", "place_ranker", "place_confidence"):
        getattr(loaded, member)
    loaded.event_classifier(Mode.FULL)
    embeddings.model()
    print("ready", flush=True)
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            _run(line.rstrip("\n").split("\t"))
        print(f"started {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"ended {status}", flush=True)


if __name__ == "__main__":
    serve()
