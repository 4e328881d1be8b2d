"""Codes into words: the one place where the reasons of the analytics become sentences in a language.

The analytics return codes with values (``("recency", {"days": 142, "cadence": 31.0})``), one spelling
whatever the language; this module writes them in English or Slovenian when a page, an export or the
command line shows them:

- client types (DOMAIN §7): ``type_reason_codes`` of :func:`kamcore.analytics.types.classify_types`
  -> ``type_reasons`` ("feeder: 58.5 % of gross profit in the window and a relationship of 6.0 years");
- risk (DOMAIN §8): ``reason_codes`` of :func:`kamcore.analytics.risk.classify_risk` -> ``reasons``
  ("no order for 142 days; usually orders every 31 days");
- win-back actions (DOMAIN §8): ``action_reason_codes`` of :func:`kamcore.analytics.risk.winback_candidates`
  -> ``action_reason``;
- the dossier (DOMAIN §9): risk flags and stored vocabulary codes in words.

Every function is pure and cheap per row; :func:`in_words` turns the code columns of a frame into word
columns, so a caller translates only the rows it shows.
"""
from __future__ import annotations

import math

import pandas as pd

from kamcore.presentation.i18n import fmt_money, fmt_number, fmt_pct, t
from kamcore.settings import CHOICES, DEFAULT, INCIDENT_STAGES, STAGE_NOT_GIVEN

# code column -> word column
COLUMNS = {"type_reason_codes": "type_reasons", "reason_codes": "reasons", "action_reason_codes": "action_reason"}

# client-type reason code -> (the tag it explains, how the reasons of one tag are joined); DOMAIN §7
_TYPE_TAG = {"feeder": "feeder", "feeder_revenue": "feeder", "perspective_new": "perspective",
             "perspective_growth": "perspective", "image_maker": "image_maker", "expert_high": "expert",
             "expert_quality": "expert"}
_TYPE_JOIN = {"feeder": "; ", "perspective": "; ", "image_maker": "; ", "expert": ", "}


# --------------------------------------------------------------------------- numbers of the risk sentences

def _num(text: str, lang: str) -> str:
    """A number written by :func:`_money`, :func:`_days` or :func:`_pct` in ``lang``'s separators."""
    if lang != "sl":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _money(v: float) -> str:
    """4,200 (whole units, thousands separated; rounded to cents first: a sum a hair off .5 shows like .5)."""
    return f"{round(v, 2):,.0f}"


def _days(v: float) -> str:
    """31 or 30.5 (a median of whole days is whole or half)."""
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def _pct(frac: float, threshold: float | None = None) -> str:
    """38 % — with one decimal, cut toward the true side, when rounding would cross ``threshold`` (69.9 %, not 70 %)."""
    text = f"{100 * frac:.0f}"
    if threshold is None or (float(text) >= 100 * threshold) == (frac >= threshold):
        return f"{text} %"
    tenths = math.floor(1000 * frac) if frac < threshold else math.ceil(1000 * frac)
    return f"{tenths / 10:.1f} %"


def _r(key: str, lang: str, **values) -> str:
    return t(f"riskr.{key}", lang, **values)


def stage_word(code: str, lang: str = "en") -> str:
    """A stage code in words ('order_intake' -> 'order intake'); a value outside the closed set as it is."""
    return t(f"vocab.stage.{code}", lang) if code in INCIDENT_STAGES or code == STAGE_NOT_GIVEN else code


def _counts_words(counts, by: str, lang: str) -> str:
    """'delivery 3, warehouse 1': stages in words (re-sorted by count desc, then by the word), categories as
    they are."""
    if by != "stage":
        return ", ".join(f"{name} {n}" for name, n in counts)
    pairs = sorted((-n, stage_word(name, lang)) for name, n in counts)
    return ", ".join(f"{word} {-neg}" for neg, word in pairs)


# --------------------------------------------------------------------------- one row

def type_words(codes, lang: str = "en", currency: str = "EUR") -> str:
    """``type_reason_codes`` of one client in words: 'tag: why' per tag, '; '-joined ('' for none)."""
    if not isinstance(codes, tuple) or not codes:
        return ""
    by_tag: dict[str, list[str]] = {}
    for code, v in codes:
        if code == "feeder":
            text = t("reason.feeder", lang, share=fmt_pct(v["share"], lang), basis=t("basis.profit", lang),
                     years=fmt_number(v["years"], lang, 1))
        elif code == "feeder_revenue":
            text = t("reason.feeder_revenue", lang, share=fmt_pct(v["share"], lang),
                     years=fmt_number(v["years"], lang, 1))
        elif code == "perspective_new":
            text = t("reason.perspective_new", lang, date=v["date"], potential=fmt_money(v["potential"], lang, currency),
                     median=fmt_money(v["median"], lang, currency))
        elif code == "perspective_growth":
            text = t("reason.perspective_growth", lang, growth=fmt_pct(v["growth"], lang, 0),
                     share=fmt_pct(v["share"], lang))
        elif code == "expert_quality":
            text = t("reason.expert_quality", lang, n=v["n"])
        else:                                   # image_maker, expert_high: no values
            text = t(f"reason.{code}", lang)
        by_tag.setdefault(_TYPE_TAG[code], []).append(text)
    return "; ".join(t(f"type.{tag}", lang) + ": " + _TYPE_JOIN[tag].join(parts) for tag, parts in by_tag.items())


def risk_words(codes, lang: str = "en") -> str:
    """``reason_codes`` of one client in words, '; '-joined ('' for none)."""
    if not isinstance(codes, tuple) or not codes:
        return ""
    parts = []
    for code, v in codes:
        if code == "recency":
            parts.append(_r("recency", lang, days=v["days"], cadence=_num(_days(v["cadence"]), lang)))
        elif code == "recency_no_cadence":
            parts.append(_r("recency_no_cadence", lang, days=v["days"], min_days=v["min_days"], months=v["months"],
                            lost=v["lost"]))
        elif code in ("lost_on", "lost_earlier"):
            parts.append(_r(code, lang, day=v["day"]))
        elif code == "declining":
            parts.append(_r("declining", lang, months=v["months"], now=_num(_money(v["now"]), lang),
                            pct=_num(_pct(v["now"] / v["before"], v["threshold"]), lang),
                            before=_num(_money(v["before"]), lang)))
        elif code == "complaints":
            parts.append(_r("complaints", lang, n=v["n"], days=v["days"], before=v["before"],
                            detail=_counts_words(v["counts"], v["by"], lang)))
        elif code == "on_time":
            parts.append(_r("on_time", lang, pct=_num(_pct(v["rate"], v["threshold"]), lang)))
        else:                                   # no_purchase
            parts.append(_r(code, lang))
    return "; ".join(parts)


def action_words(code, lang: str = "en") -> str:
    """``action_reason_codes`` of one win-back candidate in words ('' for none)."""
    if not isinstance(code, tuple) or not code:
        return ""
    name, v = code
    if name == "meeting_service":
        what = [_r("act_complaints", lang, n=w["n"], days=w["days"]) if kind == "complaints"
                else _r("act_late", lang, pct=_num(_pct(w["rate"], w["threshold"]), lang)) for kind, w in v["what"]]
        return _r("act_meeting_service", lang, what=_r("and", lang).join(what))
    if name == "discount":
        return _r("act_discount", lang, margin=_num(_pct(v["margin"]), lang), pct=_num(_pct(v["ratio"]), lang))
    worth = _num(_money(v["worth"]), lang)
    if name == "gift":
        return _r("act_gift", lang, years=_num(f"{v['years']:.1f}", lang), worth=worth)
    return _r(f"act_{name}", lang, label=_r(v["label"], lang), worth=worth)     # offer, meeting_late


# --------------------------------------------------------------------------- frames

def in_words(frame: pd.DataFrame, lang: str = "en", currency: str = "EUR") -> pd.DataFrame:
    """``frame`` (not changed) with every code column of :data:`COLUMNS` it has replaced, at its place, by its
    word column (``reason_codes`` -> ``reasons`` …); a frame without code columns is returned as it is."""
    present = [c for c in COLUMNS if c in frame.columns]
    if not present:
        return frame
    out = frame.copy(deep=False)
    for col in present:
        out[col] = words_of(frame[col], col, lang, currency)
    return out.rename(columns={c: COLUMNS[c] for c in present})


_WORDS: dict = {}            # (column, lang, currency, frozen codes) -> words, kept across page runs
_WORDS_MAX = 200_000         # entries; the memo starts afresh beyond it


def _frozen(value):
    """A hashable copy of a reason code value (dicts become sorted item tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def words_of(codes: pd.Series, column: str, lang: str = "en", currency: str = "EUR") -> pd.Series:
    """One code column (a key of :data:`COLUMNS`) in words, same index; each distinct row written once, and
    remembered for the next run of a page (the same rows are shown again after every click)."""
    write = {"type_reason_codes": lambda c: type_words(c, lang, currency), "reason_codes": lambda c: risk_words(c, lang),
             "action_reason_codes": lambda c: action_words(c, lang)}[column]
    if len(_WORDS) > _WORDS_MAX:
        _WORDS.clear()
    out = []
    for c in codes.tolist():
        try:
            key = (column, lang, currency, _frozen(c))
            words = _WORDS.get(key)
        except TypeError:                      # a value that cannot be a key: written every time
            key, words = None, None
        if words is None:
            words = write(c)
            if key is not None:
                _WORDS[key] = words
        out.append(words)
    return pd.Series(out, index=codes.index, dtype=str)


# --------------------------------------------------------------------------- the dossier

def vocabulary_words(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``frame`` with the stored codes of its closed-vocabulary columns (settings.CHOICES: buying_role, attitude,
    stage, status, requirements) in words (i18n ``vocab.<column>.<code>``); other values as they are."""
    out = frame.copy()
    for col in set(CHOICES) & set(out.columns):
        words = {c: t(f"vocab.{col}.{c}", lang) for c in CHOICES[col]}
        out[col] = pd.Series([words.get(v, v) if isinstance(v, str) else v for v in out[col]], index=out.index,
                             dtype=object)
    return out


def risk_flags(row: dict, lang: str = "en", on_time_min: float = DEFAULT.on_time_min) -> list[str]:
    """Flags of a risk row (status lost/lapsing, declining, complaints rising, late deliveries) as
    short texts; the reasons in words with numbers come from the row's ``reason_codes``."""
    flags = []
    status = row.get("status")
    if isinstance(status, str) and status in ("lost", "lapsing"):
        earlier = status == "lost" and not bool(row.get("lost_in_window", True))
        flags.append(t("dossier.flag_lost_earlier" if earlier else f"dossier.flag_{status}", lang))
    late = row.get("late_deliveries")
    if late is None and row.get("on_time_rate") is not None and not pd.isna(row.get("on_time_rate")):
        late = float(row["on_time_rate"]) < on_time_min
    for col, v in (("declining", row.get("declining")), ("complaints_rising", row.get("complaints_rising")),
                   ("late_deliveries", late)):
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and bool(v):
            flags.append(t(f"dossier.flag_{col}", lang))
    return flags
