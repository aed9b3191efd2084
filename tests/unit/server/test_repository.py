"""The change log under abuse: nonces per event, door times, floods (issue 12)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from doorcheck.domain.changes import Action, ChangeRecord, fold_presence
from doorcheck.protocol.wire import ChangeOutcome, OutgoingChange
from doorcheck.server import db
from doorcheck.server.db import create_schema, make_engine
from doorcheck.server.repository import GuestInput, StationRepository
from tests.support import RunningServer, seed

NOW = datetime.now(UTC).replace(microsecond=0)


def checkin(guest_id: str, door_time: datetime, nonce: str | None = None) -> OutgoingChange:
    return OutgoingChange(nonce or str(uuid.uuid4()), Action.CHECK_IN, guest_id, door_time)


def second_event(server: RunningServer) -> tuple[str, str]:
    """Another event with its own station and guest: (event id, guest id)."""
    repo = server.repository
    event_id = repo.create_event("Other Gala")
    repo.create_station(event_id, "Main Entrance", app_code="other-code-9")
    guest = GuestInput(fields={"firstName": "Other"}, access_code="OTHER1")
    repo.add_guests(event_id, [guest])
    return event_id, guest.id


def post_changes(server: RunningServer, token: str, *items: object) -> list[dict[str, object]]:
    answer = httpx.post(
        server.url + "/api/v1/guest/changes",
        json={"sessionToken": token, "changes": [*items]},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    results: list[dict[str, object]] = answer.json()["results"]
    return results


def login(server: RunningServer, event_id: str, app_code: str, station: str) -> str:
    answer = httpx.post(
        server.url + "/api/v1/login",
        json={"eventId": event_id, "apiKey": app_code, "stationName": station},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["sessionToken"])


# -- item 14: nonces belong to their event ------------------------------------------


def test_a_nonce_from_another_event_leaks_nothing_and_applies(server: RunningServer) -> None:
    other_event, other_guest = second_event(server)
    nonce = str(uuid.uuid4())
    with server.client() as main:
        (first,) = main.push_changes([checkin(server.guests[0].id, NOW, nonce)])
    assert first.result == ChangeOutcome.APPLIED
    token = login(server, other_event, "other-code-9", "Main Entrance")
    change = checkin(other_guest, NOW, nonce).to_json()
    (answer,) = post_changes(server, token, change)
    assert answer["result"] == "applied"
    guest = answer["guest"]
    assert isinstance(guest, dict) and guest["id"] == other_guest
    assert server.guests[0].id not in str(answer)
    assert "Gäst0" not in str(answer)


def test_the_same_nonce_for_another_guest_is_refused_not_done(server: RunningServer) -> None:
    nonce = str(uuid.uuid4())
    with server.client() as main:
        (first,) = main.push_changes([checkin(server.guests[0].id, NOW, nonce)])
        (reused,) = main.push_changes([checkin(server.guests[1].id, NOW, nonce)])
        (later,) = main.push_changes([checkin(server.guests[0].id, NOW, nonce)])
        guests = {g.id: g for g in main.guests_all().guests}
    assert first.result == ChangeOutcome.APPLIED
    assert (reused.result, reused.code) == (ChangeOutcome.REJECTED, 2070)
    assert reused.guest is None
    assert not guests[server.guests[1].id].is_checked_in
    assert later.result == ChangeOutcome.DUPLICATE  # the same body is still a resend


def test_the_same_nonce_with_another_door_time_is_refused(server: RunningServer) -> None:
    nonce = str(uuid.uuid4())
    guest = server.guests[0].id
    with server.client() as main:
        main.push_changes([checkin(guest, NOW, nonce)])
        (moved,) = main.push_changes([checkin(guest, NOW - timedelta(hours=1), nonce)])
        (state,) = [g for g in main.guests_all().guests if g.id == guest]
    assert (moved.result, moved.code) == (ChangeOutcome.REJECTED, 2070)
    assert state.check_in == NOW


def test_a_version_1_database_opens_and_keeps_its_changes(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    with sqlite3.connect(path) as conn:  # the version-1 schema of the change log
        conn.executescript(
            """
            CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE changes (
                nonce VARCHAR(100) NOT NULL PRIMARY KEY, event_id VARCHAR(64) NOT NULL,
                guest_id VARCHAR(64) NOT NULL, action VARCHAR(16) NOT NULL,
                door_time DATETIME NOT NULL, station_name TEXT NOT NULL,
                target_nonce VARCHAR(100), server_time DATETIME NOT NULL,
                rejected BOOLEAN NOT NULL, effect VARCHAR(16) NOT NULL, answer TEXT NOT NULL);
            CREATE INDEX ix_changes_guest ON changes (guest_id);
            INSERT INTO changes VALUES ('n1', 'E1', 'g1', 'checkIn',
                '2026-11-21 17:31:00.000000', 'Main', NULL, '2026-11-21 17:31:05.000000',
                0, 'applied', '{"nonce": "n1", "result": "applied"}');
            """
        )
    conn.close()
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    create_schema(engine)  # and opening it again changes nothing
    with engine.begin() as conn2:
        rows = conn2.execute(select(db.changes)).all()
        version = conn2.execute(select(db.meta.c.value).where(db.meta.c.key == "schema_version"))
        assert version.scalar_one() == str(db.SCHEMA_VERSION)
        conn2.execute(
            db.changes.insert().values(
                rows[0]._asdict() | {"event_id": "E2"}  # the same nonce in another event
            )
        )
    engine.dispose()
    assert [(r.nonce, r.event_id, r.guest_id) for r in rows] == [("n1", "E1", "g1")]
    assert rows[0].door_time == datetime(2026, 11, 21, 17, 31, tzinfo=UTC)


# -- item 15: door times far from the event and the clock ---------------------------


def test_door_times_in_year_1_or_9999_are_refused_and_never_win(server: RunningServer) -> None:
    guest = server.guests[0].id
    ancient = datetime(1, 1, 1, tzinfo=UTC)
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    with server.client() as main:
        results = main.push_changes([checkin(guest, ancient), checkin(guest, far)])
        (real,) = main.push_changes([checkin(guest, NOW)])
    assert [(r.result, r.code) for r in results] == [(ChangeOutcome.REJECTED, 2060)] * 2
    assert real.result == ChangeOutcome.APPLIED
    assert real.guest is not None and real.guest.check_in == NOW


def test_skewed_laptops_are_still_accepted(server: RunningServer) -> None:
    with server.client() as main:
        results = main.push_changes(
            [
                checkin(server.guests[0].id, NOW + timedelta(hours=20)),
                checkin(server.guests[1].id, NOW - timedelta(days=20)),
            ]
        )
    assert [r.result for r in results] == [ChangeOutcome.APPLIED] * 2


def test_a_refused_door_time_may_be_resent_corrected(server: RunningServer) -> None:
    nonce = str(uuid.uuid4())
    guest = server.guests[0].id
    with server.client() as main:
        (wrong,) = main.push_changes([checkin(guest, NOW + timedelta(days=40), nonce)])
        (right,) = main.push_changes([checkin(guest, NOW, nonce)])
    assert (wrong.result, wrong.code) == (ChangeOutcome.REJECTED, 2060)
    assert right.result == ChangeOutcome.APPLIED


def test_door_times_far_outside_a_dated_event_are_refused(server: RunningServer) -> None:
    repo = server.repository
    start = NOW - timedelta(hours=2)
    event_id = repo.create_event("Dated", start=start, end=start + timedelta(hours=6))
    repo.create_station(event_id, "Door", app_code="dated-code-1")
    guests = [GuestInput(fields={"firstName": f"G{i}"}) for i in range(3)]
    repo.add_guests(event_id, guests)
    token = login(server, event_id, "dated-code-1", "Door")
    answers = post_changes(
        server,
        token,
        checkin(guests[0].id, start - timedelta(days=5)).to_json(),
        checkin(guests[1].id, start - timedelta(hours=20)).to_json(),  # a laptop a day off
        checkin(guests[2].id, start + timedelta(hours=1)).to_json(),
    )
    assert [(a["result"], a.get("code")) for a in answers] == [
        ("rejected", 2060),
        ("applied", None),
        ("applied", None),
    ]


# -- item 13: the change-log flood ---------------------------------------------------


def test_a_flood_is_bounded_and_other_doors_keep_working(server: RunningServer) -> None:
    # 3,500 changes in a minute: past this rate, so the rate's refusal is seen too.
    server.repository.settings.max_changes_per_minute = 3000
    # The rate counts a minute of the server's clock. Stopped, so the whole flood falls
    # in one minute however slow the machine (the suite runs on every core); stamps
    # still advance, a microsecond a change.
    stopped = datetime.now(UTC)
    server.repository.settings.clock = lambda: stopped
    flooded = server.guests[0].id
    outcomes: list[tuple[int, object]] = []
    failures: list[str] = []
    flood_done = threading.Event()

    def flood() -> None:
        token = login(server, server.event_id, "cloak-code-3", "Cloakroom")
        door_time = NOW - timedelta(days=1)
        try:
            for _ in range(7):
                items = []
                for index in range(500):
                    door_time += timedelta(seconds=1)
                    action = "checkIn" if index % 2 == 0 else "checkOut"
                    items.append(
                        {
                            "nonce": str(uuid.uuid4()),
                            "action": action,
                            "guestId": flooded,
                            "clientUpdateDateTime": door_time.isoformat(),
                        }
                    )
                answer = httpx.post(
                    server.url + "/api/v1/guest/changes",
                    json={"sessionToken": token, "changes": items},
                    timeout=120,
                )
                body = answer.json()
                codes = [r.get("code") for r in body.get("results", [])]
                outcomes.append((answer.status_code, codes or body["errors"][0]["code"]))
        finally:
            flood_done.set()

    def other_door(station: str, code: str, guest_indexes: range) -> None:
        for index in guest_indexes:
            try:
                token = login(server, server.event_id, code, station)
                change = checkin(server.guests[index].id, NOW).to_json()
                (result,) = post_changes(server, token, change)
                if result["result"] != "applied":
                    failures.append(f"{station}: {result}")
                recent = httpx.post(
                    server.url + "/api/v1/guest/list/recent",
                    json={"sessionToken": token, "sinceDateTime": NOW.isoformat()},
                    timeout=60,
                )
                if recent.status_code != 200:
                    failures.append(f"{station} recent: HTTP {recent.status_code}")
            except AssertionError as exc:
                failures.append(f"{station}: {exc}")

    flooder = threading.Thread(target=flood)
    doors = [
        threading.Thread(target=other_door, args=("Main Entrance", "main-code-1", range(1, 8))),
        threading.Thread(target=other_door, args=("Side Door", "side-code-2", range(8, 15))),
    ]
    flooder.start()
    for door in doors:
        door.start()
    for thread in [flooder, *doors]:
        thread.join(300)
    assert flood_done.is_set()
    assert not failures, failures
    assert all(status != 500 for status, _ in outcomes)
    # The guest's log stops at its bound; then the station's rate stops the flood.
    all_codes = [c for _, codes in outcomes if isinstance(codes, list) for c in codes]
    assert 2080 in all_codes
    assert outcomes[-1] == (429, 1040)
    with server.repository.engine.connect() as conn:
        logged = conn.execute(
            select(func.count())
            .select_from(db.changes)
            .where(db.changes.c.guest_id == flooded, db.changes.c.rejected.is_(False))
        ).scalar_one()
    assert logged == server.repository.settings.max_changes_per_guest
    with server.client() as main:
        state = {g.id: g for g in main.guests_all().guests}
    assert all(state[server.guests[i].id].is_checked_in for i in range(1, 15))


def test_the_station_rate_recovers_after_a_minute(server: RunningServer) -> None:
    server.repository.settings.max_changes_per_minute = 10
    token = login(server, server.event_id, "main-code-1", "Main Entrance")
    items = [checkin(server.guests[i].id, NOW).to_json() for i in range(10)]
    assert len(post_changes(server, token, *items)) == 10
    more = [checkin(server.guests[10].id, NOW).to_json()]
    refused = httpx.post(
        server.url + "/api/v1/guest/changes", json={"sessionToken": token, "changes": more}
    )
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == 1040
    server.clock.advance(timedelta(minutes=2))
    (applied,) = post_changes(server, token, *more)
    assert applied["result"] == "applied"


# The incremental fold must give what folding the whole log gives, whatever order
# the changes arrive in.
ACTIONS = st.sampled_from([Action.CHECK_IN, Action.CHECK_OUT, Action.UNDO])
CHANGES = st.lists(
    st.tuples(ACTIONS, st.integers(0, 30), st.sampled_from(["Cloakroom", "Exit"])),
    min_size=1,
    max_size=12,
)


def test_the_incremental_fold_equals_the_whole_fold(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/fold.sqlite3")
    create_schema(engine)
    repo = StationRepository(engine)
    seeded = seed(repo, guests=1)
    tokens = {
        name: repo.login(seeded.event_id, seeded.stations[name].app_code, name)["sessionToken"]
        for name in ("Cloakroom", "Exit")
    }

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(CHANGES)
    def check(changes: list[tuple[Action, int, str]]) -> None:
        guest = GuestInput(fields={"firstName": "Fold"})
        repo.add_guests(seeded.event_id, [guest])
        nonces: list[str] = []
        for action, minutes, station in changes:
            nonce = str(uuid.uuid4())
            item = {
                "nonce": nonce,
                "action": action.value,
                "guestId": guest.id,
                "clientUpdateDateTime": (NOW - timedelta(minutes=minutes)).isoformat(),
            }
            if action == Action.UNDO:
                item["targetNonce"] = nonces[-1] if nonces else "none"
            repo.apply_changes(tokens[station], [item])
            nonces.append(nonce)
        with engine.connect() as conn:
            rows = conn.execute(
                select(db.changes).where(
                    db.changes.c.guest_id == guest.id, db.changes.c.rejected.is_(False)
                )
            ).all()
            stored = conn.execute(select(db.guests).where(db.guests.c.id == guest.id)).one()
        whole = fold_presence(
            ChangeRecord(
                r.nonce, r.guest_id, Action(r.action), r.door_time, r.station_name, r.target_nonce
            )
            for r in rows
        )
        assert (stored.check_in, stored.check_in_station) == (
            whole.presence.check_in,
            whole.presence.check_in_station,
        )
        assert (stored.check_out, stored.check_out_station) == (
            whole.presence.check_out,
            whole.presence.check_out_station,
        )
        assert {r.nonce: r.effect for r in rows} == {n: e.value for n, e in whole.effects.items()}

    try:
        check()
    finally:
        engine.dispose()


def test_a_flooded_guest_log_stays_exact_for_later_changes(server: RunningServer) -> None:
    """After many appended changes, a late one with an earlier door time still refolds."""
    guest = server.guests[0].id
    token = login(server, server.event_id, "cloak-code-3", "Cloakroom")
    base = NOW - timedelta(hours=5)
    items = [
        {
            "nonce": str(uuid.uuid4()),
            "action": "checkIn" if i % 2 == 0 else "checkOut",
            "guestId": guest,
            "clientUpdateDateTime": (base + timedelta(minutes=i + 1)).isoformat(),
        }
        for i in range(40)
    ]
    post_changes(server, token, *items)
    (late,) = post_changes(
        server,
        token,
        {
            "nonce": str(uuid.uuid4()),
            "action": "checkIn",
            "guestId": guest,
            "clientUpdateDateTime": base.isoformat(),
        },
    )
    assert late["result"] == "applied"
    with server.repository.engine.connect() as conn:
        effects = {r.nonce: r.effect for r in conn.execute(select(db.changes))}
    # The first check-in now comes while the guest is inside already: a conflict.
    assert effects[str(items[0]["nonce"])] == "conflict"
    assert effects[str(items[1]["nonce"])] == "applied"
    with server.client("Cloakroom") as client:
        (state,) = [g for g in client.guests_all().guests if g.id == guest]
    assert state.check_in == base + timedelta(minutes=39)
    assert state.check_out == base + timedelta(minutes=40)
