"""kamcore.presentation.reasons: the codes of the analytics (DOMAIN §7, §8) in words, English and Slovenian."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamcore.presentation import reasons

RECENCY = (("recency", {"days": 142, "cadence": 31.0}), ("lost_earlier", {"day": "2026-03-05"}))
DECLINE = (("declining", {"months": 3, "now": 4803.0, "before": 12000.0, "threshold": 0.7}),)
COMPLAINTS = (("complaints", {"n": 3, "days": 90, "before": 1, "by": "stage",
                              "counts": (("not_given", 2), ("order_intake", 2), ("delivery", 1))}),)


@pytest.mark.parametrize("codes, lang, words", [
    (RECENCY, "en", "no order for 142 days; usually orders every 31 days; lost since 2026-03-05, before the window"),
    (RECENCY, "sl", "brez naročila 142 dni; običajno naroča vsakih 31 dni; izgubljena od 2026-03-05, pred obdobjem"),
    # 4,803 / 12,000 = 40.0 %; thousands with a comma in English, a dot in Slovenian
    (DECLINE, "en", "revenue in the last 3 months 4,803 is 40 % of the same months a year earlier (12,000)"),
    (DECLINE, "sl", "prihodki v zadnjih 3 mesecih 4.803 so 40 % istih mesecev leto prej (12.000)"),
    # stages in words, re-sorted by count, then by the word of the language
    (COMPLAINTS, "en", "3 complaints in the last 90 days vs 1 before (not given 2, order intake 2, delivery 1)"),
    (COMPLAINTS, "sl", "3 reklamacij v zadnjih 90 dneh, prej 1 (ni podano 2, prevzem naročila 2, dostava 1)"),
    ((("on_time", {"rate": 0.699, "threshold": 0.7}),), "en", "on time 69.9 % of deliveries"),   # not "70 %"
    ((), "en", ""),
], ids=["recency-en", "recency-sl", "decline-en", "decline-sl", "complaints-en", "complaints-sl", "on-time", "none"])
def test_risk_words(codes, lang, words):
    assert reasons.risk_words(codes, lang) == words


TYPES = (("feeder", {"share": 0.105, "years": 2.04}), ("expert_high", {}), ("expert_quality", {"n": 3}))


@pytest.mark.parametrize("lang, words", [
    ("en", "feeder: 10.5 % of gross profit in the window and a relationship of 2.0 years; "
           "expert: high requirements, 3 quality incidents in the window"),
    ("sl", "hranitelj: 10,5 % bruto dobiček v obdobju in sodelovanje 2,0 let; "
           "strokovnjak: visoke zahteve, 3 reklamacij kakovosti v obdobju"),
])
def test_type_words_group_the_reasons_of_one_tag(lang, words):
    assert reasons.type_words(TYPES, lang) == words


def test_type_words_of_a_new_client_with_potential():
    codes = (("perspective_new", {"date": "2024-06-01", "potential": 4000.0, "median": 4000.0}),)
    assert reasons.type_words(codes, "en") == \
        "high potential: first purchase 2024-06-01; potential €4,000 ≥ median key client €4,000 a year"
    assert reasons.type_words(codes, "sl") == \
        "perspektivna stranka: prvi nakup 2024-06-01; potencial 4.000 € ≥ mediana ključnih strank 4.000 € na leto"


@pytest.mark.parametrize("code, lang, words", [
    (("offer", {"label": "class_a", "worth": 90000.0}), "en",
     "a lost class A client worth 90,000 a year: make a special offer"),
    (("offer", {"label": "key", "worth": 50000.0}), "sl",
     "izgubljena stranka (ključna), vredna 50.000 na leto: pripravite posebno ponudbo"),
    (("meeting_service", {"what": (("complaints", {"n": 3, "days": 90}), ("late", {"rate": 0.6, "threshold": 0.9}))}),
     "en", "meet the client to fix the service first: 3 complaints in the last 90 days and only 60 % of deliveries "
           "on time"),
    (("gift", {"years": 3.0, "worth": 7500.0}), "sl", "darilo z osebnim klicem: 3,0 let sodelovanja, vrednih 7.500 na leto"),
], ids=["offer-en", "offer-sl", "service-en", "gift-sl"])
def test_action_words(code, lang, words):
    assert reasons.action_words(code, lang) == words


def test_in_words_replaces_the_code_columns_in_place_and_leaves_the_input():
    codes = np.empty(2, dtype=object)
    codes[0], codes[1] = (("no_purchase", {}),), ()
    frame = pd.DataFrame({"client_id": ["a", "b"], "reason_codes": codes, "revenue": [1.0, 2.0]})
    got = reasons.in_words(frame, "sl")
    assert list(got.columns) == ["client_id", "reasons", "revenue"]
    assert got["reasons"].tolist() == ["ni zabeleženega nakupa (samo vračila ali vrstice brez vrednosti)", ""]
    assert list(frame.columns) == ["client_id", "reason_codes", "revenue"]
    plain = pd.DataFrame({"x": [1]})
    assert reasons.in_words(plain) is plain


def test_money_is_rounded_to_cents_before_whole_units():
    assert reasons._money(224214.50000000003) == reasons._money(224214.5) == "224,214"


def test_risk_flags():
    row = {"status": "lost", "declining": False, "complaints_rising": True, "late_deliveries": np.nan}
    assert reasons.risk_flags(row) == ["lost: no purchase for too long", "complaints rising"]
    assert reasons.risk_flags(row, "sl") == ["izgubljena: predolgo brez nakupa", "naraščajoče reklamacije"]


def test_risk_flags_say_lost_in_the_window_or_earlier():
    row = {"status": "lost", "lost_on": pd.Timestamp("2026-03-05"), "lost_in_window": True}
    assert reasons.risk_flags(row) == ["lost: no purchase for too long"]
    assert reasons.risk_flags({**row, "lost_in_window": False}) == ["lost before the window"]


def test_stored_codes_in_words_for_the_printable_dossier():
    frame = pd.DataFrame({"buying_role": ["decision_maker", "janitor", None], "stage": ["order_intake", None, "x"],
                          "name": ["decision_maker", "b", "c"]})
    en = reasons.vocabulary_words(frame, "en")
    assert en["buying_role"].tolist()[:2] == ["decision maker", "janitor"]   # outside the set: as stored
    assert en["stage"].tolist()[::2] == ["order intake", "x"]
    assert en["buying_role"].isna().tolist() == [False, False, True] and en["stage"].isna().tolist()[1]
    assert en["name"].tolist() == ["decision_maker", "b", "c"]                # not a vocabulary column
    assert reasons.vocabulary_words(frame, "sl")["buying_role"].tolist()[0] == "odločevalec"
    assert frame["buying_role"].tolist()[0] == "decision_maker"               # the input is left as it is


def test_words_are_remembered_per_language_and_the_same_as_written_afresh():
    """words_of keeps the words of a row across page runs: the second call gives the same words, the other
    language its own, and a memo that starts afresh changes nothing."""
    import pandas as pd

    from kamcore.presentation import reasons as rs

    codes = pd.Series([(("recency", {"days": 142, "cadence": 31.0}),), (), (("recency", {"days": 142, "cadence": 31.0}),)])
    first = rs.words_of(codes, "reason_codes", "en")
    again = rs.words_of(codes, "reason_codes", "en")
    slovene = rs.words_of(codes, "reason_codes", "sl")
    rs._WORDS.clear()
    fresh = rs.words_of(codes, "reason_codes", "en")
    assert first.tolist() == again.tolist() == fresh.tolist()
    assert first[0] == first[2] != slovene[0] and first[1] == ""
    assert "142" in first[0] and "142" in slovene[0]
