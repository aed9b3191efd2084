"""Doors of one event find each other with mDNS/DNS-SD (python-zeroconf).

Each door announces ``_doorcheck._tcp.local.`` with its port and two TXT entries:
``mesh``, an id derived from the event's mesh secret (trust.MeshSecret.mesh_id: it
tells doors of the same event apart from others and says nothing of the secret),
and ``door``, its door id. A door that finds an announcement of its own mesh dials
it; whether the other end really is a door of the event is decided by the TLS
handshake, never by the announcement (anyone on the Wi-Fi can announce anything).

Venue Wi-Fi often isolates clients or drops multicast: then nothing is found, and
addresses typed in (``--peer``) or carried in a pairing code still work; the
doors a door reaches pass on the addresses of the others (node.py).

mDNS is quiet once started: a few announcements and queries in the first seconds,
then nothing until a record is due to be refreshed (an hour and more). So a door
whose network comes up later (Wi-Fi joined after the kiosk started, a cable plugged
in, an address from DHCP) would never be heard of nor hear of the others. Discovery
therefore looks at the network every 2 s (the IPv4 addresses, and on Linux whether
each link is up) and, when it changed, starts again on what there is now: announced
anew and queries sent anew, as RFC 6762 (section 8.3) asks of a host whose
connectivity changed.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_doorcheck._tcp.local."
LOOKUP_MS = 3000
MAX_ADDRESSES = 8
NETWORK_POLL_SECONDS = 2.0


class Discovery:
    """Announce this door and report the doors of the same mesh that are found."""

    def __init__(
        self,
        mesh_id: str,
        door_id: str,
        port: int,
        on_found: Callable[[str], None],
        *,
        interfaces: Sequence[str] | None = None,
    ) -> None:
        self.mesh_id = mesh_id
        self.door_id = door_id
        self.port = port
        self.on_found = on_found
        self._interfaces = list(interfaces) if interfaces else None
        self._zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._info: ServiceInfo | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._follower: threading.Thread | None = None

    def start(self) -> None:
        """Announce and browse, and again whenever the network changes. Fails quietly
        (logged) where multicast does not work."""
        network = _network()
        with self._lock:
            self._begin()
        self._follower = threading.Thread(
            target=self._follow, args=(network,), name="mesh-discovery", daemon=True
        )
        self._follower.start()

    def _follow(self, network: tuple[str, ...]) -> None:
        """Start again on the network as it is now when it changed (module docstring)."""
        while not self._stopping.wait(NETWORK_POLL_SECONDS):
            try:
                now = _network()
            except Exception as exc:  # an odd interface: look again next time
                log.debug("mesh: could not look at the network (%s)", type(exc).__name__)
                continue
            if now == network:
                continue
            network = now
            log.info("mesh: the network changed; announcing this door again")
            with self._lock:
                if self._stopping.is_set():
                    return
                self._end()
                self._begin()

    def _begin(self) -> None:
        interfaces = self._interfaces or _all()
        # Announce where others can reach this door: not loopback, unless that is
        # all there is (doors on one machine, as in the tests).
        announced = [a for a in interfaces if not a.startswith("127.")] or interfaces
        try:
            zc = Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
        except OSError as exc:
            log.warning("mesh: discovery unavailable here (%s); doors typed in still work",
                        type(exc).__name__)  # fmt: skip
            return
        self._zeroconf = zc
        # A name of its own per run: a door restarted at once must not collide with
        # its own earlier announcement still cached by the others.
        name = f"door-{self.door_id[:12]}-{uuid.uuid4().hex[:6]}.{SERVICE_TYPE}"
        self._info = ServiceInfo(
            SERVICE_TYPE,
            name,
            port=self.port,
            properties={"mesh": self.mesh_id, "door": self.door_id},
            server=f"doorcheck-{self.door_id[:12]}.local.",
            parsed_addresses=announced,
        )
        try:
            zc.register_service(self._info, allow_name_change=True)
        except Exception as exc:  # a LAN that refuses: the door goes on without
            log.warning("mesh: this door could not be announced (%s)", type(exc).__name__)
        self._browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[self._changed])

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._end()
        if self._follower is not None:
            self._follower.join(NETWORK_POLL_SECONDS * 2)
            self._follower = None

    def _end(self) -> None:
        zc, self._zeroconf = self._zeroconf, None
        if zc is None:
            return
        try:
            if self._browser is not None:
                self._browser.cancel()
            if self._info is not None:
                zc.unregister_service(self._info)
        except Exception as exc:  # closing anyway
            log.debug("mesh: discovery stopped with %s", type(exc).__name__)
        finally:
            self._browser = None
            self._info = None
            zc.close()

    def _changed(self, **event: Any) -> None:
        """The browser's thread: a door announced, changed or gone."""
        if event.get("state_change") not in (ServiceStateChange.Added, ServiceStateChange.Updated):
            return
        zc, name = event.get("zeroconf"), event.get("name")
        if not isinstance(zc, Zeroconf) or not isinstance(name, str):
            return
        info = zc.get_service_info(SERVICE_TYPE, name, timeout=LOOKUP_MS)
        if info is None or info.port is None:
            return
        found = found_address(info.properties, self.mesh_id, self.door_id)
        if not found:
            return
        for address in info.parsed_addresses()[:MAX_ADDRESSES]:
            self.on_found(f"{address}:{info.port}")


def found_address(properties: dict[bytes, bytes | None], mesh_id: str, door_id: str) -> bool:
    """Whether an announcement is another door of this mesh (untrusted input: only
    compared, never shown or stored)."""
    mesh = properties.get(b"mesh")
    door = properties.get(b"door")
    return mesh == mesh_id.encode() and door is not None and door != door_id.encode()


def _all() -> list[str]:
    """This laptop's IPv4 addresses, loopback last (tests on one machine use it)."""
    import ifaddr

    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and ip.ip not in found:
                found.append(ip.ip)
    return sorted(found, key=lambda a: a.startswith("127.")) or [socket.gethostbyname("localhost")]


def lan_addresses() -> list[str]:
    """Where other doors may reach this laptop: its IPv4 addresses, loopback last
    (for a pairing code to carry)."""
    return _all()


def _network() -> tuple[str, ...]:
    """What discovery depends on: the IPv4 addresses, and where the OS says so
    (Linux), whether each link is up (an address stays while a cable is out)."""
    links: list[str] = []
    net = Path("/sys/class/net")
    if net.is_dir():
        for link in sorted(net.iterdir()):
            try:
                links.append(f"{link.name}={(link / 'operstate').read_text().strip()}")
            except OSError:
                continue
    return (*sorted(_all()), *links)
