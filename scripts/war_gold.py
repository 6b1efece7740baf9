"""Join the hand-coded war events in gold/war/ with their articles.

The codes (ACLED-style events of articles from the SemEval-2025 Task 10 corpus, coded by
`../shared/data/war/CODING.md`) are kept without the article texts, whose licence is for
research use; this writes files in the format of `../shared/data/war/urw_events_dev.jsonl`
that `sitreps eval war-events` reads:

    python scripts/war_gold.py ../shared/data/war/urw_unlabelled.jsonl OUTPUT_DIR
    python scripts/war_gold.py ../shared/data/ruuk/urw_ru_unlabelled.jsonl OUTPUT_DIR

`urw_events_dev2` may be read while developing; `urw_events_check` and `urw_events_check2`
are for aggregate figures only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "gold" / "war"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path, help="urw_unlabelled.jsonl (id, title, text)")
    parser.add_argument("output", type=Path, help="folder for the joined files")
    arguments = parser.parse_args()
    articles = {
        record["id"]: record
        for line in arguments.articles.read_text().splitlines()
        if line.strip() and (record := json.loads(line))
    }
    arguments.output.mkdir(parents=True, exist_ok=True)
    for codes in sorted(GOLD.glob("*.codes.jsonl")):
        target = arguments.output / codes.name.replace(".codes", "")
        coded_articles = [json.loads(line) for line in codes.read_text().splitlines()]
        missing = [coded["id"] for coded in coded_articles if coded["id"] not in articles]
        if len(missing) == len(coded_articles):
            continue  # codes of another corpus (the Russian articles, the English ones)
        if missing:
            raise SystemExit(f"{codes}: article {missing[0]} is not in {arguments.articles}")
        joined = [
            {"id": coded["id"], "title": articles[coded["id"]]["title"],
             "text": articles[coded["id"]]["text"], **coded}
            for coded in coded_articles
        ]  # fmt: skip
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in joined))
        print(f"{target}: {len(joined)} articles, {sum(len(r['events']) for r in joined)} events")


if __name__ == "__main__":
    main()
