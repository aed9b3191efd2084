"""Who may join a mesh: the event's certificates, TLS 1.3 both ways, pairing codes."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import socket
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from doorcheck.peers import PAIRING_PREFIX
from doorcheck.peers.trust import (
    MeshSecret,
    Pairing,
    TrustError,
    door_identity,
)
from tests.unit.peers.conftest import Mesh, a_door_id, until


def pairing_of(body: bytes) -> str:
    return PAIRING_PREFIX + base64.urlsafe_b64encode(body).decode().rstrip("=")


# -- pairing codes -------------------------------------------------------------------


def test_a_pairing_code_round_trips_and_keeps_at_most_eight_addresses() -> None:
    secret = MeshSecret.new()
    code = Pairing("event-1", secret, tuple(f"10.0.0.{n}:47474" for n in range(20))).text()
    parsed = Pairing.parse(code)
    assert parsed.secret == secret and parsed.event_id == "event-1"
    assert len(parsed.addresses) == 8
    assert secret.text() not in repr(parsed)  # a Pairing in a traceback hides the secret


@pytest.mark.parametrize(
    "code",
    [
        "",
        "DOORCHECK-PAIR:2:e30",
        PAIRING_PREFIX + "!!!!",
        PAIRING_PREFIX + "\u00e9\u00e9",
        PAIRING_PREFIX + "A" * 3000,
        pairing_of(b"\xff\xfe"),
        pairing_of(b"[]"),
        pairing_of(b'{"event":"e"}'),
        pairing_of(b'{"event":"","secret":"AAAA"}'),
        pairing_of(b'{"event":"e","secret":"AAAA"}'),  # 3 bytes, not 32
        pairing_of(b'{"event":"e","secret":"\\u00e9\\u00e9"}'),
        pairing_of(b'{"event":"e","secret":7}'),
        pairing_of(b'{"event":"e","secret":"%s","at":[1]}' % (b"A" * 43)),
        pairing_of(b'{"event":"e","secret":"%s","at":"x"}' % (b"A" * 43)),
        pairing_of(b'{"event":"e","secret":"%s","at":["%s"]}' % (b"A" * 43, b"h" * 101)),
    ],
)
def test_a_hostile_pairing_code_is_refused_as_one(code: str) -> None:
    with pytest.raises(TrustError):
        Pairing.parse(code)


def test_a_deeply_nested_pairing_code_is_refused_as_one() -> None:
    code = pairing_of(b"[" * 1400)
    assert len(code) <= 2000
    with pytest.raises(TrustError):
        Pairing.parse(code)


def test_a_mesh_secret_is_32_bytes_and_never_shown_by_repr() -> None:
    with pytest.raises(TrustError):
        MeshSecret(b"short")
    with pytest.raises(TrustError):
        MeshSecret.from_text("not base64 at all \u00e9")
    secret = MeshSecret.new()
    assert secret.text() not in repr(secret)
    assert MeshSecret.from_text(secret.text()) == secret


def test_a_door_key_is_readable_by_the_user_only(tmp_path: Path) -> None:
    identity = door_identity(MeshSecret.new(), a_door_id(), tmp_path / "mesh")
    assert stat.S_IMODE(identity.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(identity.key_file.parent.stat().st_mode) == 0o700


# -- the handshake -------------------------------------------------------------------


def _handshake(port: int, context: ssl.SSLContext) -> bool:
    """True if a TLS client with ``context`` gets a message from the door."""
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            context.wrap_socket(raw) as tls,
        ):
            return bool(tls.recv(4))
    except (ssl.SSLError, OSError):
        return False


def test_a_door_of_the_event_is_answered(mesh: Mesh) -> None:
    door = mesh.door("Main")
    assert door.node.port is not None
    assert _handshake(door.node.port, mesh.identity(a_door_id()).client_context())


def test_a_stranger_without_the_secret_is_refused_and_logged(
    mesh: Mesh, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    door = mesh.door("Main")
    assert door.node.port is not None
    stranger = door_identity(MeshSecret.new(), a_door_id(), tmp_path / "stranger")
    with caplog.at_level(logging.WARNING):
        assert not _handshake(door.node.port, stranger.client_context())
        until(lambda: "refused a connection" in caplog.text, what="the refusal logged")


def test_a_client_without_a_certificate_is_refused(mesh: Mesh) -> None:
    door = mesh.door("Main")
    assert door.node.port is not None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # it does not even check the door
    assert not _handshake(door.node.port, context)


def test_a_self_made_authority_with_the_events_name_is_refused(mesh: Mesh, tmp_path: Path) -> None:
    """Copying the authority's name (it is no secret) gives no certificate of the event."""
    door = mesh.door("Main")
    assert door.node.port is not None
    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "doorcheck event mesh")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, a_door_id())]))
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, None)
    )
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    assert not _handshake(door.node.port, context)


def test_tls_1_2_is_refused_even_with_the_events_certificate(mesh: Mesh) -> None:
    door = mesh.door("Main")
    assert door.node.port is not None
    context = mesh.identity(a_door_id()).client_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    assert not _handshake(door.node.port, context)


def test_a_door_does_not_dial_into_a_strangers_mesh(
    mesh: Mesh, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Both ends check: a door that dials a listener of another event refuses it
    itself (it would otherwise send a stranger its log)."""
    (tmp_path / "other").mkdir()
    other = Mesh(tmp_path / "other")
    try:
        listener = other.door("Elsewhere")
        with caplog.at_level(logging.WARNING):
            dialler = mesh.door("Main", listener)
            until(lambda: "is not a door of this event" in caplog.text, what="refused")
        assert not any(p.connected for p in dialler.node.peers())
        assert not any(p.connected for p in listener.node.peers())
    finally:
        other.stop()
