"""The reference grade a series is first priced at by the ``pcgs-api`` population source.

One place for the policy: MS65 for most mint-state series, XF40 for early series where mint-state
coins are rare, PR65 for classic proofs, PR69 for modern proofs (1968 on, bullion, commemoratives),
SP69 for burnished/specimen bullion. The setting ``COINREF_REFERENCE_GRADES`` (JSON, series slug ->
grade text such as ``"MS63"``) overrides the mint-state default of a series.
"""

from __future__ import annotations

from coinref.catalog.grades import parse_grade

EARLY_SERIES = frozenset({
    "large-cents", "half-cents", "bust-dimes", "bust-quarters", "bust-half-dollars", "bust-dollars",
    "half-dimes-early", "early-gold",
})
MODERN_PROOF_FROM = 1968


def overrides(settings) -> dict[str, int]:
    """Series slug -> grade number from the settings (validated when the settings load)."""
    return {slug: parse_grade(text).number for slug, text in settings.coinref_reference_grades.items()}


def reference_grade(series: str, strike: str, year: int, custom: dict[str, int] | None = None) -> int:
    if strike == "PR":
        return 69 if year >= MODERN_PROOF_FROM else 65
    if strike == "SP":
        return 69 if year >= 1986 else 65
    custom = custom or {}
    if series in custom:
        return custom[series]
    return 40 if series in EARLY_SERIES else 65
