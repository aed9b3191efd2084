"""Doors of one event on the venue's LAN (docs/peers.md, DESIGN.md §7).

``trust``: the event's mesh secret, the certificates every door of the event can
make from it, the pairing payload; ``messages``: what doors say to each other, each
frame bounded and validated; ``node``: one door's part of the mesh (listening,
connecting, catch-up and push of the change log); ``discovery``: finding the other
doors with mDNS/DNS-SD.
"""

# How a pairing code begins (peers/trust.py makes and reads the rest); here, so a
# scan can tell one from a ticket without loading the cryptography behind it.
PAIRING_PREFIX = "DOORCHECK-PAIR:1:"
