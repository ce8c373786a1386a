"""DuckDB as a correctness oracle for Floe's query mode.

Each query runs once through Floe (HTTP -> Polars SQL over the Iceberg tables) and once through
DuckDB over Parquet copies of the same data; the answers must agree after normalization:

* same column names, in order, and the same number of rows;
* rows compared as multisets (both sides sorted) unless the query's ORDER BY fixes the order;
* floats with a relative tolerance (different engines sum in different orders); exact numbers
  (integers, decimals) exactly, via Decimal; a float on either side compares as a float, so an
  engine returning Float64 where the other returns DECIMAL is judged on the value (the result
  types Floe reports are checked separately, for the cases that list them);
* dates and timestamps via their ISO-8601 strings;
* NULL only equals NULL.

Floe's JSON is also checked against the contract's value rules (Decimal as a string, Date and
Datetime as ISO strings, Int64 as a number unless beyond 2^53, NaN/Infinity as strings).

Only SQL both engines accept is used. Polars SQL dialect differences met while writing these are
noted next to the queries they shaped (search for "DIALECT"). Two apply everywhere:
* every output column is aliased: unaliased expressions are named differently (COUNT(*) is
  `len` in Polars, `count_star()` in DuckDB; SUM(x) is `x` in Polars, `sum(x)` in DuckDB);
* result types differ between the engines where values agree (EXTRACT is Int8/Int16/Int32 in
  Polars, BIGINT in DuckDB; SUM of an Int32 stays Int32 in Polars, HUGEINT in DuckDB; SUM of a
  Decimal(10, 2) is Decimal(38, 2) in both), which is why values are compared by kind.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from oracle_lake import FloeResult, generate_dataset

REL_TOL = 1e-9
ABS_TOL = 1e-12
MAX_SAFE_INTEGER = 2**53 - 1

TIMESTAMP_US = "Datetime(time_unit='us', time_zone=None)"
TIMESTAMPTZ_US = "Datetime(time_unit='us', time_zone='UTC')"
DECIMAL_10_2 = "Decimal(precision=10, scale=2)"


@dataclass(frozen=True)
class Case:
    id: str
    sql: str
    # True only when the ORDER BY makes the row order total and deterministic; then rows are
    # compared in order (a LIMIT after such an ORDER BY is deterministic too).
    ordered: bool = False
    # Expected Floe column_types for some columns (Polars dtype names).
    types: dict[str, str] = field(default_factory=dict)
    # The oracle's answer must have at least this many rows: an empty answer proves little.
    min_rows: int = 1


CASES: list[Case] = [
    Case(
        "revenue_by_category_3way_inner_join",
        """
        SELECT p.category AS category,
               COUNT(DISTINCT o.order_id) AS orders,
               SUM(oi.quantity) AS units,
               SUM(oi.quantity * oi.unit_price) AS revenue,
               AVG(p.weight_kg) AS avg_weight,
               MIN(p.rating) AS min_rating,
               MAX(p.rating) AS max_rating
        FROM order_items oi
        JOIN orders o ON oi.order_id = o.order_id
        JOIN products p ON oi.product_id = p.product_id
        WHERE o.status <> 'cancelled'
        GROUP BY p.category
        """,
    ),
    Case(
        "left_join_count_col_vs_count_star",
        """
        SELECT c.segment AS segment,
               COUNT(*) AS joined_rows,
               COUNT(o.order_id) AS orders,
               COUNT(DISTINCT c.customer_id) AS customers,
               SUM(CASE WHEN o.order_id IS NULL THEN 1 ELSE 0 END) AS customers_without_orders,
               COUNT(o.discount_pct) AS discounted_orders
        FROM customers c
        LEFT JOIN orders o ON c.customer_id = o.customer_id
        GROUP BY c.segment
        """,
        types={"segment": "String", "joined_rows": "Int64"},
    ),
    Case(
        "orphan_orders_left_join_case",
        """
        SELECT CASE WHEN o.customer_id IS NULL THEN 'no customer id'
                    WHEN c.customer_id IS NULL THEN 'unknown customer'
                    ELSE 'known' END AS kind,
               COUNT(*) AS n,
               COUNT(c.name) AS named,
               COUNT(DISTINCT o.customer_id) AS distinct_ids,
               MIN(o.order_id) AS first_order,
               MAX(o.order_ts) AS last_order_ts
        FROM orders o
        LEFT JOIN customers c ON o.customer_id = c.customer_id
        GROUP BY CASE WHEN o.customer_id IS NULL THEN 'no customer id'
                      WHEN c.customer_id IS NULL THEN 'unknown customer'
                      ELSE 'known' END
        """,
        types={"last_order_ts": TIMESTAMP_US},
    ),
    Case(
        # NULL keys on both sides (regions has a NULL city, customers too): they must not match.
        # DIALECT: join conditions are plain column equalities; the TRIM happens in a CTE.
        "null_keys_never_join_left_join",
        """
        WITH c AS (SELECT customer_id, email, TRIM(city) AS city FROM customers)
        SELECT r.city AS city,
               r.region AS region,
               COUNT(c.customer_id) AS customers,
               COUNT(c.email) AS with_email,
               COUNT(*) AS joined_rows
        FROM regions r
        LEFT JOIN c ON r.city = c.city
        GROUP BY r.city, r.region
        """,
    ),
    Case(
        "region_inner_join_group_having",
        """
        WITH c AS (SELECT customer_id, TRIM(city) AS city FROM customers)
        SELECT r.region AS region,
               r.tier AS tier,
               COUNT(DISTINCT c.customer_id) AS customers,
               COUNT(o.order_id) AS orders,
               SUM(o.discount_pct) AS discount_sum
        FROM c
        JOIN regions r ON c.city = r.city
        JOIN orders o ON o.customer_id = c.customer_id
        GROUP BY r.region, r.tier
        HAVING COUNT(o.order_id) > 10
        """,
    ),
    Case(
        "city_group_by_expression_having",
        """
        SELECT LOWER(TRIM(c.city)) AS city,
               COUNT(*) AS orders,
               AVG(o.discount_pct) AS avg_discount,
               COUNT(o.discount_pct) AS discounted,
               MAX(o.order_ts) AS last_order
        FROM orders o
        JOIN customers c ON o.customer_id = c.customer_id
        WHERE c.city IS NOT NULL
        GROUP BY LOWER(TRIM(c.city))
        HAVING COUNT(*) >= 50 AND AVG(o.discount_pct) > 0.05
        """,
    ),
    Case(
        "row_number_latest_two_orders_per_customer",
        """
        WITH ranked AS (
            SELECT customer_id, order_id, order_ts, status,
                   ROW_NUMBER() OVER (
                       PARTITION BY customer_id ORDER BY order_ts DESC, order_id DESC
                   ) AS rn
            FROM orders
            WHERE customer_id IS NOT NULL
        )
        SELECT customer_id, order_id, order_ts, status, rn
        FROM ranked
        WHERE rn <= 2
        """,
    ),
    Case(
        # list_price has deliberate ties: RANK skips, DENSE_RANK does not, and the default
        # RANGE frame of a running SUM includes the current row's peers.
        "rank_dense_rank_running_sum_with_ties",
        """
        SELECT product_id,
               category,
               list_price,
               rating,
               RANK() OVER (PARTITION BY category ORDER BY list_price DESC) AS price_rank,
               DENSE_RANK() OVER (PARTITION BY category ORDER BY list_price DESC) AS dense_rank,
               SUM(list_price) OVER (PARTITION BY category ORDER BY list_price) AS cumulative,
               COUNT(*) OVER (PARTITION BY category) AS in_category
        FROM products
        """,
        types={"rating": "Float32", "list_price": DECIMAL_10_2},
    ),
    Case(
        "running_spend_per_customer",
        """
        WITH totals AS (
            SELECT o.order_id, o.customer_id, o.order_ts,
                   SUM(oi.quantity * oi.unit_price) AS amount
            FROM orders o
            JOIN order_items oi ON o.order_id = oi.order_id
            WHERE o.customer_id IS NOT NULL
            GROUP BY o.order_id, o.customer_id, o.order_ts
        )
        SELECT customer_id,
               order_id,
               amount,
               SUM(amount) OVER (
                   PARTITION BY customer_id ORDER BY order_ts, order_id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
               ) AS running_amount,
               COUNT(*) OVER (PARTITION BY customer_id ORDER BY order_ts, order_id) AS seq,
               LAG(order_ts) OVER (PARTITION BY customer_id ORDER BY order_ts, order_id)
                   AS previous_order_ts
        FROM totals
        """,
    ),
    Case(
        "monthly_date_parts_ordered",
        """
        SELECT EXTRACT(YEAR FROM order_ts) AS yr,
               EXTRACT(QUARTER FROM order_ts) AS qtr,
               EXTRACT(MONTH FROM order_ts) AS mon,
               COUNT(*) AS orders,
               COUNT(ship_date) AS shipped,
               MIN(CAST(order_ts AS DATE)) AS first_day,
               MAX(CAST(order_ts AS DATE)) AS last_day
        FROM orders
        GROUP BY EXTRACT(YEAR FROM order_ts), EXTRACT(QUARTER FROM order_ts),
                 EXTRACT(MONTH FROM order_ts)
        ORDER BY yr, mon
        """,
        ordered=True,
        types={"first_day": "Date", "orders": "Int64"},
    ),
    Case(
        # DIALECT: date - date is a Duration in Polars but an INTEGER in DuckDB, and Polars has
        # no DATEDIFF/DATE_DIFF; day counts therefore go through epoch seconds of a TIMESTAMP.
        # EXTRACT(EPOCH FROM <date>) itself fails in Polars ("`nanosecond` operation not
        # supported for dtype `date`"), hence the CAST to TIMESTAMP first.
        # DIALECT: DATE + INTERVAL is a DATE in Polars but a TIMESTAMP in DuckDB: CAST back.
        "shipping_delay_date_arithmetic",
        """
        SELECT order_id,
               CAST(order_ts AS DATE) AS order_date,
               ship_date,
               CAST((EXTRACT(EPOCH FROM CAST(ship_date AS TIMESTAMP))
                     - EXTRACT(EPOCH FROM CAST(CAST(order_ts AS DATE) AS TIMESTAMP))) / 86400
                    AS INTEGER) AS days_to_ship,
               CAST(CAST(order_ts AS DATE) + INTERVAL '7 days' AS DATE) AS promised_by,
               EXTRACT(DOW FROM ship_date) AS ship_dow,
               EXTRACT(DOY FROM ship_date) AS ship_doy
        FROM orders
        WHERE ship_date IS NOT NULL
          AND ship_date > CAST(order_ts AS DATE) + INTERVAL '7 days'
        """,
        types={"order_date": "Date", "ship_date": "Date", "promised_by": "Date"},
    ),
    Case(
        "first_order_within_a_year_of_signup",
        """
        SELECT c.customer_id AS customer_id,
               c.signup_date AS signup_date,
               EXTRACT(YEAR FROM c.signup_date) AS signup_year,
               MIN(o.order_ts) AS first_order_ts,
               COUNT(*) AS orders
        FROM customers c
        JOIN orders o ON o.customer_id = c.customer_id
        WHERE o.order_ts >= TIMESTAMP '2023-01-01 00:00:00'
          AND c.signup_date < DATE '2023-01-01'
        GROUP BY c.customer_id, c.signup_date
        HAVING MIN(CAST(o.order_ts AS DATE))
               < CAST(c.signup_date + INTERVAL '3 years' AS DATE)
        """,
    ),
    Case(
        "null_handling_by_segment",
        """
        SELECT segment,
               COUNT(*) AS customers,
               COUNT(email) AS with_email,
               COUNT(city) AS with_city,
               COUNT(credit_limit) AS with_limit,
               SUM(CASE WHEN is_active IS NULL THEN 1 ELSE 0 END) AS active_unknown,
               SUM(CASE WHEN is_active THEN 1 ELSE 0 END) AS active,
               SUM(COALESCE(credit_limit, 0)) AS total_limit,
               AVG(credit_limit) AS avg_limit,
               MIN(COALESCE(email, 'n/a')) AS first_email,
               MAX(referred_by) AS max_referrer
        FROM customers
        GROUP BY segment
        """,
    ),
    Case(
        "string_functions",
        """
        SELECT customer_id,
               LOWER(TRIM(name)) AS clean_name,
               UPPER(SUBSTR(TRIM(name), 1, 3)) AS prefix3,
               LENGTH(name) AS raw_len,
               LENGTH(TRIM(name)) AS trimmed_len,
               COALESCE(email, '<none>') || ' / ' || COALESCE(TRIM(city), '<none>') AS contact,
               email || '@' || city AS null_propagating_concat,
               CASE WHEN LOWER(name) LIKE '%garc%' THEN 'garcia'
                    WHEN name LIKE '% %' THEN 'two words'
                    ELSE 'other' END AS name_kind
        FROM customers
        WHERE LOWER(name) LIKE '%a%' OR email ILIKE '%@MAIL.ORG'
        """,
        types={"customer_id": "Int64", "clean_name": "String"},
    ),
    Case(
        # Quoted aliases with spaces and punctuation survive as column names.
        "case_when_order_buckets",
        """
        WITH totals AS (
            SELECT order_id, SUM(quantity * unit_price) AS amount, SUM(quantity) AS units
            FROM order_items
            GROUP BY order_id
        )
        SELECT CASE WHEN amount < 50 THEN 'small'
                    WHEN amount < 250 THEN 'medium'
                    WHEN amount < 1000 THEN 'large'
                    ELSE 'huge' END AS "Order bucket",
               COUNT(*) AS "Orders (#)",
               SUM(units) AS units,
               MIN(amount) AS min_amount,
               MAX(amount) AS max_amount
        FROM totals
        GROUP BY CASE WHEN amount < 50 THEN 'small'
                      WHEN amount < 250 THEN 'medium'
                      WHEN amount < 1000 THEN 'large'
                      ELSE 'huge' END
        """,
    ),
    Case(
        "distinct_status_channel_year",
        """
        SELECT DISTINCT status, channel, EXTRACT(YEAR FROM order_ts) AS yr
        FROM orders
        WHERE status <> 'pending'
        """,
    ),
    Case(
        "cte_scalar_subquery_big_spenders",
        """
        WITH spend AS (
            SELECT o.customer_id, SUM(oi.quantity * oi.unit_price) AS total
            FROM orders o
            JOIN order_items oi ON o.order_id = oi.order_id
            WHERE o.customer_id IS NOT NULL
            GROUP BY o.customer_id
        )
        SELECT s.customer_id AS customer_id, TRIM(c.name) AS name, s.total AS total
        FROM spend s
        LEFT JOIN customers c ON s.customer_id = c.customer_id
        WHERE s.total > (SELECT AVG(total) * 2 FROM spend)
        """,
    ),
    Case(
        "in_and_not_in_subqueries",
        """
        SELECT product_id, sku, category, list_price
        FROM products
        WHERE product_id NOT IN (
                SELECT oi.product_id
                FROM order_items oi
                JOIN orders o ON oi.order_id = o.order_id
                WHERE o.status = 'returned' AND oi.quantity >= 5
                  AND oi.product_id IS NOT NULL)
          AND product_id IN (SELECT product_id FROM order_items WHERE note IS NOT NULL)
        """,
    ),
    Case(
        # Three-valued logic: x NOT IN (subquery containing a NULL) is never true, so that
        # count is 0; IN is unaffected; NOT EXISTS does not care about NULLs at all.
        "null_in_subquery_three_valued_logic",
        """
        SELECT 'not in, subquery has a NULL' AS test, COUNT(*) AS n
        FROM products
        WHERE product_id NOT IN (
            SELECT product_id FROM order_items
            WHERE product_id IS NULL OR (quantity = 10 AND line_no = 5))
        UNION ALL
        SELECT 'in, subquery has a NULL' AS test, COUNT(*) AS n
        FROM products
        WHERE product_id IN (
            SELECT product_id FROM order_items
            WHERE product_id IS NULL OR (quantity = 10 AND line_no = 5))
        UNION ALL
        SELECT 'not exists' AS test, COUNT(*) AS n
        FROM products p
        WHERE NOT EXISTS (
            SELECT 1 FROM order_items oi
            WHERE oi.product_id = p.product_id AND oi.quantity = 10 AND oi.line_no = 5)
        """,
    ),
    Case(
        "correlated_exists_phone_customers",
        """
        SELECT c.customer_id AS customer_id, c.segment AS segment, c.signup_date AS signup_date
        FROM customers c
        WHERE EXISTS (
            SELECT 1 FROM orders o
            WHERE o.customer_id = c.customer_id AND o.channel = 'phone'
              AND o.status = 'delivered')
        """,
    ),
    Case(
        "self_join_referrals",
        """
        SELECT r.customer_id AS referrer_id,
               r.segment AS referrer_segment,
               COUNT(*) AS referred,
               COUNT(c.email) AS referred_with_email,
               MIN(c.signup_date) AS first_referral_signup
        FROM customers c
        JOIN customers r ON c.referred_by = r.customer_id
        GROUP BY r.customer_id, r.segment
        HAVING COUNT(*) >= 2
        """,
    ),
    Case(
        "top_customers_order_by_limit",
        """
        SELECT c.customer_id AS customer_id,
               TRIM(c.name) AS name,
               COUNT(DISTINCT o.order_id) AS orders,
               SUM(oi.quantity * oi.unit_price) AS revenue
        FROM customers c
        JOIN orders o ON o.customer_id = c.customer_id
        JOIN order_items oi ON oi.order_id = o.order_id
        WHERE o.status IN ('shipped', 'delivered')
        GROUP BY c.customer_id, c.name
        ORDER BY revenue DESC, customer_id
        LIMIT 10
        """,
        ordered=True,
    ),
    Case(
        "typed_projection_order_by_limit",
        """
        SELECT o.order_id AS order_id,
               o.customer_id AS customer_id,
               o.order_ts AS order_ts,
               o.ship_date AS ship_date,
               oi.line_no AS line_no,
               oi.unit_price AS unit_price,
               p.sku AS sku,
               p.weight_kg AS weight_kg,
               p.launched_on AS launched_on
        FROM orders o
        JOIN order_items oi ON oi.order_id = o.order_id
        LEFT JOIN products p ON p.product_id = oi.product_id
        WHERE o.order_ts >= TIMESTAMP '2024-05-15 00:00:00'
        ORDER BY o.order_ts DESC, o.order_id, oi.line_no
        LIMIT 40
        """,
        ordered=True,
        types={
            "order_id": "Int64",
            "order_ts": TIMESTAMP_US,
            "ship_date": "Date",
            "line_no": "Int32",
            "unit_price": DECIMAL_10_2,
            "sku": "String",
            "weight_kg": "Float64",
        },
    ),
    Case(
        "float_aggregates_by_channel",
        """
        SELECT channel,
               COUNT(discount_pct) AS n,
               SUM(discount_pct) AS total,
               AVG(discount_pct) AS mean,
               STDDEV(discount_pct) AS sd,
               VARIANCE(discount_pct) AS var,
               MIN(discount_pct) AS lo,
               MAX(discount_pct) AS hi
        FROM orders
        GROUP BY channel
        """,
        types={"mean": "Float64"},
    ),
    Case(
        "union_distinct_cities",
        """
        SELECT 'customer' AS source, LOWER(TRIM(city)) AS city
        FROM customers WHERE city IS NOT NULL
        UNION
        SELECT 'region' AS source, LOWER(city) AS city
        FROM regions WHERE city IS NOT NULL
        """,
    ),
    Case(
        # The JSON value rules: NaN and infinities as strings, Int64 beyond 2^53 as strings,
        # booleans and NULLs as JSON literals, decimals as strings (negative too).
        # DIALECT: the division of a DECIMAL by an integer is a Decimal(38, 8) in Polars (digits
        # past the 8th dropped) but a DOUBLE in DuckDB, so no decimal division here.
        # DIALECT: SUM over Int64 silently wraps around in Polars, where DuckDB widens to
        # HUGEINT; the large integers here are never summed.
        "json_special_values",
        """
        SELECT o.order_id AS order_id,
               o.order_id * 1000000000000 AS big,
               -o.order_id * 1000000000000 AS negative_big,
               CASE WHEN o.discount_pct IS NULL THEN CAST('NaN' AS DOUBLE)
                    WHEN o.discount_pct > 0.3 THEN CAST('Infinity' AS DOUBLE)
                    WHEN o.discount_pct < 0.06 THEN CAST('-Infinity' AS DOUBLE)
                    ELSE o.discount_pct END AS odd_float,
               o.discount_pct > 0.1 AS high_discount,
               c.is_active AS is_active,
               -oi.unit_price * oi.quantity AS negative_amount,
               CAST(oi.unit_price AS DECIMAL(18, 4)) AS wide_price
        FROM orders o
        LEFT JOIN customers c ON o.customer_id = c.customer_id
        JOIN order_items oi ON oi.order_id = o.order_id AND oi.line_no = 1
        ORDER BY o.order_id
        LIMIT 60
        """,
        ordered=True,
        types={
            "big": "Int64",
            "odd_float": "Float64",
            "is_active": "Boolean",
            "wide_price": "Decimal(precision=18, scale=4)",
        },
    ),
    Case(
        # DATE_TRUNC gives a timestamp in both engines, even for a DATE argument; midnight
        # values exercise the ISO rendering of a time with no seconds.
        "date_trunc_strftime_months",
        """
        SELECT STRFTIME(order_ts, '%Y-%m') AS ym,
               DATE_TRUNC('month', order_ts) AS month_start,
               MIN(DATE_TRUNC('week', ship_date)) AS first_ship_week,
               COUNT(*) AS orders,
               COUNT(DISTINCT customer_id) AS customers
        FROM orders
        WHERE channel IS NOT NULL
        GROUP BY STRFTIME(order_ts, '%Y-%m'), DATE_TRUNC('month', order_ts)
        """,
        types={"ym": "String", "month_start": TIMESTAMP_US},
    ),
    Case(
        # An Iceberg timestamptz column (UTC), with NULLs for undelivered orders.
        # DIALECT: Polars refuses to compare a tz-aware column with a naive TIMESTAMP literal
        # (SchemaError), which DuckDB casts implicitly; filter on the DATE instead.
        "timestamptz_deliveries_by_channel",
        """
        SELECT o.channel AS channel,
               COUNT(o.delivered_at) AS delivered,
               COUNT(*) - COUNT(o.delivered_at) AS not_delivered,
               MIN(o.delivered_at) AS first_delivery,
               MAX(o.delivered_at) AS last_delivery,
               MAX(CAST(o.delivered_at AS DATE)) AS last_delivery_day,
               SUM(CASE WHEN EXTRACT(HOUR FROM o.delivered_at) < 12 THEN 1 ELSE 0 END)
                   AS morning_deliveries,
               AVG((EXTRACT(EPOCH FROM o.delivered_at)
                    - EXTRACT(EPOCH FROM CAST(o.ship_date AS TIMESTAMP))) / 3600)
                   AS avg_hours_after_ship
        FROM orders o
        WHERE o.status <> 'cancelled'
          AND (o.delivered_at IS NULL OR CAST(o.delivered_at AS DATE) >= DATE '2023-01-01')
        GROUP BY o.channel
        """,
        types={"first_delivery": TIMESTAMPTZ_US, "last_delivery_day": "Date"},
    ),
    Case(
        # No rows: the columns and their types must still come back.
        "empty_result_keeps_columns_and_types",
        """
        SELECT c.customer_id AS customer_id,
               c.signup_date AS signup_date,
               c.credit_limit AS credit_limit,
               o.order_ts AS order_ts
        FROM customers c
        JOIN orders o ON o.customer_id = c.customer_id
        WHERE c.signup_date > DATE '2030-01-01'
        """,
        min_rows=0,
        types={
            "customer_id": "Int64",
            "signup_date": "Date",
            "credit_limit": DECIMAL_10_2,
            "order_ts": TIMESTAMP_US,
        },
    ),
]


# ---------------------------------------------------------------------------------------------
# Normalization and comparison
# ---------------------------------------------------------------------------------------------


def _from_floe(value: Any, dtype: str, where: str) -> Any:
    """Floe's JSON value as a Python value, checking the contract's JSON value rules."""
    if value is None:
        return None
    if dtype.startswith("Decimal"):
        assert isinstance(value, str), f"{where}: Decimal must be a JSON string, got {value!r}"
        return Decimal(value)
    if dtype == "Date":
        assert isinstance(value, str), f"{where}: Date must be an ISO string, got {value!r}"
        return dt.date.fromisoformat(value)
    if dtype.startswith("Datetime"):
        assert isinstance(value, str), f"{where}: Datetime must be an ISO string, got {value!r}"
        return dt.datetime.fromisoformat(value)
    if dtype == "Time":
        assert isinstance(value, str), f"{where}: Time must be an ISO string, got {value!r}"
        return dt.time.fromisoformat(value)
    if dtype.startswith("Float"):
        if isinstance(value, str):
            assert value in ("NaN", "Infinity", "-Infinity"), f"{where}: bad float {value!r}"
        return float(value)
    if dtype.startswith(("Int", "UInt")):
        if isinstance(value, str):
            assert abs(int(value)) > MAX_SAFE_INTEGER, f"{where}: small int as string {value!r}"
            return int(value)
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
        return value
    if dtype == "Boolean":
        assert isinstance(value, bool), f"{where}: Boolean must be true/false, got {value!r}"
    if dtype == "String":
        assert isinstance(value, str), f"{where}: String must be a JSON string, got {value!r}"
    return value


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    key: list[tuple[int, float, str]] = []
    for v in row:
        if v is None:
            key.append((0, 0.0, ""))
        elif isinstance(v, bool):
            key.append((1, float(v), ""))
        elif _is_number(v):
            f = float(v)
            key.append((2, math.inf, "nan") if math.isnan(f) else (2, f, ""))
        elif isinstance(v, dt.date):
            key.append((3, 0.0, _iso(v)))
        elif isinstance(v, dt.time):
            key.append((3, 0.0, v.isoformat()))
        else:
            key.append((4, 0.0, str(v)))
    return tuple(key)


def _iso(v: dt.date) -> str:
    """ISO string; an aware datetime in UTC (an aware and a naive one never compare equal)."""
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).isoformat()
    return v.isoformat()


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            fa, fb = float(a), float(b)
            if math.isnan(fa) or math.isnan(fb):
                return math.isnan(fa) and math.isnan(fb)
            return math.isclose(fa, fb, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        return bool(a == b)  # int and Decimal: exact
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        both = isinstance(a, dt.datetime) and isinstance(b, dt.datetime)
        return both and _iso(a) == _iso(b)
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        both = isinstance(a, dt.date) and isinstance(b, dt.date)
        return both and a.isoformat() == b.isoformat()
    return type(a) is type(b) and bool(a == b)


def _show(row: Sequence[Any]) -> str:
    return "(" + ", ".join(_iso(v) if isinstance(v, dt.date) else repr(v) for v in row) + ")"


def assert_same_result(
    case: Case, columns: list[str], floe_rows: list[tuple[Any, ...]], duck_rows: list[Any]
) -> None:
    duck = [tuple(r) for r in duck_rows]
    floe = list(floe_rows)
    assert len(floe) == len(duck), (
        f"[{case.id}] row count: Floe {len(floe)}, DuckDB {len(duck)}\n"
        f"Floe first rows: {[_show(r) for r in sorted(floe, key=_sort_key)[:5]]}\n"
        f"DuckDB first rows: {[_show(r) for r in sorted(duck, key=_sort_key)[:5]]}"
    )
    if not case.ordered:
        floe.sort(key=_sort_key)
        duck.sort(key=_sort_key)
    diffs = []
    for i, (f, d) in enumerate(zip(floe, duck, strict=True)):
        bad = [c for c, fv, dv in zip(columns, f, d, strict=True) if not _same(fv, dv)]
        if bad:
            diffs.append(
                f"  row {i}: columns {bad}\n    Floe:   {_show(f)}\n    DuckDB: {_show(d)}"
            )
    assert not diffs, (
        f"[{case.id}] {len(diffs)} of {len(floe)} rows differ "
        f"({'in order' if case.ordered else 'as sorted multisets'}), columns {columns}:\n"
        + "\n".join(diffs[:10])
    )


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_cases_are_well_formed() -> None:
    assert len(CASES) >= 12
    assert len({c.id for c in CASES}) == len(CASES)
    for case in CASES:
        assert "SELECT *" not in " ".join(case.sql.upper().split()), case.id


def test_dataset_is_deterministic_and_has_nulls() -> None:
    first, second = generate_dataset(), generate_dataset()
    assert first.keys() == second.keys()
    for name in first:
        assert first[name].equals(second[name]), f"{name} differs between two generations"
    total = sum(t.num_rows for t in first.values())
    assert 2_000 <= total <= 5_000, total
    nullable = {
        "customers": ["email", "city", "credit_limit", "is_active", "referred_by"],
        "products": ["category", "weight_kg", "rating"],
        "orders": ["customer_id", "ship_date", "delivered_at", "channel", "discount_pct"],
        "order_items": ["product_id", "note"],
        "regions": ["city"],
    }
    for table, cols in nullable.items():
        for col in cols:
            nulls = first[table][col].null_count
            assert 0 < nulls < first[table].num_rows, f"{table}.{col} has {nulls} NULLs"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_floe_matches_duckdb(
    case: Case, run_floe: Callable[[str], FloeResult], duck: duckdb.DuckDBPyConnection
) -> None:
    result = run_floe(case.sql)
    cursor = duck.execute(case.sql)
    duck_columns = [d[0] for d in cursor.description]
    duck_rows = cursor.fetchall()
    assert len(duck_rows) >= case.min_rows, f"[{case.id}] the oracle returned {len(duck_rows)} rows"

    assert result.columns == duck_columns, f"[{case.id}] columns differ"
    assert len(result.column_types) == len(result.columns)
    for name, expected in case.types.items():
        got = result.column_types[result.columns.index(name)]
        assert got == expected, f"[{case.id}] column_types[{name}] is {got}, expected {expected}"

    floe_rows = []
    for i, row in enumerate(result.rows):
        assert len(row) == len(result.columns), f"[{case.id}] row {i} has {len(row)} values"
        floe_rows.append(
            tuple(
                _from_floe(v, t, f"[{case.id}] row {i} column {c} ({t})")
                for v, t, c in zip(row, result.column_types, result.columns, strict=True)
            )
        )
    assert_same_result(case, result.columns, floe_rows, duck_rows)


def test_oracle_sees_the_whole_lake(
    run_floe: Callable[[str], FloeResult], duck: duckdb.DuckDBPyConnection
) -> None:
    """Row counts and NULL counts per table agree: both engines read the same data."""
    sql = """
        SELECT 'customers' AS t, COUNT(*) AS n, COUNT(email) AS c FROM customers
        UNION ALL SELECT 'products', COUNT(*), COUNT(category) FROM products
        UNION ALL SELECT 'orders', COUNT(*), COUNT(customer_id) FROM orders
        UNION ALL SELECT 'order_items', COUNT(*), COUNT(product_id) FROM order_items
        UNION ALL SELECT 'regions', COUNT(*), COUNT(city) FROM regions
    """
    case = Case("whole_lake_counts", sql)
    result = run_floe(sql)
    duck_rows = duck.execute(sql).fetchall()
    rows = [tuple(r) for r in result.rows]
    assert_same_result(case, result.columns, rows, duck_rows)
