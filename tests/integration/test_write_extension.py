"""doorcheck's write extension: applied, duplicate, conflict, rejected; undo; companions."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import httpx

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import RegistrationState
from doorcheck.protocol.wire import ChangeOutcome, RejectReason
from tests.support import RunningServer
from tests.support.changes import NOW, change


def test_check_in_is_applied_and_reaches_another_station(server: RunningServer) -> None:
    guest = server.guests[0]
    with server.client("Side Door") as side, server.client() as main:
        cursor = side.guests_all().date_time
        (result,) = main.push_changes([change(Action.CHECK_IN, guest.id)])
        assert result.result == ChangeOutcome.APPLIED
        assert result.guest is not None and result.guest.is_checked_in
        assert result.guest.check_in_station == "Main Entrance"
        recent = side.guests_recent(cursor)
    (seen,) = recent.guests
    assert seen.id == guest.id
    assert seen.is_checked_in
    assert seen.check_in_station == "Main Entrance"
    assert seen.server_update is not None and seen.client_update is not None


def test_resending_a_nonce_applies_it_once(server: RunningServer) -> None:
    guest = server.guests[0]
    checkin = change(Action.CHECK_IN, guest.id)
    with server.client() as client:
        (first,) = client.push_changes([checkin])
        (again,) = client.push_changes([checkin])
        (third,) = client.push_changes([checkin])
    assert first.result == ChangeOutcome.APPLIED
    assert again.result == third.result == ChangeOutcome.DUPLICATE
    assert again.first_result == ChangeOutcome.APPLIED
    assert again.effective == ChangeOutcome.APPLIED
    assert again.guest is not None and again.guest.check_in == first.guest.check_in  # type: ignore[union-attr]
    from sqlalchemy import func, select

    from doorcheck.server import db

    with server.repository.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(db.changes)).scalar_one()
    assert rows == 1


def test_a_resent_rejection_answers_the_same(server: RunningServer) -> None:
    bad = change(Action.CHECK_IN, "no-such-guest")
    with server.client() as client:
        (first,) = client.push_changes([bad])
        (again,) = client.push_changes([bad])
    assert first.result == ChangeOutcome.REJECTED
    assert first.code == RejectReason.UNKNOWN_GUEST
    assert again.result == ChangeOutcome.DUPLICATE
    assert again.first_result == ChangeOutcome.REJECTED
    assert again.code == RejectReason.UNKNOWN_GUEST


def test_a_second_check_in_from_another_door_is_a_conflict(server: RunningServer) -> None:
    guest = server.guests[0]
    with server.client() as main, server.client("Side Door") as side:
        main.push_changes([change(Action.CHECK_IN, guest.id, 0)])
        (result,) = side.push_changes([change(Action.CHECK_IN, guest.id, 1)])
    assert result.result == ChangeOutcome.CONFLICT
    assert result.guest is not None and result.guest.check_in_station == "Main Entrance"
    assert result.message is not None and "Main Entrance" in result.message


def test_an_earlier_offline_check_in_arriving_late_wins(server: RunningServer) -> None:
    guest = server.guests[0]
    with server.client() as main, server.client("Side Door") as side:
        (later,) = main.push_changes([change(Action.CHECK_IN, guest.id, 10)])
        (earlier,) = side.push_changes([change(Action.CHECK_IN, guest.id, 2)])
    assert later.result == ChangeOutcome.APPLIED
    assert earlier.result == ChangeOutcome.APPLIED
    assert earlier.guest is not None
    assert earlier.guest.check_in == (NOW + timedelta(minutes=2)).replace(
        microsecond=NOW.microsecond
    )
    assert earlier.guest.check_in_station == "Side Door"
    from sqlalchemy import select

    from doorcheck.server import db

    with server.repository.engine.connect() as conn:
        effect = conn.execute(
            select(db.changes.c.effect).where(db.changes.c.nonce == later.nonce)
        ).scalar_one()
    assert effect == "conflict"  # the server now records the late one as the conflict


def test_rejections_carry_reason_codes(server: RunningServer) -> None:
    deleted, deregistered, fine = server.guests[1], server.guests[2], server.guests[3]
    server.repository.delete_guest(server.event_id, deleted.id)
    server.repository.set_registration(
        server.event_id, deregistered.id, RegistrationState.DEREGISTERED
    )
    with server.client() as main, server.client("Exit") as exit_door:
        results = main.push_changes(
            [
                change(Action.CHECK_IN, "unknown-guest"),
                change(Action.CHECK_IN, deleted.id),
                change(Action.CHECK_IN, deregistered.id),
                change(Action.CHECK_OUT, fine.id),  # a check-in-only station may not check out
                change(Action.UNDO, fine.id, target_nonce="never-sent"),
            ]
        )
        (exit_in,) = exit_door.push_changes([change(Action.CHECK_IN, fine.id)])
    assert [r.result for r in results] == [ChangeOutcome.REJECTED] * 5
    assert [r.code for r in results] == [
        RejectReason.UNKNOWN_GUEST,
        RejectReason.GUEST_DELETED,
        RejectReason.GUEST_DEREGISTERED,
        RejectReason.MODE_FORBIDS,
        RejectReason.UNKNOWN_TARGET,
    ]
    assert all(r.message for r in results)
    assert exit_in.code == RejectReason.MODE_FORBIDS


def test_malformed_changes_are_rejected_one_by_one(server: RunningServer) -> None:
    with server.client() as client:
        token = client.login().session_token
    body = {
        "sessionToken": token,
        "changes": [
            {
                "nonce": "a",
                "action": "dance",
                "guestId": "x",
                "clientUpdateDateTime": NOW.isoformat(),
            },
            {
                "nonce": "b",
                "action": "checkIn",
                "guestId": 5,
                "clientUpdateDateTime": NOW.isoformat(),
            },
            {"nonce": "c", "action": "checkIn", "guestId": "x", "clientUpdateDateTime": "later"},
            {
                "nonce": "d",
                "action": "checkIn",
                "guestId": server.guests[0].id,
                "clientUpdateDateTime": NOW.isoformat(),
            },
        ],
    }
    answer = httpx.post(server.url + "/api/v1/guest/changes", json=body).json()
    results = answer["results"]
    assert [r["result"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert {r["code"] for r in results[:3]} == {RejectReason.INVALID_CHANGE}
    missing_nonce = {"sessionToken": token, "changes": [{"action": "checkIn"}]}
    answer = httpx.post(server.url + "/api/v1/guest/changes", json=missing_nonce).json()
    assert answer["errors"][0]["code"] == 20
    assert "nonce" in answer["errors"][0]["message"]


def test_toggle_station_checks_out_and_undo_takes_it_back(server: RunningServer) -> None:
    guest = server.guests[4]
    with server.client("Cloakroom") as cloak:
        checkin = change(Action.CHECK_IN, guest.id, 0)
        checkout = change(Action.CHECK_OUT, guest.id, 5)
        results = cloak.push_changes([checkin, checkout])
        assert [r.result for r in results] == [ChangeOutcome.APPLIED] * 2
        assert results[1].guest is not None and not results[1].guest.is_checked_in
        (undo,) = cloak.push_changes(
            [change(Action.UNDO, guest.id, 6, target_nonce=checkout.nonce)]
        )
    assert undo.result == ChangeOutcome.APPLIED
    assert undo.guest is not None and undo.guest.is_checked_in
    assert undo.guest.check_out is None


def test_a_companion_added_at_the_door_reaches_other_stations(server: RunningServer) -> None:
    host = server.guests[5]
    companion_id = str(uuid.uuid4())
    with server.client() as main, server.client("Side Door") as side:
        cursor = side.guests_all().date_time
        added, checked = main.push_changes(
            [
                change(
                    Action.ADD_COMPANION,
                    companion_id,
                    parent_id=host.id,
                    fields={"firstName": "Plus", "lastName": "One"},
                ),
                change(Action.CHECK_IN, companion_id),
            ]
        )
        recent = side.guests_recent(cursor)
    assert added.result == checked.result == ChangeOutcome.APPLIED
    by_id = {g.id: g for g in recent.guests}
    assert by_id[companion_id].parent_id == host.id
    assert by_id[companion_id].fields["firstName"] == "Plus"
    assert by_id[companion_id].is_checked_in
    assert companion_id in by_id[host.id].companion_ids


def test_a_batch_over_the_limit_is_refused(server: RunningServer) -> None:
    with server.client() as client:
        token = client.login().session_token
    body = {
        "sessionToken": token,
        "changes": [
            {
                "nonce": str(i),
                "action": "checkIn",
                "guestId": "x",
                "clientUpdateDateTime": NOW.isoformat(),
            }
            for i in range(501)
        ],
    }
    answer = httpx.post(server.url + "/api/v1/guest/changes", json=body)
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["code"] == 40


def test_two_stations_racing_on_one_guest_give_one_check_in(server: RunningServer) -> None:
    guest = server.guests[6]
    results: list[ChangeOutcome] = []
    # With a timeout: a door whose login failed breaks the barrier for the others
    # instead of leaving them (and the suite) waiting for ever.
    barrier = threading.Barrier(6, timeout=30)

    def door(station: str, offset: int) -> None:
        with server.client(station) as client:
            try:
                client.login()
            except BaseException:
                barrier.abort()
                raise
            barrier.wait()
            (result,) = client.push_changes([change(Action.CHECK_IN, guest.id, offset / 60)])
            results.append(result.result)

    threads = [
        threading.Thread(target=door, args=(s, i))
        for i, s in enumerate(["Main Entrance", "Side Door"] * 3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    with server.client() as client:
        final = {g.id: g for g in client.guests_all().guests}[guest.id]
    assert final.check_in is not None
    assert len(results) == 6
    # Exactly one check-in stands: the one with the earliest door time.
    assert final.check_in == NOW
    from sqlalchemy import select

    from doorcheck.server import db

    with server.repository.engine.connect() as conn:
        effects = list(
            conn.execute(
                select(db.changes.c.effect).where(db.changes.c.guest_id == guest.id)
            ).scalars()
        )
    assert sorted(effects) == ["applied"] + ["conflict"] * 5
