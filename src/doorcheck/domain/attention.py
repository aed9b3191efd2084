"""What a steward must not miss about a guest: attention texts and tags.

Both are doorcheck's additions to the station protocol (docs/protocol.md): a guest's
``attention`` field ("Wheelchair user: open the side gate"), and in the station's
login configuration, ``attention`` rules (a field's value gives a text: every
``customField1`` of ``VIP`` reads "VIP: escort to the lounge") and ``tagFields``
(the fields whose values the door shows as tags). Everything here comes from
outside: it is bounded, and what does not fit is dropped with a reason, never
an error that stops the door.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from doorcheck.domain.guest import Guest

ATTENTION_FIELD = "attention"  # the guest's own attention text (our field)
MAX_RULES = 50
MAX_TAG_FIELDS = 20
MAX_FIELD_NAME = 64
MAX_TEXT = 200  # an attention text or a rule's value, in characters
MAX_TAGS = 8  # shown on one answer; more would not be read at a glance
MAX_ATTENTION = 3  # texts on one answer


def one_line(value: object, limit: int = MAX_TEXT) -> str:
    """Text from outside as one printable line of at most ``limit`` characters
    (control characters and runs of white space become one space)."""
    if not isinstance(value, str):
        return ""
    text = " ".join("".join(c if c.isprintable() else " " for c in value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@dataclass(frozen=True, slots=True)
class AttentionRule:
    """A guest whose ``field`` is (or, for a list, holds) ``value`` needs ``text``."""

    field: str
    value: str
    text: str

    def matches(self, guest: Guest) -> bool:
        held = guest.fields.get(self.field)
        wanted = self.value.casefold()
        if isinstance(held, list):
            return any(isinstance(v, str) and v.strip().casefold() == wanted for v in held)
        return isinstance(held, str) and held.strip().casefold() == wanted


@dataclass(frozen=True, slots=True)
class AnswerRules:
    """The station's attention rules and tag fields, as its login configuration said."""

    rules: tuple[AttentionRule, ...] = ()
    tag_fields: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # why parts of the configuration were not used

    @classmethod
    def from_configuration(cls, configuration: object) -> AnswerRules:
        if not isinstance(configuration, Mapping):
            return cls()
        refused: list[str] = []
        rules: list[AttentionRule] = []
        raw_rules = configuration.get("attention")
        if raw_rules is not None and not isinstance(raw_rules, list):
            refused.append("attention is not a list")
            raw_rules = []
        for index, raw in enumerate(raw_rules or []):
            if len(rules) == MAX_RULES:
                refused.append(f"more than {MAX_RULES} attention rules: the rest are ignored")
                break
            rule = _rule(raw)
            if rule is None:
                refused.append(f"attention rule {index + 1} is not a field, value and text")
            else:
                rules.append(rule)
        tag_fields: list[str] = []
        raw_tags = configuration.get("tagFields")
        if raw_tags is not None and not isinstance(raw_tags, list):
            refused.append("tagFields is not a list")
            raw_tags = []
        for raw in raw_tags or []:
            name = _field_name(raw)
            if name is None:
                refused.append("a tag field is not a field name")
            elif len(tag_fields) < MAX_TAG_FIELDS and name not in tag_fields:
                tag_fields.append(name)
        return cls(tuple(rules), tuple(tag_fields), tuple(refused))

    def attention(self, guest: Guest) -> tuple[str, ...]:
        """The guest's own attention text, then each matching rule's, at most three."""
        texts: list[str] = []
        own = one_line(guest.fields.get(ATTENTION_FIELD))
        if own:
            texts.append(own)
        for rule in self.rules:
            if rule.matches(guest) and rule.text not in texts:
                texts.append(rule.text)
        return tuple(texts[:MAX_ATTENTION])

    def tags(self, guest: Guest) -> tuple[str, ...]:
        """The values of the tag fields; without any set, of every custom field that
        holds a list (the protocol's way of giving a guest several labels)."""
        keys = self.tag_fields or tuple(
            k
            for k, v in guest.fields.items()
            if k.startswith("customField") and isinstance(v, list)
        )
        tags: list[str] = []
        for key in keys:
            value = guest.fields.get(key)
            for item in value if isinstance(value, list) else [value]:
                tag = one_line(item, 40)
                if tag and tag not in tags:
                    tags.append(tag)
        return tuple(tags[:MAX_TAGS])


def _field_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.strip()
    if not name or len(name) > MAX_FIELD_NAME or not name.isprintable():
        return None
    return name


def _rule(raw: object) -> AttentionRule | None:
    if not isinstance(raw, Mapping):
        return None
    field = _field_name(raw.get("field"))
    value = one_line(raw.get("value"))
    text = one_line(raw.get("text"))
    if field is None or not value or not text:
        return None
    return AttentionRule(field, value, text)
