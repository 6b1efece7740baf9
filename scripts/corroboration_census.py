"""How the incidents of a store stand: how many are corroborated, single-source or
contested, and on what. Corroboration that rests on one report, and every contested
incident, are listed with their voices and what contests them, for a reader to judge.

    sitreps ingest ../shared/data/war/urw_events_dev.jsonl \
        ../shared/data/war/urw_unlabelled.jsonl --db war.db --quiet
    python scripts/corroboration_census.py war.db

(docs/quality.md, Incidents.)
"""

from __future__ import annotations

import sys
from collections import Counter

from sitreps.store import Store


def main(target: str) -> None:
    incidents = Store.open(target).incidents()
    statuses = Counter(incident["status"] for incident in incidents)
    print(f"{len(incidents)} incidents: " + ", ".join(f"{n} {s}" for s, n in statuses.items()))
    print(f"of more than one report: {sum(i['n_reports'] > 1 for i in incidents)}")
    for incident in incidents:
        one_report = incident["status"] == "corroborated" and incident["n_reports"] == 1
        if not one_report and incident["status"] != "contested":
            continue
        evidence = incident["evidence"]
        print(f"\n{incident['status']}, {incident['n_reports']} report(s): "
              f"{incident['location']} {incident['first_date'] or 'undated'}")  # fmt: skip
        for voice in evidence["voices"]:
            print(f"  voice {voice['group']}: {'; '.join(voice['sources'])}")
        for line in evidence["contradictions"]:
            print(f"  disagree: {line}")
        for line in evidence["denials"]:
            print(f"  denied: {line}")


if __name__ == "__main__":
    main(sys.argv[1])
