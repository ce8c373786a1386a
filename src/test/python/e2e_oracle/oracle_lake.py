"""The oracle suite's data set and its Floe client, shared by conftest.py and the tests.

The data set is deterministic (seeded RNG, no wall clock): the same Arrow tables on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

SEED = 20_240_611

# ---------------------------------------------------------------------------------------------
# The data set
# ---------------------------------------------------------------------------------------------

_FIRST_NAMES = [
    "anna",
    "Ben",
    "CARLA",
    "dieter",
    "Émile",
    "José",
    "Zoë",
    "li",
    "Mohammed",
    "olga",
    "Priya",
    "sven",
    "Tomás",
    "yuki",
    "Ada",
    "grace",
]
_LAST_NAMES = ["Smith", "müller", "O'Brien", "nguyen", "GARCÍA", "Kowalski", "ito", "Rossi"]
_CITIES = ["Berlin", "berlin", "Paris", " Lisbon ", "New York", "São Paulo", "Tokyo", "OSLO"]
_DOMAINS = ["example.com", "Mail.org", "corp.example"]
_SEGMENTS = ["consumer", "corporate", "home office"]
_CATEGORIES = ["Books", "books ", "Garden", "Kitchen", "Toys", "Electronics"]
_ADJECTIVES = ["Red", "tiny", "Deluxe", "eco", "SMART", "Classic", "  vintage"]
_NOUNS = ["Lamp", "kettle", "Chair", "novel", "Drone", "spade", "Puzzle", "Mug"]
_STATUSES = ["pending", "shipped", "delivered", "delivered", "delivered", "cancelled", "returned"]
_CHANNELS = ["web", "web", "store", "phone", None]

N_CUSTOMERS = 240
N_PRODUCTS = 60
N_ORDERS = 1000
# order_items: 1..5 lines per order, about 3000


def _maybe(rng: random.Random, p_null: float, value: Any) -> Any:
    return None if rng.random() < p_null else value


def _mixed_case(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.2:
        s = s.upper()
    elif r < 0.4:
        s = s.lower()
    if rng.random() < 0.15:
        s = " " + s
    if rng.random() < 0.15:
        s = s + "  "
    return s


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(low * 100), int(high * 100))) / 100


def _regions() -> pa.Table:
    # A small lookup table keyed by a nullable string: the NULL row must never join.
    rows = [
        ("Berlin", "EU", 1),
        ("Paris", "EU", 1),
        ("Lisbon", "EU", 2),
        ("New York", "NA", 1),
        ("Tokyo", "APAC", 3),
        (None, "UNKNOWN", 9),
        ("Atlantis", "NOWHERE", 9),
    ]
    return pa.table(
        {
            "city": pa.array([r[0] for r in rows], pa.string()),
            "region": pa.array([r[1] for r in rows], pa.string()),
            "tier": pa.array([r[2] for r in rows], pa.int32()),
        }
    )


def _customers(rng: random.Random) -> pa.Table:
    cols: dict[str, list[Any]] = {
        k: []
        for k in [
            "customer_id",
            "name",
            "email",
            "city",
            "segment",
            "signup_date",
            "is_active",
            "credit_limit",
            "referred_by",
        ]
    }
    base = dt.date(2019, 1, 1)
    for cid in range(1, N_CUSTOMERS + 1):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        cols["customer_id"].append(cid)
        cols["name"].append(_mixed_case(rng, f"{first} {last}"))
        email = f"{first.lower()}.{cid}@{rng.choice(_DOMAINS)}"
        cols["email"].append(_maybe(rng, 0.15, email))
        cols["city"].append(_maybe(rng, 0.1, rng.choice(_CITIES)))
        cols["segment"].append(rng.choice(_SEGMENTS))
        cols["signup_date"].append(base + dt.timedelta(days=rng.randint(0, 5 * 365)))
        cols["is_active"].append(_maybe(rng, 0.05, rng.random() < 0.8))
        cols["credit_limit"].append(_maybe(rng, 0.2, _money(rng, 100, 20_000)))
        referrer = rng.randint(1, cid - 1) if cid > 1 else None
        cols["referred_by"].append(_maybe(rng, 0.6, referrer))
    return pa.table(
        {
            "customer_id": pa.array(cols["customer_id"], pa.int64()),
            "name": pa.array(cols["name"], pa.string()),
            "email": pa.array(cols["email"], pa.string()),
            "city": pa.array(cols["city"], pa.string()),
            "segment": pa.array(cols["segment"], pa.string()),
            "signup_date": pa.array(cols["signup_date"], pa.date32()),
            "is_active": pa.array(cols["is_active"], pa.bool_()),
            "credit_limit": pa.array(cols["credit_limit"], pa.decimal128(10, 2)),
            "referred_by": pa.array(cols["referred_by"], pa.int64()),
        }
    )


def _products(rng: random.Random) -> pa.Table:
    ids, skus, names, cats, prices, weights, ratings, launched = [], [], [], [], [], [], [], []
    # A handful of shared prices, so RANK() sees ties.
    tied_prices = [Decimal("9.99"), Decimal("19.99"), Decimal("49.50")]
    for pid in range(1, N_PRODUCTS + 1):
        ids.append(pid)
        skus.append(f"SKU-{rng.choice('ABC')}{pid:04d}")
        names.append(f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}")
        cats.append(_maybe(rng, 0.1, rng.choice(_CATEGORIES)))
        prices.append(rng.choice(tied_prices) if rng.random() < 0.3 else _money(rng, 1, 500))
        weights.append(_maybe(rng, 0.15, round(rng.uniform(0.05, 25.0), 3)))
        ratings.append(_maybe(rng, 0.25, rng.choice([1.0, 2.5, 3.3, 4.1, 4.7, 5.0])))
        launched.append(dt.date(2018, 6, 1) + dt.timedelta(days=rng.randint(0, 2000)))
    return pa.table(
        {
            "product_id": pa.array(ids, pa.int64()),
            "sku": pa.array(skus, pa.string()),
            "product_name": pa.array(names, pa.string()),
            "category": pa.array(cats, pa.string()),
            "list_price": pa.array(prices, pa.decimal128(10, 2)),
            "weight_kg": pa.array(weights, pa.float64()),
            # Iceberg `float`: Float32 in Polars, FLOAT in DuckDB.
            "rating": pa.array(ratings, pa.float32()),
            "launched_on": pa.array(launched, pa.date32()),
        }
    )


def _orders(rng: random.Random) -> pa.Table:
    ids, stamps, ships, statuses, channels, discounts = [], [], [], [], [], []
    custs: list[int | None] = []
    delivered: list[dt.datetime | None] = []
    start = dt.datetime(2022, 1, 1)
    span_seconds = int((dt.datetime(2024, 7, 1) - start).total_seconds())
    for i in range(N_ORDERS):
        ids.append(10_000 + i)
        # ~3% NULL customer, ~2% a customer id that does not exist (orphans for outer joins).
        r = rng.random()
        if r < 0.03:
            custs.append(None)
        elif r < 0.05:
            custs.append(N_CUSTOMERS + rng.randint(1, 20))
        else:
            custs.append(rng.randint(1, N_CUSTOMERS))
        ts = start + dt.timedelta(
            seconds=rng.randint(0, span_seconds),
            microseconds=rng.choice([0, 0, rng.randint(0, 999_999)]),
        )
        stamps.append(ts)
        status = rng.choice(_STATUSES)
        statuses.append(status)
        shipped = status in ("shipped", "delivered", "returned")
        ship_date = ts.date() + dt.timedelta(days=rng.randint(0, 12)) if shipped else None
        ships.append(ship_date)
        # Iceberg `timestamptz`, in UTC: only for delivered (or returned) orders.
        if ship_date is not None and status != "shipped":
            delivered.append(
                dt.datetime.combine(ship_date, dt.time(), tzinfo=dt.UTC)
                + dt.timedelta(hours=rng.randint(6, 120), seconds=rng.randint(0, 3599))
            )
        else:
            delivered.append(None)
        channels.append(rng.choice(_CHANNELS))
        discount = round(rng.choice([0.05, 0.1, 0.15, rng.random() / 3]), 4)
        discounts.append(_maybe(rng, 0.4, discount))
    return pa.table(
        {
            "order_id": pa.array(ids, pa.int64()),
            "customer_id": pa.array(custs, pa.int64()),
            "order_ts": pa.array(stamps, pa.timestamp("us")),
            "ship_date": pa.array(ships, pa.date32()),
            "delivered_at": pa.array(delivered, pa.timestamp("us", tz="UTC")),
            "status": pa.array(statuses, pa.string()),
            "channel": pa.array(channels, pa.string()),
            "discount_pct": pa.array(discounts, pa.float64()),
        }
    )


def _order_items(rng: random.Random, orders: pa.Table, products: pa.Table) -> pa.Table:
    order_ids, lines, pids, qtys, prices, notes = [], [], [], [], [], []
    list_price = dict(
        zip(products["product_id"].to_pylist(), products["list_price"].to_pylist(), strict=True)
    )
    for oid in orders["order_id"].to_pylist():
        for line in range(1, rng.randint(1, 5) + 1):
            order_ids.append(oid)
            lines.append(line)
            # ~1% lines point at a discontinued product missing from `products`; ~1% have none.
            r = rng.random()
            if r < 0.01:
                pid = None
            elif r < 0.02:
                pid = N_PRODUCTS + rng.randint(1, 5)
            else:
                pid = rng.randint(1, N_PRODUCTS)
            pids.append(pid)
            qtys.append(rng.choice([1, 1, 1, 2, 2, 3, 5, 10]))
            base = list_price.get(pid, Decimal("5.00"))
            # Sometimes sold below list price.
            if rng.random() < 0.3:
                base = (base * Decimal("0.9")).quantize(Decimal("0.01"))
            price = base
            prices.append(price)
            notes.append(_maybe(rng, 0.9, rng.choice(["gift", "GIFT wrap", " fragile", "rush"])))
    return pa.table(
        {
            "order_id": pa.array(order_ids, pa.int64()),
            "line_no": pa.array(lines, pa.int32()),
            "product_id": pa.array(pids, pa.int64()),
            "quantity": pa.array(qtys, pa.int32()),
            "unit_price": pa.array(prices, pa.decimal128(10, 2)),
            "note": pa.array(notes, pa.string()),
        }
    )


def generate_dataset(seed: int = SEED) -> dict[str, pa.Table]:
    """The oracle data set: the same tables, byte for byte, on every run."""
    rng = random.Random(seed)
    customers = _customers(rng)
    products = _products(rng)
    orders = _orders(rng)
    items = _order_items(rng, orders, products)
    return {
        "regions": _regions(),
        "customers": customers,
        "products": products,
        "orders": orders,
        "order_items": items,
    }


# ---------------------------------------------------------------------------------------------
# Floe over HTTP
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloeClient:
    base_url: str
    timeout: float = 300.0

    def request(self, body: dict[str, Any], accept: str) -> urllib.request.Request:
        """A POST of a workload, with the admin key the suite was given (FLOE_API_KEY)."""
        return urllib.request.Request(
            self.base_url + "/api/v1/warehouse/polars",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": accept,
                "Authorization": "Bearer " + os.environ.get("FLOE_API_KEY", ""),
            },
            method="POST",
        )

    def post(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = self.request(body, "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            payload = err.read()
            try:
                return err.code, json.loads(payload)
            except ValueError:
                return err.code, {"success": False, "error": payload.decode(errors="replace")}


@dataclass(frozen=True)
class FloeResult:
    columns: list[str]
    column_types: list[str]
    rows: list[list[Any]]
    body: dict[str, Any]
