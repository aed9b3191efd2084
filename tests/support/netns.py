"""A LAN of its own for doors: Linux network namespaces joined by a bridge.

One namespace, the hub, holds a bridge (the switch); each door has a namespace of
its own with one interface, ``eth0`` (10.74.0.N/24, multicast on), the other end of
a veth pair whose hub end is a port of the bridge. A door started inside its
namespace (``ip netns exec``) sees only that link and its own loopback, so doors
find each other by mDNS multicast over the bridge or not at all. Taking a door's
port on the bridge down (``unplug``) cuts it off at the link layer, as a pulled
cable or a Wi-Fi not yet joined; ``plug`` heals it.

Names carry a random part, so parallel runs (pytest-xdist) never collide; every
namespace made is deleted by ``close``, with any process still running in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Sequence

SUBNET = "10.74.0"


class NetnsUnavailableError(Exception):
    """Network namespaces cannot be made here (not root, no iproute2, a container
    that forbids them)."""


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


class Lan:
    """A hub namespace with a bridge, and a namespace per door plugged into it."""

    def __init__(self) -> None:
        if os.geteuid() != 0:
            raise NetnsUnavailableError("network namespaces need root")
        if shutil.which("ip") is None:
            raise NetnsUnavailableError("no `ip` command (iproute2)")
        self.tag = uuid.uuid4().hex[:8]
        self.hub = f"dc-hub-{self.tag}"
        self.namespaces: list[str] = []
        made = ip("netns", "add", self.hub, check=False)
        if made.returncode != 0:
            raise NetnsUnavailableError(f"`ip netns add` failed: {made.stderr.strip()}")
        self.namespaces.append(self.hub)
        try:
            self._in_hub("link", "set", "lo", "up")
            # Snooping off: the bridge floods multicast as a plain switch does.
            self._in_hub("link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
            self._in_hub("link", "set", "br0", "up")
        except RuntimeError as exc:  # no bridges here (a container without the module)
            self.close()
            raise NetnsUnavailableError(str(exc)) from exc

    def door(self, number: int) -> str:
        """The name of door ``number``'s namespace."""
        return f"dc-door-{self.tag}-{number}"

    def add_door(self, number: int) -> str:
        """A namespace for door ``number`` (1..250), plugged in; returns its name."""
        name = self.door(number)
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")
        port = self.port(number)
        self._in_hub("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", name)
        self._in_hub("link", "set", port, "master", "br0")
        self._in_hub("link", "set", port, "up")
        ip("-n", name, "addr", "add", f"{SUBNET}.{number}/24", "dev", "eth0")
        ip("-n", name, "link", "set", "eth0", "multicast", "on", "up")
        ip("-n", name, "route", "add", "224.0.0.0/4", "dev", "eth0")
        return name

    @staticmethod
    def port(number: int) -> str:
        return f"port{number}"

    def unplug(self, number: int) -> None:
        """Door ``number``'s port on the bridge down: nothing passes either way."""
        self._in_hub("link", "set", self.port(number), "down")

    def plug(self, number: int) -> None:
        self._in_hub("link", "set", self.port(number), "up")

    def command(self, namespace: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside ``namespace`` (``ip netns exec`` execs it: the process
        started is the command itself, so terminating it terminates the command)."""
        return ["ip", "netns", "exec", namespace, *argv]

    def close(self) -> None:
        """Every process left in these namespaces killed, every namespace deleted."""
        for name in reversed(self.namespaces):
            listed = ip("netns", "pids", name, check=False).stdout.split()
            for pid in listed:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            ip("netns", "del", name, check=False)
        self.namespaces.clear()

    def _in_hub(self, *args: str) -> None:
        ip("-n", self.hub, *args)
