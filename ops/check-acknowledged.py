"""Every event of an input line that `ingest --progress json` acknowledged is in the log.

Usage: check-acknowledged.py INPUT.ndjson PROGRESS.ndjson LOG.sqlite
A progress line acknowledges its `through` line and every line before it. Prints how many
acknowledged events it found."""
import json
import sqlite3
import sys

input_path, progress_path, log_path = sys.argv[1:4]
through = 0
with open(progress_path) as progress:
    for line in progress:
        if not line.endswith("\n"):  # a line cut by the kill acknowledges nothing
            continue
        try:
            through = max(through, json.loads(line).get("through", {}).get("line", 0))
        except json.JSONDecodeError:
            sys.exit(f"not a progress line: {line!r}")
with open(input_path) as events:
    acknowledged = {json.loads(line)["id"] for number, line in enumerate(events, 1) if number <= through and line.strip()}
stored = {row[0] for row in sqlite3.connect(log_path).execute("SELECT id FROM events")}
missing = acknowledged - stored
if missing:
    print(f"{len(missing)} acknowledged events missing, e.g. {sorted(missing)[:3]}", file=sys.stderr)
    sys.exit(1)
print(len(acknowledged))
