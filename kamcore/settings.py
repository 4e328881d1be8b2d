"""Every threshold of the method in one place (DOMAIN.md), with its default.

Functions take a :class:`Settings` (or single values) as arguments; the
defaults live only here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, replace

BASES = ("revenue", "profit")
PERIODS = ("month", "quarter")
ABC_CLASSES = ("A", "B", "C", "-")            # "-" = not ranked (value <= 0)
XYZ_CLASSES = ("X", "Y", "Z", "new", "-")     # new = < 3 periods, "-" = mean <= 0
CLIENT_TYPES = ("feeder", "perspective", "image_maker", "expert", "standard")
WINBACK_STATUSES = ("open", "contacted", "won_back", "given_up")

# Closed vocabularies of the stored data (DOMAIN.md §1): each value is stored as ONE snake_case code, whoever
# writes it (an import, an edit, the demo); kamcore.i18n words the codes ("vocab.<column>.<code>").
BUYING_ROLES = ("decision_maker", "influencer", "buyer", "user", "gatekeeper")
ATTITUDES = ("supporter", "neutral", "opponent")
INCIDENT_STAGES = ("order_intake", "warehouse", "delivery", "invoicing", "quality", "service")
STAGE_NOT_GIVEN = "not_given"                 # how analytics group an incident without a stage
TENDER_STATUSES = ("won", "lost", "open")
REQUIREMENTS = ("standard", "high")
CHOICES: dict[str, tuple[str, ...]] = {"buying_role": BUYING_ROLES, "attitude": ATTITUDES, "stage": INCIDENT_STAGES,
                                       "status": TENDER_STATUSES, "requirements": REQUIREMENTS}
# Accepted input spellings besides the codes themselves, English and Slovenian, by spelling key (see
# :func:`spelling_key`: lower case, no diacritics, letters and digits only) -> code. Any case, spaces,
# "_" or "-" and a plural "s" are accepted anyway ("Decision makers", "decision-maker", "DECISION_MAKER").
CHOICE_SPELLINGS: dict[str, dict[str, str]] = {
    "status": {"win": "won", "dobljen": "won", "dobljeno": "won", "zmaga": "won",
               "loss": "lost", "izgubljen": "lost", "izgubljeno": "lost",
               "pending": "open", "odprt": "open", "odprto": "open", "vteku": "open"},
    "requirements": {"normal": "standard", "standardne": "standard", "obicajne": "standard",
                     "visoke": "high", "zahtevne": "high", "zahteven": "high"},
    "stage": {"order": "order_intake", "prevzemnarocila": "order_intake", "narocilo": "order_intake",
              "skladisce": "warehouse", "dostava": "delivery", "fakturiranje": "invoicing", "racun": "invoicing",
              "kakovost": "quality", "servis": "service"},
    "buying_role": {"odlocevalec": "decision_maker", "vplivnez": "influencer", "kupec": "buyer",
                    "nabavnik": "buyer", "uporabnik": "user", "vratar": "gatekeeper"},
    "attitude": {"podpornik": "supporter", "nevtralen": "neutral", "nasprotnik": "opponent"},
}


def spelling_key(text: object) -> str:
    """``"Odločevalec "`` -> ``"odlocevalec"``: lower case, no diacritics, letters and digits only."""
    s = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", s.lower())


def choice_code(column: str, value: object) -> str | None:
    """The stored code of ``value`` in the closed vocabulary of ``column`` (:data:`CHOICES`), from any accepted
    spelling ("Decision maker", "decision_maker", "decision-makers", "odločevalec" -> "decision_maker");
    None for an empty or unknown value. The one reading of these columns for imports and edits."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    spellings = {spelling_key(c): c for c in CHOICES[column]}
    spellings.update(CHOICE_SPELLINGS.get(column, {}))
    key = spelling_key(value)
    if key in spellings:
        return spellings[key]
    return spellings.get(key[:-1]) if key.endswith("s") else None
ACTIONS = ("special_offer", "discount", "gift", "meeting")

ABC_PRESETS = {"80/95": (0.80, 0.95), "70/90": (0.70, 0.90), "50/80": (0.50, 0.80)}
XYZ_PRESETS = {"B2B monthly": (0.5, 1.0), "classic": (0.10, 0.25)}

STRATEGIES = {
    ("A", "X"): "core key clients: retain, long-term contracts, plan supply",
    ("A", "Y"): "key but seasonal: forecast, smooth ordering",
    ("A", "Z"): "large but sporadic: find out why, convert to regular",
    ("B", "X"): "stable: develop toward A, upsell",
    ("B", "Y"): "standard management, develop",
    ("B", "Z"): "activate, find the cause of irregularity",
    ("C", "X"): "small regular: serve at low cost, automate",
    ("C", "Y"): "low touch",
    ("C", "Z"): "minimal effort, tighter terms",
}


@dataclass(frozen=True)
class Settings:
    """Thresholds of DOMAIN.md §2–§10. Immutable; use ``replace`` to change."""

    # §1 data
    profit_coverage_min: float = 0.95     # by-profit analysis needs this share of revenue on lines with known profit
    # §2 window
    months: int = 12
    period: str = "month"
    # §3 ABC
    basis: str = "revenue"
    abc_a: float = 0.80
    abc_b: float = 0.95
    # §4 XYZ
    xyz_x: float = 0.5
    xyz_y: float = 1.0
    xyz_min_periods: int = 3
    # §6 key clients and concentration
    key_share: float = 0.50
    # §5 migration: months between the window and the previous one (None: the window length)
    migration_shift: int | None = None
    key_band: tuple[float, float] = (0.30, 0.55)
    flag_client_share: float = 0.10
    flag_top5_share: float = 0.25
    # §7 client types
    feeder_share: float = 0.10
    feeder_years: float = 2.0
    perspective_months: int = 12
    perspective_growth: float = 0.50
    perspective_min_share: float = 0.01
    perspective_prospect_score: int = 5
    expert_quality_incidents: int = 3
    # §8 risk
    lost_days: int = 180
    lost_factor: float = 3.0
    lapsing_factor: float = 2.0
    lapse_floor_days: int = 21        # M: lapsing needs recency > max(2·cadence, M)
    cadence_months: int = 24
    cadence_min_days: int = 3
    decline_months: int = 3
    decline_ratio: float = 0.70
    complaints_days: int = 90
    complaints_min: int = 2
    on_time_min: float = 0.90
    no_signal_p: float = 0.99
    no_signal_share: float = 0.95
    # §9 prospects
    prospect_qualified: int = 5
    # §10 managers
    contact_recent_days: int = 90

    def __post_init__(self):
        problems = []
        if self.basis not in BASES:
            problems.append(f"basis must be one of {', '.join(BASES)}, not {self.basis!r}")
        if self.period not in PERIODS:
            problems.append(f"period must be one of {', '.join(PERIODS)}, not {self.period!r}")
        if not 1 <= self.months <= 120:
            problems.append(f"window must be 1 to 120 months, not {self.months}")
        if not 0 <= self.profit_coverage_min <= 1:
            problems.append(f"profit coverage minimum must be in [0, 1], not {self.profit_coverage_min}")
        if self.migration_shift is not None and not 1 <= self.migration_shift <= 120:
            problems.append(f"migration shift must be 1 to 120 months, not {self.migration_shift}")
        if not 0 < self.feeder_share <= 1:
            problems.append(f"feeder share must be in (0, 1], not {self.feeder_share}")
        if not 0 < self.on_time_min <= 1:
            problems.append(f"on-time minimum must be in (0, 1], not {self.on_time_min}")
        if self.period == "quarter" and self.months % 3:
            problems.append(f"a quarterly XYZ needs a window in whole quarters, not {self.months} months")
        if not 0 < self.abc_a < self.abc_b <= 1:
            problems.append(f"ABC cut-offs must satisfy 0 < A < B <= 1, not {self.abc_a}/{self.abc_b}")
        if not 0 <= self.xyz_x < self.xyz_y:
            problems.append(f"XYZ thresholds must satisfy 0 <= X < Y, not {self.xyz_x}/{self.xyz_y}")
        if not 0 < self.key_share <= 1:
            problems.append(f"key-client share must be in (0, 1], not {self.key_share}")
        if not 1 <= self.lost_days <= 3650:
            problems.append(f"lost after must be 1 to 3650 days, not {self.lost_days}")
        if not 0 <= self.lapse_floor_days <= 3650:
            problems.append(f"the lapsing floor must be 0 to 3650 days, not {self.lapse_floor_days}")
        if problems:
            raise ValueError("; ".join(problems))

    def xyz_periods(self) -> int:
        """Periods of the window XYZ counts (§4): months, or quarters."""
        return self.months // (3 if self.period == "quarter" else 1)

    def xyz_too_short(self) -> bool:
        """True when no client can reach ``xyz_min_periods`` periods in the window (every XYZ class 'new')."""
        return self.xyz_periods() < self.xyz_min_periods

    def with_(self, **changes) -> "Settings":
        """A copy with some values changed (validated)."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT = Settings()

# -- batches: the unknown columns an import keeps ("keep the extra columns as text", DOMAIN.md §1, issue 14).
# They go to the one JSON column ``extra`` of the table (no import changes the schema): the first
# EXTRA_MAX_KEYS unknown columns of the file, and per row at most EXTRA_MAX_BYTES of JSON. The excess is
# dropped and the batch says so (a note in the result and in the batch record); the rest of the row is imported.
EXTRA_MAX_KEYS = 64
EXTRA_MAX_BYTES = 8192

# -- import and edit validation (DOMAIN.md §1): what an import or a hand edit refuses
MAX_ABS_AMOUNT = 1e12        # a number whose absolute value is this or more is a problem (typing slips, 1e308)
