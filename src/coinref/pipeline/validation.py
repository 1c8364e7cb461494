"""Validation of incoming records: pydantic shapes plus the catalog's rules.

``CoinValidator.validate`` returns every reason a record is unacceptable (an empty list when it is
fine); ``validate_batch`` splits records into (valid, invalid-with-reasons). The rules:
required fields (series, year, denomination, full name; the PCGS number when the source is PCGS),
the year within the series' range and between 1792 and next year, the mint mark possible for the
year (and for gold-only mints), a PCGS number that is a positive integer in a sane range, a known
denomination consistent with the series, and weight/fineness/content consistent with the metal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from coinref.catalog.rules import MINT_YEARS, mint_problem
from coinref.catalog.series import series_by_slug
from coinref.pipeline.records import CoinRecord, PriceRecord, SaleRecord
from coinref.store.prices import observation_day_problem, price_problem
from coinref.timeutil import utcnow

KNOWN_DENOMINATIONS = frozenset({
    "1/2C", "1C", "2C", "3CN", "3CS", "H10C", "5C", "10C", "20C", "25C", "50C", "$1", "T$1", "G$1",
    "$2.50", "$3", "$4", "$5", "$10", "$20", "$25", "$50", "$100",
})
PCGS_NUMBER_MAX = 9_999_999
STRIKES = ("MS", "PR", "SP")
PRECIOUS_WORDS = ("silver", "gold", "platinum", "palladium")


def series_denominations(slug: str) -> set[str] | None:
    """Denominations a series may carry (None when any is possible: commemoratives)."""
    info = series_by_slug().get(slug)
    if info is None or info.denomination == "various":
        return None
    allowed = set(info.denomination.split())
    if slug.startswith("modern-commemoratives") or slug == "early-gold":
        return None
    return allowed


@dataclass
class CoinValidator:
    next_year: int = field(default_factory=lambda: utcnow().year + 1)

    def validate(self, record: CoinRecord) -> list[str]:
        reasons: list[str] = []
        if record.coin_id is not None:  # enrichment of a known coin: facts only
            return self._check_number(record, reasons) + self._check_metal(record, [])
        required = ("series", "year", "denomination", "full_name") if record.source == "builtin" else ("year",)
        for name in required:
            if getattr(record, name) in (None, ""):
                reasons.append(f"missing required field {name}")
        if record.source != "builtin" and not (record.series or record.denomination):
            reasons.append("missing series or denomination: one is needed to find the coin")
        if record.source.startswith("pcgs") and record.pcgs_number is None:
            reasons.append("missing PCGS number from a PCGS source")
        info = series_by_slug().get(record.series or "")
        if record.series and info is None:
            reasons.append(f"unknown series {record.series!r}")
        if record.year is not None:
            if not 1792 <= record.year <= self.next_year:
                reasons.append(f"year {record.year} outside 1792-{self.next_year}")
            elif info is not None:
                last = info.last_year or self.next_year
                if not info.first_year <= record.year <= last:
                    reasons.append(f"year {record.year} outside the series' {info.first_year}-{info.last_year or ''}")
        if record.mint_mark is not None:
            if record.mint_mark not in MINT_YEARS:
                reasons.append(f"unknown mint mark {record.mint_mark!r}")
            elif record.year is not None:
                problem = mint_problem(record.mint_mark, record.year, record.denomination)
                if problem:
                    reasons.append(problem)
        if record.strike is not None and record.strike not in STRIKES:
            reasons.append(f"unknown strike {record.strike!r} (MS, PR or SP)")
        if record.denomination:
            if record.denomination not in KNOWN_DENOMINATIONS:
                reasons.append(f"unknown denomination {record.denomination!r}")
            elif info is not None:
                allowed = series_denominations(info.slug)
                if allowed is not None and record.denomination not in allowed:
                    reasons.append(f"denomination {record.denomination} is not one of the series' {sorted(allowed)}")
        self._check_number(record, reasons)
        self._check_metal(record, reasons)
        return reasons

    def _check_number(self, record: CoinRecord, reasons: list[str]) -> list[str]:
        if record.pcgs_number is not None and not 0 < record.pcgs_number <= PCGS_NUMBER_MAX:
            reasons.append(f"PCGS number {record.pcgs_number} outside 1-{PCGS_NUMBER_MAX}")
        return reasons

    def _check_metal(self, record: CoinRecord, reasons: list[str]) -> list[str]:
        if record.weight_g is not None and record.weight_g <= 0:
            reasons.append(f"weight {record.weight_g} g is not positive")
        if record.fineness is not None and not Decimal(0) < record.fineness <= 1:
            reasons.append(f"fineness {record.fineness} outside 0-1")
        metal = (record.metal or "").lower()
        precious = any(word in metal for word in PRECIOUS_WORDS)
        if record.fineness is not None and record.metal and not precious:
            reasons.append(f"a fineness is given but the metal {record.metal!r} is not precious")
        if record.metal_oz is not None and record.weight_g is not None and record.fineness is not None:
            expected = record.weight_g * record.fineness / Decimal("31.1034768")
            if abs(expected - record.metal_oz) > max(Decimal("0.01"), expected * Decimal("0.05")):
                reasons.append(f"metal content {record.metal_oz} oz does not match weight x fineness ({expected:.4f})")
        return reasons

    def validate_price(self, record: PriceRecord) -> list[str]:
        reasons = []
        if record.coin_id is None and record.pcgs_number is None:
            reasons.append("price names no coin")
        for problem in (price_problem(record.price), observation_day_problem(record.observed_on)):
            if problem:
                reasons.append(problem)
        if record.grade not in _GRADES:
            reasons.append(f"grade {record.grade} is not a standard grade")
        return reasons

    def validate_sale(self, record: SaleRecord) -> list[str]:
        """A sale must name its coin, a date, a positive price and its lot (the de-duplication key)."""
        reasons = []
        if record.coin_id is None and record.pcgs_number is None:
            reasons.append("sale names no coin")
        if record.sold_on is None:
            reasons.append(f"sale date {record.date_text!r} is not a date")
        if record.sale_price is None or record.sale_price <= 0:
            reasons.append("sale has no price")
        if record.grade not in _GRADES:
            reasons.append(f"grade {record.grade} is not a standard grade")
        missing = [name for name in ("auction_house", "sale_name", "lot") if not getattr(record, name).strip()]
        if missing:
            reasons.append(f"sale cannot be de-duplicated: no {', '.join(missing)}")
        return reasons


def _grade_numbers() -> frozenset[int]:
    from coinref.catalog.grades import GRADE_NUMBERS

    return GRADE_NUMBERS


_GRADES = _grade_numbers()


def validate_batch(
    records: list, validator: CoinValidator | None = None
) -> tuple[list, list[tuple[object, list[str]]]]:
    """Split records into (valid, [(invalid record, reasons)])."""
    validator = validator or CoinValidator()
    valid, invalid = [], []
    for record in records:
        if isinstance(record, PriceRecord):
            reasons = validator.validate_price(record)
        elif isinstance(record, SaleRecord):
            reasons = validator.validate_sale(record)
        else:
            reasons = validator.validate(record)
        if reasons:
            invalid.append((record, reasons))
        else:
            valid.append(record)
    return valid, invalid
