"""A demo event with realistic guests, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from doorcheck.domain.attention import AnswerRules, AttentionRule
from doorcheck.domain.guest import RegistrationState
from doorcheck.domain.occupancy import Zone, ZonePlan
from doorcheck.protocol.wire import StationMode
from doorcheck.server.repository import GuestInput, StationRepository

FIRST_NAMES = [
    "Jürgen",
    "Zoë",
    "François",
    "Anaïs",
    "Søren",
    "Łukasz",
    "Mårten",
    "Chloé",
    "José",
    "Müge",
    "Björn",
    "Dörte",
    "Renée",
    "Ines",
    "Mateusz",
    "Hélène",
    "Eleni",
    "Nikolaj",
    "Agnieszka",
    "Ahmet",
    "Lea",
    "Jonas",
    "Sophie",
    "Maximilian",
    "Emma",
    "Lukas",
    "Mia",
    "Ben",
    "Hannah",
    "Paul",
    "Clara",
    "Felix",
    "Aylin",
    "Noah",
    "Marie",
    "Elif",
    "Tomás",
    "Siobhán",
    "Ólafur",
    "Ana",
    "Joaquín",
    "Niamh",
    "Yusuf",
    "Greta",
    "Oskar",
    "Ida",
]
LAST_NAMES = [
    "Müller",
    "Schröder",
    "Gößmann",
    "Bäcker",
    "Öztürk",
    "Lefèvre",
    "Núñez",
    "Dvořák",
    "Kowalczyk",
    "Jørgensen",
    "Weiß",
    "Hoffmann",
    "Schmidt",
    "Fischer",
    "Wagner",
    "Becker",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "García",
    "Moreau",
    "Rossi",
    "Nowak",
    "O'Brien",
    "Ní Bhriain",
    "Çelik",
    "Ibáñez",
    "Þórsson",
    "Søndergaard",
    "Van der Berg",
]
COMPANIES = [
    "Müller & Söhne GmbH",
    "Café Größenwahn",
    "Société Générale d'Événements",
    "Nordlicht AG",
    "Brückenbau KG",
    "Data Ænd Co.",
    "Straßen.NRW",
    "Wiener Werkstätten",
    "Lumière SARL",
    "Fjord Analytics AS",
    None,
    None,
]
POSITIONS = ["CEO", "CIO", "Head of Events", "Engineer", "Designer", "Student", None]
CITIES = [
    ("Wien", "AT", "1010"),
    ("München", "DE", "80331"),
    ("Zürich", "CH", "8001"),
    ("Köln", "DE", "50667"),
    ("Lyon", "FR", "69001"),
    ("Kraków", "PL", "31-001"),
]
DIETS = ["vegetarian", "vegan", "gluten-free", "lactose-free", "halal", "kosher"]
COLORS = ["#ffd54f", "#81c784", "#64b5f6", "#e57373", None, None, None, None]
# Unambiguous characters only: a steward may have to type a code from a crumpled ticket.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def demo_guests(count: int, seed: int = 2026) -> Iterator[GuestInput]:
    """``count`` main guests, some with companions (companions come on top)."""
    rng = random.Random(seed)
    used: set[str] = set()

    def code() -> str:
        while True:
            value = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
            if value not in used:
                used.add(value)
                return value

    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, country, postal = rng.choice(CITIES)
        roll = rng.random()
        state = RegistrationState.REGISTERED
        if roll < 0.03:
            state = RegistrationState.DEREGISTERED
        elif roll < 0.05:
            state = RegistrationState.UNKNOWN
        guest_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        fields: dict[str, object] = {
            "salutation": rng.choice(["Mr.", "Ms.", "Mx.", None]),
            "firstName": first,
            "lastName": last,
            "titlePrefix": rng.choice(["Dr", "Prof.", None, None, None, None]),
            "company": rng.choice(COMPANIES),
            "position": rng.choice(POSITIONS),
            "city": city,
            "postalCode": postal,
            "country": country,
            "email": f"{first}.{last}.{index}@example.org".lower().replace(" ", ""),
            "notes": rng.choice(
                [
                    None,
                    None,
                    None,
                    "Speaker: give badge with red lanyard.",
                    "Wheelchair user, please open the side gate.",
                ]
            ),
            "customField1": rng.choice(["Standard", "VIP", "Press", "Staff"]),
            "customField47": rng.sample(DIETS, rng.choice([0, 0, 1, 2])),
        }
        # doorcheck's attention field (docs/protocol.md), from what the notes say, so
        # the demo's guests stay the same for the same seed.
        if fields["notes"] and str(fields["notes"]).startswith("Wheelchair"):
            fields["attention"] = "Wheelchair user: open the side gate"
        segments = ["VIP"] if fields["customField1"] == "VIP" else ["General"]
        yield GuestInput(
            id=guest_id,
            fields=fields,
            access_code=code(),
            registration_state=state,
            highlight_color=rng.choice(COLORS),
            segments=segments,
        )
        for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2])):
            yield GuestInput(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                parent_id=guest_id,
                fields={
                    "firstName": rng.choice(FIRST_NAMES),
                    "lastName": last if rng.random() < 0.5 else rng.choice(LAST_NAMES),
                },
                access_code=code(),
                segments=segments,
            )


def create_demo_event(
    repository: StationRepository, *, guests: int = 300, seed: int = 2026
) -> tuple[str, dict[str, str], list[GuestInput]]:
    """Create the demo event, its stations and guests; delete a few guests.

    Returns the event id, each station's App Code, and the guests created.
    """
    today = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    event_id = repository.create_event(
        "Winter Gala 2026",
        company="Nordlicht AG",
        start=today,
        end=today + timedelta(hours=7),
    )
    codes = {
        "Main Entrance": repository.create_station(event_id, "Main Entrance").app_code,
        "Side Door": repository.create_station(event_id, "Side Door").app_code,
        "Cloakroom": repository.create_station(
            event_id, "Cloakroom", mode=StationMode.TOGGLE
        ).app_code,
        "Exit": repository.create_station(event_id, "Exit", mode=StationMode.CHECK_OUT).app_code,
        "VIP Lounge": repository.create_station(event_id, "VIP Lounge", segment="VIP").app_code,
    }
    # Zones to count who is inside (docs/occupancy.md): the ballroom's doors, and the
    # lounge with a small room's capacity; sized to the demo's guests so the warnings
    # can be seen.
    repository.set_zone_plan(
        event_id,
        ZonePlan(
            (
                Zone("Ballroom", max(1, guests * 3 // 4),
                     ("Main Entrance", "Side Door", "Cloakroom", "Exit")),
                Zone("VIP Lounge", max(1, guests // 20), ("VIP Lounge",)),
            ),
            capacity=guests,
        ),
    )  # fmt: skip
    # What the entrances' stewards must not miss (docs/protocol.md): a VIP is walked
    # to the lounge; the guest's own attention texts come with the guests.
    rules = AnswerRules(
        (AttentionRule("customField1", "VIP", "VIP: walk them to the VIP Lounge"),),
        ("customField1", "customField47"),
    )
    for station in ("Main Entrance", "Side Door"):
        repository.set_answer_rules(event_id, station, rules)
    created = list(demo_guests(guests, seed))
    repository.add_guests(event_id, created)
    rng = random.Random(seed + 1)
    mains = [g for g in created if g.parent_id is None]
    victims = rng.sample(mains, max(1, len(mains) // 100))
    repository.delete_guests(event_id, [victim.id for victim in victims])
    return event_id, codes, created
