"""Who may join a door's mesh: only doors that hold the event's mesh secret.

The construction is TLS 1.3 with both ends authenticated by certificates (Python's
``ssl``, that is OpenSSL, for the channel; ``cryptography`` for the certificates):

- every door of the event derives the same certificate authority from the mesh
  secret (an Ed25519 key from HKDF-SHA256 of the secret, and a fixed self-signed
  certificate), which never leaves memory;
- each door makes its own key and a certificate for its door id, signed by that
  authority, kept in a folder only the user can read;
- both ends of every connection require the other's certificate to chain to the
  authority: a stranger on the Wi-Fi, without the secret, can neither connect nor
  be connected to, nor read what passes. TLS 1.3 gives the rest: forward secrecy
  (ephemeral key exchange), and records a replay or a change in transit breaks.

Why not a pre-shared-key TLS: Python's ``ssl`` offers PSK callbacks only from 3.13,
and Qt's (which has them) would put a door's networking on the Qt event loop that a
headless door does not run. Why not our own handshake: TLS is the standard one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

from doorcheck.peers import PAIRING_PREFIX

SECRET_BYTES = 32
MAX_PAIRING_LENGTH = 2000
MAX_ADDRESSES = 8

_AUTHORITY_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "doorcheck event mesh")])
# Fixed, so every door derives the very same authority certificate.
_AUTHORITY_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_AUTHORITY_UNTIL = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class TrustError(ValueError):
    """A mesh secret or pairing code that is not one."""


@dataclass(frozen=True, slots=True)
class MeshSecret:
    value: bytes

    def __post_init__(self) -> None:
        if len(self.value) != SECRET_BYTES:
            raise TrustError("a mesh secret is 32 bytes")

    @classmethod
    def new(cls) -> MeshSecret:
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def from_text(cls, text: str) -> MeshSecret:
        try:
            raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        except (binascii.Error, ValueError) as exc:
            raise TrustError("not a mesh secret") from exc
        return cls(raw)

    def text(self) -> str:
        return base64.urlsafe_b64encode(self.value).rstrip(b"=").decode()

    def derive(self, purpose: str) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt=None, info=purpose.encode()).derive(self.value)

    def mesh_id(self) -> str:
        """Announced with mDNS so a door finds its event's doors: says nothing of the
        secret or the event to anyone else."""
        return self.derive("doorcheck mesh id").hex()[:16]

    def __repr__(self) -> str:  # never the secret, in a log or a traceback
        return f"MeshSecret(mesh_id={self.mesh_id()})"


def _authority(secret: MeshSecret) -> tuple[Ed25519PrivateKey, x509.Certificate]:
    key = Ed25519PrivateKey.from_private_bytes(secret.derive("doorcheck mesh authority"))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_AUTHORITY_NAME)
        .issuer_name(_AUTHORITY_NAME)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(_AUTHORITY_FROM)
        .not_valid_after(_AUTHORITY_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, None)
    )
    return key, cert


@dataclass(frozen=True, slots=True)
class DoorIdentity:
    """A door's certificate files and the authority it trusts."""

    door_id: str
    cert_file: Path
    key_file: Path
    authority_pem: str

    def server_context(self) -> ssl.SSLContext:
        # A refused handshake is logged by the node (at a bounded rate: a flood of
        # strangers is a few lines), which starts TLS on the sockets it takes.
        return self._context(ssl.PROTOCOL_TLS_SERVER)

    def client_context(self) -> ssl.SSLContext:
        return self._context(ssl.PROTOCOL_TLS_CLIENT)

    def _context(self, protocol: int) -> ssl.SSLContext:
        context = ssl.SSLContext(protocol)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        # Doors are known by their certificate's door id, not a host name (they are
        # reached by IP address on a venue's LAN); the id is checked after the
        # handshake against what the door says it is.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=self.authority_pem)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def door_identity(secret: MeshSecret, door_id: str, folder: Path) -> DoorIdentity:
    """This door's key and certificate for the mesh of ``secret``, made once and kept
    in ``folder`` (user-only), made again when the secret changes."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    authority_key, authority = _authority(secret)
    authority_pem = authority.public_bytes(serialization.Encoding.PEM).decode()
    tag = hashlib.sha256(authority_pem.encode()).hexdigest()[:12]
    cert_file, key_file = folder / f"door-{tag}.crt", folder / f"door-{tag}.key"
    if not (cert_file.exists() and key_file.exists()):
        key = Ed25519PrivateKey.generate()
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, door_id)]))
            .issuer_name(_AUTHORITY_NAME)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            # A day back: a door whose clock is behind must still accept it.
            .not_valid_before(now - dt.timedelta(days=2))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(authority_key, None)
        )
        _write_private(
            key_file,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        _write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return DoorIdentity(door_id, cert_file, key_file, authority_pem)


def certificate_door(cert: dict[str, object] | None) -> str | None:
    """The door id a verified peer certificate (``SSLSocket.getpeercert()``) names."""
    for rdn in (cert or {}).get("subject", ()):  # type: ignore[attr-defined]
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


# -- pairing: a door without a station joins from a door that has the secret ---------


@dataclass(frozen=True, slots=True)
class StationLogin:
    """The station a pairing door is logged in as: a new door can start as it, with
    no server to log in to, and take the guest list from the pairing door."""

    server: str
    station: str
    app_code: str

    def __repr__(self) -> str:  # never the App Code
        return f"StationLogin(server={self.server!r}, station={self.station!r})"


@dataclass(frozen=True, slots=True)
class Pairing:
    event_id: str
    secret: MeshSecret
    addresses: tuple[str, ...] = ()  # where the showing door listens (host:port)
    login: StationLogin | None = None

    def text(self) -> str:
        body: dict[str, object] = {
            "event": self.event_id,
            "secret": self.secret.text(),
            "at": list(self.addresses),
        }
        if self.login is not None:
            body["login"] = {"server": self.login.server, "station": self.login.station,
                             "key": self.login.app_code}  # fmt: skip
        body_text = json.dumps(body, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(body_text.encode()).rstrip(b"=").decode()
        return PAIRING_PREFIX + encoded

    @classmethod
    def parse(cls, text: str) -> Pairing:
        text = text.strip()
        if len(text) > MAX_PAIRING_LENGTH or not text.startswith(PAIRING_PREFIX):
            raise TrustError("not a doorcheck pairing code")
        encoded = text[len(PAIRING_PREFIX) :]
        try:
            body = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        except (binascii.Error, ValueError, RecursionError) as exc:
            raise TrustError("a damaged pairing code") from exc
        if not isinstance(body, dict):
            raise TrustError("a damaged pairing code")
        event, secret, addresses = body.get("event"), body.get("secret"), body.get("at", [])
        if not isinstance(event, str) or not 0 < len(event) <= 200:
            raise TrustError("a pairing code without an event")
        if not isinstance(secret, str):
            raise TrustError("a pairing code without a secret")
        if not isinstance(addresses, list) or not all(
            isinstance(a, str) and len(a) <= 100 for a in addresses
        ):
            raise TrustError("a pairing code with damaged addresses")
        login = body.get("login")
        station_login = None
        if login is not None:
            if not isinstance(login, dict) or not all(
                isinstance(login.get(k), str) and 0 < len(login[k]) <= 500
                for k in ("server", "station", "key")
            ):
                raise TrustError("a pairing code with a damaged station login")
            if not login["server"].startswith(("https://", "http://")):
                raise TrustError("a pairing code whose server is not a web address")
            station_login = StationLogin(login["server"], login["station"], login["key"])
        return cls(
            event, MeshSecret.from_text(secret), tuple(addresses[:MAX_ADDRESSES]), station_login
        )
