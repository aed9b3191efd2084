"""A process that tries to get into a mesh: ``stranger ADDRESS FOLDER`` (no secret)
or ``garbage ADDRESS DATA`` (the door's own secret, then a frame that is not JSON).
Prints what happened: ``refused``, ``read``, ``closed`` or ``open``."""

from __future__ import annotations

import socket
import ssl
import sys
from pathlib import Path

from doorcheck.peers.trust import MeshSecret, door_identity
from doorcheck.store.credentials import load_login, load_named_secret


def connect(address: str, context: ssl.SSLContext) -> ssl.SSLSocket:
    host, _, port = address.rpartition(":")
    raw = socket.create_connection((host, int(port)), timeout=10)
    return context.wrap_socket(raw)


def main() -> int:
    kind, address, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if kind == "stranger":
        identity = door_identity(MeshSecret.new(), "f" * 32, folder / "mesh")
        try:
            tls = connect(address, identity.client_context())
            data = tls.recv(100)
        except (ssl.SSLError, OSError):
            print("refused")
            return 0
        print("read" if data else "refused")
        return 0
    saved = load_login(folder)
    assert saved is not None
    secret = load_named_secret(folder, f"mesh|{saved[0].event_id}")
    assert secret is not None
    identity = door_identity(MeshSecret.from_text(secret), "e" * 32, folder.parent / "intruder")
    tls = connect(address, identity.client_context())
    tls.recv(4)  # the door's hello begins
    tls.sendall((20).to_bytes(4, "big") + b"{not json, at all!!}")
    tls.settimeout(20)
    try:
        while tls.recv(65536):
            pass
    except (ssl.SSLError, OSError):
        pass
    print("closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
