"""The schema, as SQLAlchemy 2 declarative models, shared by SQLite and PostgreSQL.

Migrations under ``store/migrations`` create exactly these tables; a test compares the two.
Conventions: text columns that form natural keys use ``''`` rather than NULL (so a unique
constraint means the same on both backends), money is ``Numeric`` read as ``Decimal``, times are
UTC-aware, and the price history is the ``price_observations`` table itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from coinref.timeutil import utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON}


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    tier: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(200))
    denomination: Mapped[str] = mapped_column(String(40))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    est_coins: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer)

    coins: Mapped[list[Coin]] = relationship(back_populates="series")


class Grade(Base):
    """A PCGS Sheldon grade number with its prefixes and whether a plus is possible."""

    __tablename__ = "grades"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(8))  # circulated prefix or MS, e.g. "VF", "MS"
    name: Mapped[str] = mapped_column(String(60))  # adjectival, e.g. "Very Fine"
    prefixes: Mapped[list] = mapped_column(JSON)  # prefixes valid with this number
    plus_allowed: Mapped[bool] = mapped_column(Boolean)


class Coin(Base):
    """One PCGS-numberable coin: a (series, year, mint, strike, variety, designation)."""

    __tablename__ = "coins"
    __table_args__ = (
        UniqueConstraint("series_id", "year", "mint_mark", "strike", "variety", "designation", name="uq_coins_natural"),
        Index("ix_coins_year_mint", "year", "mint_mark"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    mint_mark: Mapped[str] = mapped_column(String(4))  # P for Philadelphia
    strike: Mapped[str] = mapped_column(String(2))  # MS, PR, SP
    variety: Mapped[str] = mapped_column(String(120), default="")
    designation: Mapped[str] = mapped_column(String(8), default="")
    denomination: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(250))
    short_name: Mapped[str] = mapped_column(String(250), default="")  # PCGS form: "1909-S 1C VDB, RD"
    pcgs_number: Mapped[int | None] = mapped_column(Integer, unique=True)
    # where the number came from (catalog, import, website, specsearch, api) and whether PCGS has
    # answered for it: claimed, verified (on pcgs_verified_on) or rejected (why in pcgs_note)
    pcgs_provenance: Mapped[str | None] = mapped_column(String(12))
    pcgs_state: Mapped[str | None] = mapped_column(String(10))
    pcgs_verified_on: Mapped[date | None] = mapped_column(Date)
    pcgs_note: Mapped[str | None] = mapped_column(Text)
    ngc_number: Mapped[str | None] = mapped_column(String(20))
    metal: Mapped[str | None] = mapped_column(String(200))
    weight_g: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    fineness: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    metal_oz: Mapped[Decimal | None] = mapped_column(Numeric(10, 5))
    mintage: Mapped[int | None] = mapped_column(BigInteger)
    # the catalog says no mintage figure was ever published (mintage stays NULL; export says "unknown")
    mintage_unknown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    diameter_mm: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    edge: Mapped[str | None] = mapped_column(String(200))
    designer: Mapped[str | None] = mapped_column(String(300))  # "A. A. Weinman" or "obverse X; reverse Y"
    composition: Mapped[str | None] = mapped_column(String(300))  # alloy as parts: "90% silver / 10% copper"
    key_date: Mapped[str | None] = mapped_column(String(10))  # key | semi-key
    facts: Mapped[dict] = mapped_column(JSON, default=dict)  # designer, edge, diameter, notes ...
    source: Mapped[str] = mapped_column(String(40), default="builtin")
    lookup_count: Mapped[int] = mapped_column(Integer, default=0)
    enriched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    series: Mapped[Series] = relationship(back_populates="coins")


class PriceObservation(Base):
    """One observed price; the table is the history (unique per coin, grade, plus, source, day)."""

    __tablename__ = "price_observations"
    __table_args__ = (
        UniqueConstraint("coin_id", "grade", "plus", "source", "observed_on", name="uq_prices_point_day"),
        Index("ix_prices_coin_grade", "coin_id", "grade", "plus", "observed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    observed_on: Mapped[date] = mapped_column(Date)
    population: Mapped[int | None] = mapped_column(Integer)
    pop_higher: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PricePointMiss(Base):
    """A (coin, grade, plus) the source answered "no data" or "no price" for: not bought again soon."""

    __tablename__ = "price_point_misses"
    __table_args__ = (UniqueConstraint("coin_id", "grade", "plus", "source", name="uq_misses_point"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))  # not_found | unpriced | invalid
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PricePointClaim(Base):
    """A refresh run's claim on a (coin, grade, plus) for one quota day: one buyer per point and day.

    ``status`` is ``held`` while the request is under way (until ``lease_expires_at``; a claim whose
    lease expired, or whose owner process is gone, can be taken over) and ``bought`` once PCGS
    answered. A claim whose request never brought an answer is deleted, so the point can be tried
    again. See ``pipeline/refresh/claims.py``.
    """

    __tablename__ = "price_point_claims"
    __table_args__ = (UniqueConstraint("coin_id", "grade", "plus", "source", "day", name="uq_claims_point_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="held")  # held | bought
    owner: Mapped[str] = mapped_column(String(120))  # host:pid
    run_id: Mapped[int | None] = mapped_column(Integer)
    lease_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Cert(Base):
    """A certified (slabbed) coin."""

    __tablename__ = "certs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cert_number: Mapped[str] = mapped_column(String(12), unique=True)
    coin_id: Mapped[int | None] = mapped_column(ForeignKey("coins.id", ondelete="SET NULL"), index=True)
    pcgs_number: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[int | None] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    grade_text: Mapped[str] = mapped_column(String(20), default="")
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiCall(Base):
    """One request that was sent (or refused before sending) to a remote provider."""

    __tablename__ = "api_calls"
    __table_args__ = (Index("ix_api_calls_provider_day", "provider", "quota_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status_code: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(30))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    quota_day: Mapped[date] = mapped_column(Date)
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)  # summary of an answer, so it is not bought twice a day
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class QuotaLedger(Base):
    """Calls reserved per provider and quota day; reserved atomically before a call is sent."""

    __tablename__ = "quota_ledger"

    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    limit: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    exhausted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Run(Base):
    """A population, scrape or refresh run, with its arguments, counts and report."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    source: Mapped[str] = mapped_column(String(40), default="")
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # host:pid of the process running it, and a lease it renews while it works (see store/runs.py)
    owner: Mapped[str | None] = mapped_column(String(120), default=lambda: _run_owner())
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=lambda: _run_lease())


class WorkItem(Base):
    """One resumable unit of work (a series to load, a coin to enrich, a page to scrape).

    ``queue`` names the work list (for example ``populate:pcgs-api``); ``key`` is unique within it,
    so re-planning never duplicates an item. Workers claim items by setting a lease.
    """

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("queue", "key", name="uq_work_items_queue_key"),
        Index("ix_work_items_queue_status", "queue", "status", "priority"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower runs first
    series_slug: Mapped[str] = mapped_column(String(80), default="")
    coin_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|leased|done|failed|blocked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Quarantine(Base):
    """A record rejected by validation or matching, kept with every reason."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(40))
    record: Mapped[dict] = mapped_column(JSON)
    reasons: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved | discarded
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PcgsProbe(Base):
    """One PCGS number the discovery asked about, with what PCGS answered and what became of it.

    ``outcome``: coin (a valid answer naming a coin), set (a valid answer naming no single coin) or
    no_data; ``grades`` the grades asked; ``match``: attached, taken (the number already sat on the
    coin), ambiguous, gap (PCGS knows a coin the catalog lacks), other, or '' for no data.
    """

    __tablename__ = "pcgs_probes"
    __table_args__ = (Index("ix_pcgs_probes_series", "series_slug", "outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    series_slug: Mapped[str] = mapped_column(String(80), default="")
    outcome: Mapped[str] = mapped_column(String(12))
    grades: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[dict | None] = mapped_column(JSON)
    match: Mapped[str] = mapped_column(String(12), default="")
    coin_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)
    probed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Watch(Base):
    """A coin a user holds or watches: a demand signal for the price refresh."""

    __tablename__ = "watchlist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuctionSale(Base):
    """One auction sale of a coin at a grade (PCGS's Auctions Prices Realized), stored once.

    A lot is one sale whoever reports it and however often: unique per (auction house, sale, lot).
    ``sold_on`` is the first of the month when the source gives only ``mm-yyyy`` (``date_text``
    keeps what it said).
    """

    __tablename__ = "auction_sales"
    __table_args__ = (
        UniqueConstraint("auction_house", "sale_name", "lot", name="uq_auction_sales_lot"),
        Index("ix_auction_sales_point", "coin_id", "grade", "plus", "sold_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"))
    pcgs_number: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    designation: Mapped[str] = mapped_column(String(8), default="")
    sold_on: Mapped[date] = mapped_column(Date)
    date_text: Mapped[str] = mapped_column(String(30), default="")
    auction_house: Mapped[str] = mapped_column(String(100))
    sale_name: Mapped[str] = mapped_column(String(200))
    lot: Mapped[str] = mapped_column(String(40))
    cert_number: Mapped[str | None] = mapped_column(String(12))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    grading_service: Mapped[str] = mapped_column(String(10), default="")
    is_cac: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PopulationObservation(Base):
    """Graded population at a grade and above it, as a source reported it on a day (the history)."""

    __tablename__ = "population_observations"
    __table_args__ = (
        UniqueConstraint("coin_id", "grade", "plus", "source", "observed_on", name="uq_population_point_day"),
        Index("ix_population_day", "observed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40))
    observed_on: Mapped[date] = mapped_column(Date)
    population: Mapped[int] = mapped_column(Integer)
    pop_higher: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Holding(Base):
    """Coins a user owns: a coin at a grade, how many, and optionally cost, purchase day and cert."""

    __tablename__ = "holdings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[int] = mapped_column(ForeignKey("coins.id", ondelete="RESTRICT"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    plus: Mapped[bool] = mapped_column(Boolean, default=False)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # total paid for the quantity
    purchased_on: Mapped[date | None] = mapped_column(Date)
    cert_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SpotPrice(Base):
    """A precious metal's spot price in USD per troy ounce on a day, from a source."""

    __tablename__ = "spot_prices"
    __table_args__ = (UniqueConstraint("metal", "day", "source", name="uq_spot_prices_metal_day_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metal: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source: Mapped[str] = mapped_column(String(40), default="manual")
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


def _run_owner() -> str:
    from coinref.store.runs import process_owner

    return process_owner()


def _run_lease() -> datetime:
    from coinref.store.runs import new_lease

    return new_lease()
