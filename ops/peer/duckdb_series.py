"""The daily ODR and late-shipment series of one seller, computed by DuckDB from the raw
events (NDJSON), straight from the contract's definitions: an independent check of
HealthLedger's `trend`, and the peer its speed is measured against (ops/peer/bench-duckdb).

Usage: duckdb_series.py EVENTS.ndjson SELLER FROM TO [RUNS]  ->  CSV on standard output:
metric,date,numerator,denominator   (the query's median time over RUNS on standard error)
"""
import sys
import time

import duckdb

events_path, seller, first, last = sys.argv[1:5]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
con = duckdb.connect()
columns = {"id": "VARCHAR", "type": "VARCHAR", "at": "VARCHAR", "seller": "VARCHAR", "order": "VARCHAR",
           "fulfillment": "VARCHAR", "ship_by": "VARCHAR", "handling_days": "DOUBLE", "by": "VARCHAR",
           "feedback": "VARCHAR", "rating": "DOUBLE", "claim": "VARCHAR", "kind": "VARCHAR", "time_zone": "VARCHAR"}
con.execute(f"""CREATE TABLE raw AS SELECT * FROM read_json(?, format = 'newline_delimited', columns = {columns})""", [events_path])
con.execute("SET TimeZone = 'UTC'")

QUERY = r"""
WITH ev AS (SELECT *, "at"::TIMESTAMPTZ AS t FROM raw WHERE seller = $seller),
configs AS (SELECT t, id, coalesce(time_zone, 'UTC') AS zone, coalesce(handling_days, 2)::INT AS handling
            FROM ev WHERE type = 'seller_configured'),
zone AS (SELECT coalesce((SELECT zone FROM configs ORDER BY t, id LIMIT 1), 'UTC') AS name),
local AS (SELECT ev.*, CAST(timezone((SELECT name FROM zone), t) AS DATE) AS day FROM ev),
-- Monday..Friday, ranked, to add business days one next-business-day step at a time.
calendar AS (SELECT d::DATE AS day FROM range(DATE '2020-01-01', DATE '2032-01-01', INTERVAL 1 DAY) r(d)),
business AS (SELECT day, row_number() OVER (ORDER BY day) AS rank FROM calendar WHERE isodow(day) <= 5),
ranked AS (SELECT c.day, (SELECT count(*) FROM business b WHERE b.day <= c.day) AS rank FROM calendar c),
orders AS (
    SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY "order" ORDER BY t, id) AS n FROM local WHERE type = 'order_placed') WHERE n = 1),
handled AS (
    SELECT o.*, coalesce(o.handling_days::INT,
        (SELECT c.handling FROM configs c WHERE c.t < o.t ORDER BY c.t DESC, c.id DESC LIMIT 1),
        (SELECT c.handling FROM configs c ORDER BY c.t, c.id LIMIT 1), 2) AS handling
    FROM orders o),
deadlines AS (
    SELECT h."order", h.day AS order_day, h.fulfillment, h.ship_by::TIMESTAMPTZ AS ship_by,
        CASE WHEN h.ship_by IS NOT NULL THEN CAST(timezone((SELECT name FROM zone), h.ship_by::TIMESTAMPTZ) AS DATE)
             WHEN h.handling = 0 THEN h.day
             ELSE (SELECT b.day FROM business b WHERE b.rank = (SELECT r.rank FROM ranked r WHERE r.day = h.day) + h.handling) END AS deadline_day
    FROM handled h),
confirmations AS (
    SELECT * FROM (SELECT "order", t, day, row_number() OVER (PARTITION BY "order" ORDER BY t, id) AS n FROM local WHERE type = 'order_shipped') WHERE n = 1),
shipments AS (
    SELECT d.*,
        EXISTS (SELECT 1 FROM local c WHERE c.type = 'order_cancelled' AND c."order" = d."order"
                AND (CASE WHEN d.ship_by IS NOT NULL THEN c.t <= d.ship_by ELSE c.day <= d.deadline_day END)) AS cancelled_in_time,
        coalesce((SELECT CASE WHEN d.ship_by IS NOT NULL THEN s.t <= d.ship_by ELSE s.day <= d.deadline_day END
                  FROM confirmations s WHERE s."order" = d."order"), false) AS on_time
    FROM deadlines d WHERE d.fulfillment = 'merchant'),
-- Feedback: the latest post of an id gives rating and order, until the next post or a removal.
posts AS (
    SELECT "order", feedback, rating, day,
        lead(day) OVER (PARTITION BY feedback ORDER BY t, id) AS next_day
    FROM local WHERE type = 'feedback_posted'),
removals AS (SELECT feedback, min(day) AS day FROM local WHERE type = 'feedback_removed' GROUP BY feedback),
filings AS (
    SELECT * FROM (SELECT "order", claim, day, row_number() OVER (PARTITION BY claim ORDER BY t, id) AS n FROM local WHERE type = 'claim_filed') WHERE n = 1),
reversals AS (SELECT claim, min(day) AS day FROM local WHERE type = 'claim_reversed' GROUP BY claim),
defects AS (
    SELECT p."order", p.day AS from_day, least(coalesce(p.next_day, DATE '9999-12-31'), coalesce(r.day, DATE '9999-12-31')) AS until_day
    FROM posts p LEFT JOIN removals r USING (feedback) WHERE p.rating <= 2
    UNION ALL
    SELECT f."order", f.day, coalesce(r.day, DATE '9999-12-31') FROM filings f LEFT JOIN reversals r USING (claim)),
days AS (SELECT d::DATE AS day FROM range($first::DATE, $last::DATE + 1, INTERVAL 1 DAY) r(d)),
odr AS (
    SELECT 'order_defect_rate' AS metric, d.day,
        count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM defects x WHERE x."order" = o."order" AND x.from_day <= d.day AND d.day < x.until_day)
                            THEN o."order" END) AS numerator,
        count(o."order") AS denominator
    FROM days d LEFT JOIN deadlines o ON o.order_day BETWEEN d.day - 59 AND d.day
    GROUP BY d.day),
late AS (
    SELECT 'late_shipment_rate_' || w || 'd' AS metric, d.day,
        count(CASE WHEN NOT s.on_time THEN 1 END) AS numerator, count(s."order") AS denominator
    FROM (VALUES (10), (30)) v(w) CROSS JOIN days d
    LEFT JOIN shipments s ON NOT s.cancelled_in_time AND s.deadline_day BETWEEN d.day - (w - 1) AND d.day
    GROUP BY w, d.day)
SELECT metric, strftime(day, '%Y-%m-%d') AS date, numerator, denominator FROM (SELECT * FROM odr UNION ALL SELECT * FROM late)
ORDER BY metric, date
"""

seconds = []
for _ in range(runs):
    start = time.perf_counter()
    rows = con.execute(QUERY, {"seller": seller, "first": first, "last": last}).fetchall()
    seconds.append(time.perf_counter() - start)
print(f"duckdb query median: {sorted(seconds)[len(seconds) // 2]:.3f}", file=sys.stderr)
print("metric,date,numerator,denominator")
for metric, date, numerator, denominator in rows:
    print(f"{metric},{date},{numerator},{denominator}")
