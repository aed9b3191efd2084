"""Changes as a door sends them with the write extension."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import FieldValue
from doorcheck.protocol.wire import OutgoingChange

NOW = datetime.now(UTC)


def change(
    action: Action,
    guest_id: str,
    minutes: float = 0,
    *,
    target_nonce: str | None = None,
    parent_id: str | None = None,
    fields: dict[str, FieldValue] | None = None,
) -> OutgoingChange:
    return OutgoingChange(
        nonce=str(uuid.uuid4()),
        action=action,
        guest_id=guest_id,
        door_time=NOW + timedelta(minutes=minutes),
        target_nonce=target_nonce,
        parent_id=parent_id,
        fields=fields,
    )
