"""Every threshold of the method in one place (DOMAIN.md), with its default.

Functions take a :class:`Settings` (or single values) as arguments; the
defaults live only here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

BASES = ("revenue", "profit")
PERIODS = ("month", "quarter")
ABC_CLASSES = ("A", "B", "C", "-")            # "-" = not ranked (value <= 0)
XYZ_CLASSES = ("X", "Y", "Z", "new", "-")     # new = < 3 periods, "-" = mean <= 0
CLIENT_TYPES = ("feeder", "perspective", "image_maker", "expert", "standard")
STATUSES = ("active", "lapsing", "lost", "inactive")
WINBACK_STATUSES = ("open", "contacted", "won_back", "given_up")
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

    def with_(self, **changes) -> "Settings":
        """A copy with some values changed (validated)."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT = Settings()
