"""The PCGS Sheldon grades (pcgs-api.md section 7) and grade-string parsing.

A grade is a number; the prefix (PO, FR, AG, G, VG, F, VF, XF, AU, MS/PR/SP) is derived from the
number and the strike. Plus grades exist from 45 to 68. ``parse_grade`` reads what people and PCGS
write: ``65``, ``MS65``, ``64+``, ``MS64+``, ``PR70DCAM``, ``PF69 UCAM``, ``G04``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coinref.errors import InvalidInput

# number -> (circulated label, adjectival name)
_CIRCULATED = {
    1: ("PO", "Poor"),
    2: ("FR", "Fair"),
    3: ("AG", "About Good"),
    4: ("G", "Good"),
    6: ("G", "Good"),
    8: ("VG", "Very Good"),
    10: ("VG", "Very Good"),
    12: ("F", "Fine"),
    15: ("F", "Fine"),
    20: ("VF", "Very Fine"),
    25: ("VF", "Very Fine"),
    30: ("VF", "Very Fine"),
    35: ("VF", "Very Fine"),
    40: ("XF", "Extremely Fine"),
    45: ("XF", "Extremely Fine"),
    50: ("AU", "About Uncirculated"),
    53: ("AU", "About Uncirculated"),
    55: ("AU", "About Uncirculated"),
    58: ("AU", "About Uncirculated"),
}
_UNC_NAMES = {
    60: "Uncirculated",
    61: "Uncirculated",
    62: "Uncirculated",
    63: "Choice Uncirculated",
    64: "Choice Uncirculated",
    65: "Gem Uncirculated",
    66: "Gem Uncirculated",
    67: "Superb Gem Uncirculated",
    68: "Superb Gem Uncirculated",
    69: "Superb Gem Uncirculated",
    70: "Perfect Uncirculated",
}
PLUS_MIN, PLUS_MAX = 45, 68
STRIKE_PREFIXES = ("MS", "PR", "SP")
DESIGNATIONS = ("BN", "RB", "RD", "CAM", "DCAM", "PL", "DMPL", "FB", "FS", "FH", "FBL", "FT")
_PREFIX_ALIASES = {"PF": "PR", "EF": "XF", "UNC": "MS", "BU": "MS", "UCAM": "DCAM"}
_DESIG_ALIASES = {"UCAM": "DCAM", "DC": "DCAM", "UC": "DCAM", "CA": "CAM", "RED": "RD", "BROWN": "BN"}


@dataclass(frozen=True)
class GradeInfo:
    number: int
    label: str
    name: str
    prefixes: tuple[str, ...]
    plus_allowed: bool

    def as_dict(self) -> dict[str, object]:
        labels = [f"{p}{self.number:02d}" if self.number < 10 else f"{p}{self.number}" for p in self.prefixes]
        return {
            "number": self.number,
            "label": self.label,
            "name": self.name,
            "prefixes": list(self.prefixes),
            "labels": labels,
            "plus_allowed": self.plus_allowed,
        }


def standard_grades() -> list[GradeInfo]:
    grades = []
    for number, (label, name) in _CIRCULATED.items():
        prefixes = (label,) if number < 60 else STRIKE_PREFIXES
        # proofs and specimens are also graded below 60 (impaired proofs): PR/SP prefixes apply too
        if number >= 4:
            prefixes = (label, "PR", "SP")
        grades.append(GradeInfo(number, label, name, prefixes, PLUS_MIN <= number <= PLUS_MAX))
    for number, name in _UNC_NAMES.items():
        grades.append(GradeInfo(number, "MS", name, STRIKE_PREFIXES, PLUS_MIN <= number <= PLUS_MAX))
    return grades


GRADE_NUMBERS = frozenset(g.number for g in standard_grades())
_BY_NUMBER = {g.number: g for g in standard_grades()}


@dataclass(frozen=True)
class ParsedGrade:
    number: int
    plus: bool
    prefix: str  # "" when the text gave none
    designation: str

    @property
    def text(self) -> str:
        prefix = self.prefix or grade_label(self.number, "MS")
        return f"{prefix}{self.number}{'+' if self.plus else ''}{self.designation}"


# ASCII only: "٦٥" (Arabic-Indic digits) is not a grade number. A dash separates a prefix from the
# number ("MS-65") and is never a sign: "-1" is not a grade.
_GRADE_RE = re.compile(r"^\s*(?:([A-Za-z]+)\s*-?\s*)?([0-9]{1,2})\s*(\+?)\s*([A-Za-z]*)\s*(\+?)\s*$", re.ASCII)


def parse_grade(text: str) -> ParsedGrade:
    """Parse a grade string; raise InvalidInput when it is not a standard PCGS grade."""
    match = _GRADE_RE.match(text or "")
    if not match:
        raise InvalidInput(f"not a grade: {text!r} (expected e.g. 65, MS65, 64+, PR70DCAM)")
    prefix, num, plus1, desig, plus2 = match.groups()
    prefix = prefix or ""
    prefix = _PREFIX_ALIASES.get(prefix.upper(), prefix.upper())
    number = int(num)
    plus = bool(plus1 or plus2)
    desig = _DESIG_ALIASES.get(desig.upper(), desig.upper())
    if number not in GRADE_NUMBERS:
        raise InvalidInput(f"{number} is not a standard PCGS grade number")
    info = _BY_NUMBER[number]
    if prefix and prefix not in info.prefixes and prefix not in STRIKE_PREFIXES:
        raise InvalidInput(f"prefix {prefix} does not go with grade {number}")
    if plus and not info.plus_allowed:
        raise InvalidInput(f"plus grades exist only from {PLUS_MIN} to {PLUS_MAX}, not {number}")
    if desig and desig not in DESIGNATIONS:
        raise InvalidInput(f"unknown designation {desig!r}")
    return ParsedGrade(number, plus, prefix, desig)


def grade_label(number: int, strike: str = "MS") -> str:
    """The prefix PCGS prints for a grade number on a coin of the given strike."""
    if number >= 60 or strike in ("PR", "SP"):
        return strike if strike in STRIKE_PREFIXES else "MS"
    return _BY_NUMBER[number].label if number in _BY_NUMBER else "MS"
