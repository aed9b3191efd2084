"""Attention texts and tags: from a station's configuration and a guest's fields,
all from outside, so bounded and never an error."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from doorcheck.domain.attention import (
    MAX_ATTENTION,
    MAX_RULES,
    MAX_TAGS,
    MAX_TEXT,
    AnswerRules,
    one_line,
)
from doorcheck.domain.guest import Guest

VIP_RULE = {"field": "customField1", "value": "VIP", "text": "VIP: walk them to the lounge"}


def guest(**fields: Any) -> Guest:
    return Guest(id="g", fields={"firstName": "Jane", "lastName": "Doe", **fields})


def test_a_rule_matches_a_field_or_a_list_holding_the_value_in_any_case() -> None:
    rules = AnswerRules.from_configuration({"attention": [VIP_RULE]})
    assert rules.refused == ()
    assert rules.attention(guest(customField1=" vip ")) == ("VIP: walk them to the lounge",)
    assert rules.attention(guest(customField1=["Press", "VIP"])) == (
        "VIP: walk them to the lounge",
    )
    assert rules.attention(guest(customField1="VIPs")) == ()
    assert rules.attention(guest()) == ()


def test_the_guests_own_attention_text_comes_first_as_one_clean_line() -> None:
    rules = AnswerRules.from_configuration({"attention": [VIP_RULE]})
    flagged = guest(attention="Wheelchair user:\n\topen the side gate\x07", customField1="VIP")
    assert rules.attention(flagged) == (
        "Wheelchair user: open the side gate",
        "VIP: walk them to the lounge",
    )
    assert rules.attention(guest(attention=["not", "text"])) == ()


def test_broken_rules_are_refused_with_a_reason_and_the_good_ones_kept() -> None:
    rules = AnswerRules.from_configuration(
        {
            "attention": [
                VIP_RULE,
                {"field": "x"},
                "VIP",
                {"field": "", "value": "a", "text": "b"},
            ],
            "tagFields": ["customField47", 7, "x" * 500, "customField47"],
        }
    )
    assert [r.text for r in rules.rules] == ["VIP: walk them to the lounge"]
    assert rules.tag_fields == ("customField47",)
    assert len(rules.refused) == 5
    assert AnswerRules.from_configuration({"attention": "VIP"}).refused == (
        "attention is not a list",
    )
    assert AnswerRules.from_configuration(None) == AnswerRules()


def test_tags_come_from_the_tag_fields_or_else_every_list_field() -> None:
    jane = guest(customField1="VIP", customField47=["vegan", "nut allergy"], customField2=["x"])
    assert AnswerRules().tags(jane) == ("vegan", "nut allergy", "x")
    chosen = AnswerRules.from_configuration({"tagFields": ["customField1", "customField47"]})
    assert chosen.tags(jane) == ("VIP", "vegan", "nut allergy")


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=300),
        lambda inner: st.lists(inner, max_size=80) | st.dictionaries(st.text(max_size=20), inner),
        max_leaves=120,
    ),
    st.dictionaries(
        st.sampled_from(["attention", "customField1", "customField47", "notes"]),
        st.text(max_size=400) | st.lists(st.text(max_size=400), max_size=30),
    ),
)
def test_any_configuration_and_any_guest_give_a_bounded_answer(
    configuration: object, fields: dict[str, Any]
) -> None:
    rules = AnswerRules.from_configuration(
        configuration
        if not isinstance(configuration, dict)
        else {"attention": configuration.get("a", [VIP_RULE] * 70), **configuration}
    )
    assert len(rules.rules) <= MAX_RULES
    someone = guest(**fields)
    texts = rules.attention(someone)
    tags = rules.tags(someone)
    assert len(texts) <= MAX_ATTENTION and len(tags) <= MAX_TAGS
    for text in (*texts, *tags):
        assert text and len(text) <= MAX_TEXT and text.isprintable() and text == text.strip()


def test_one_line_clips_long_text_with_an_ellipsis() -> None:
    assert one_line("a" * 500) == "a" * (MAX_TEXT - 1) + "\u2026"
    assert one_line(None) == ""
