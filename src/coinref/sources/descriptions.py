"""Reading PCGS coin descriptions ("1909-S 1C VDB, RD") into year, mint, denomination, variety,
designation and strike.

PCGS writes a coin as::

    YEAR[/OVER][-MINT[/MINT2]] [words] DENOMINATION [variety words][, DESIGNATION][ (Proof)]

* ``YEAR/OVER`` is an overdate ("1942/1 10C"): the year is 1942 and the variety gets "42/1", the
  form the catalog uses; ``-D/S`` is a repunched mint mark: the mint is D and the variety gets "D/S".
* The denomination is the first token that is a PCGS denomination code (1C, 5C, H10C, $2.50, ...);
  words between the date and the denomination ("1878 8TF $1") belong to the variety as well.
* After the last comma comes the designation (RD, DCAM, DMPL, FB ...) and possibly a strike word
  (PR, Proof, SP, Specimen, MS). A trailing comma part made of anything else stays in the variety
  ("1795 1/2C Lettered Edge, Pole").
* "(Proof)", "(PR)", "(Specimen)", "(SP)" anywhere give the strike.
* Product words PCGS adds to some bullion names ("Silver Eagle", "Gold Buffalo") are not varieties:
  they go to ``series_hint``.

The strike comes, in this order, from the text itself, the grade prefix the caller saw (a price
guide header "PR65", a spec-search ``prefix``), or the designation (CAM/DCAM mean a proof;
PL/DMPL and the full-strike designations mean a business strike); otherwise it is None and the
matcher applies its own rule (MS unless the name says otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DENOMINATIONS = frozenset({
    "1/2C", "1C", "2C", "3CN", "3CS", "H10C", "5C", "10C", "20C", "25C", "50C", "$1", "T$1", "G$1",
    "$2.50", "$3", "$4", "$5", "$10", "$20", "$25", "$50", "$100",
})
_DENOMINATION_ALIASES = {"$2.5": "$2.50", "$2 1/2": "$2.50", "HALF CENT": "1/2C", "1/2 C": "1/2C", "3C NI": "3CN",
                         "3C SILVER": "3CS", "TRADE$1": "T$1", "$1 TRADE": "T$1"}
DESIGNATIONS = frozenset({"BN", "RB", "RD", "CAM", "DCAM", "PL", "DMPL", "FB", "FS", "FH", "FBL", "FT"})
_DESIGNATION_ALIASES = {
    "UCAM": "DCAM", "DC": "DCAM", "CAMEO": "CAM", "DEEP CAMEO": "DCAM", "ULTRA CAMEO": "DCAM", "RED": "RD",
    "RED BROWN": "RB", "BROWN": "BN", "PROOFLIKE": "PL", "DEEP MIRROR PROOFLIKE": "DMPL",
}
_STRIKE_WORDS = {"PR": "PR", "PF": "PR", "PROOF": "PR", "SP": "SP", "SPECIMEN": "SP", "MS": "MS"}
_PROOF_DESIGNATIONS = frozenset({"CAM", "DCAM"})
_BUSINESS_DESIGNATIONS = frozenset({"PL", "DMPL", "FB", "FS", "FH", "FBL", "FT"})
SERIES_PHRASES = ("Silver Eagle", "Gold Eagle", "Platinum Eagle", "Palladium Eagle", "Gold Buffalo")

_HEAD = re.compile(
    r"^(?P<year>\d{4})(?:/(?P<over>\d{1,4}))?(?:-(?P<mint>[A-Z]{1,2})(?:/(?P<under>[A-Z]{1,2}))?)?(?=\s|,|$)\s*",
)
_PARENS = re.compile(r"\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Description:
    text: str
    year: int | None
    mint_mark: str | None  # None when the text shows no mint letter (Philadelphia, for the matcher)
    denomination: str | None
    variety: str  # "" for none
    designation: str  # "" for the base entry
    strike: str | None  # MS, PR, SP, or None when nothing says
    series_hint: str = ""  # product words that are not a variety ("Silver Eagle")

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, "mint_mark": self.mint_mark, "denomination": self.denomination,
                "variety": self.variety, "designation": self.designation, "strike": self.strike,
                "series_hint": self.series_hint}


def normalize_denomination(text: str | None) -> str | None:
    """A PCGS denomination code from what a page or a search result wrote, or None."""
    if not text:
        return None
    cleaned = _SPACES.sub(" ", text.strip()).upper()
    cleaned = _DENOMINATION_ALIASES.get(cleaned, cleaned)
    return cleaned if cleaned in DENOMINATIONS else None


def normalize_designation(text: str | None) -> str:
    """A designation code ("RD", "DCAM") from a cell or suffix; "" when there is none."""
    if not text:
        return ""
    cleaned = _SPACES.sub(" ", text.strip().strip("+").strip()).upper()
    cleaned = _DESIGNATION_ALIASES.get(cleaned, cleaned)
    return cleaned if cleaned in DESIGNATIONS else ""


def strike_from_prefix(prefix: str | None) -> str | None:
    """MS, PR or SP from a grade prefix ("PF", "PR65", "MS"); None for circulated or unknown prefixes."""
    if not prefix:
        return None
    letters = re.match(r"[A-Za-z]+", prefix.strip())
    return _STRIKE_WORDS.get(letters.group(0).upper()) if letters else None


def _trailing_parts(text: str) -> tuple[str, list[str], str | None]:
    """Peel trailing ", RD" / ", PR DCAM" parts: (rest, designations, strike)."""
    designations: list[str] = []
    strike = None
    while "," in text:
        head, _, tail = text.rpartition(",")
        words = tail.strip()
        if not words:
            text = head
            continue
        found_desig, found_strike, ok = _classify_words(words)
        if not ok:
            break
        designations = found_desig + designations
        strike = strike or found_strike
        text = head
    return text.strip(), designations, strike


def _classify_words(words: str) -> tuple[list[str], str | None, bool]:
    """Designations and a strike in a short phrase, or ok=False when it holds anything else."""
    phrase = words.upper().strip("+ ")
    if phrase in _DESIGNATION_ALIASES or phrase in DESIGNATIONS:
        return [normalize_designation(phrase)], None, True
    designations, strike = [], None
    for token in phrase.split():
        token = token.strip("+")
        if token in _STRIKE_WORDS:
            strike = strike or _STRIKE_WORDS[token]
        elif normalize_designation(token):
            designations.append(normalize_designation(token))
        else:
            return [], None, False
    return designations, strike, True


def _strip_series_phrases(text: str) -> tuple[str, str]:
    hints = []
    for phrase in SERIES_PHRASES:
        pattern = re.compile(rf"\b{re.escape(phrase)}s?\b", re.I)
        if pattern.search(text):
            hints.append(phrase)
            text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" ,"), " ".join(hints)


def parse_description(text: str, prefix: str | None = None) -> Description:
    """Split a PCGS description into its parts (see the module docstring for the grammar).

    ``prefix`` is a grade prefix or strike seen next to the description (e.g. a spec-search
    ``prefix`` of "PR"); it decides the strike when the text itself does not.
    """
    original = _SPACES.sub(" ", (text or "").strip())
    body = original
    strike = None
    for inner in _PARENS.findall(body):
        word = inner.strip().upper()
        if word in _STRIKE_WORDS:
            strike = strike or _STRIKE_WORDS[word]
            body = body.replace(f"({inner})", " ")
    body = _SPACES.sub(" ", body).strip()
    body, designations, trailing_strike = _trailing_parts(body)
    strike = strike or trailing_strike

    year = mint = None
    variety_parts: list[str] = []
    head = _HEAD.match(body)
    if head:
        year = int(head["year"])
        mint = head["mint"]
        if head["over"]:
            over = head["over"]  # the catalog writes overdates as "42/1", "00/79", "18/15"
            variety_parts.append(f"{head['year'][-2:]}/{over if len(over) < 4 else over[-2:]}")
        if head["under"]:
            variety_parts.append(f"{mint}/{head['under']}")
        rest = body[head.end():]
    else:
        rest = body

    denomination = None
    words = rest.split()
    before: list[str] = []
    after: list[str] = []
    for index, word in enumerate(words):
        code = normalize_denomination(word.rstrip(","))
        if code is not None:
            denomination = code
            before, after = words[:index], words[index + 1:]
            break
    else:
        after = words
    variety = " ".join(before + after).strip(" ,")
    variety, series_hint = _strip_series_phrases(variety)
    if variety_parts:
        variety = " ".join([*variety_parts, variety]).strip()

    designation = designations[-1] if designations else ""
    strike = strike or strike_from_prefix(prefix)
    if strike is None and designation in _PROOF_DESIGNATIONS:
        strike = "PR"
    elif strike is None and designation in _BUSINESS_DESIGNATIONS:
        strike = "MS"
    return Description(text=original, year=year, mint_mark=mint, denomination=denomination, variety=variety,
                       designation=designation, strike=strike, series_hint=series_hint)
