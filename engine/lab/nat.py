"""Two homes, each behind its own NAT router, and a public network between them.

::

    home-a 192.168.1.2 ── 192.168.1.1 router-a 100.64.0.11 ──┐
                                        (MASQUERADE)         ├─ bridge in "public"
    home-b 192.168.2.2 ── 192.168.2.1 router-b 100.64.0.12 ──┘   100.64.0.1: mailbox,
                                                                  coturn (STUN + TURN)

Each router masquerades its home behind its public address (iptables: the source port is
kept when it can be, one mapping per source, and only replies come in: a port-restricted
cone NAT, the common home router), so the homes cannot reach each other until
ICE punches through with STUN; :meth:`NatLab.block_udp_between_homes` drops UDP between
the two routers so only the TURN relay gets through, :meth:`NatLab.block_udp` drops all
forwarded UDP (the relay must be reached over TCP), and :meth:`NatLab.cut` takes a home's
link down and up. Only these private addresses are used; nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from .netns import Namespaces, namespaces, run

PUBLIC_IP = "100.64.0.1"
_ROUTER_WAN = {"a": "100.64.0.11", "b": "100.64.0.12"}
_HOME_NET = {"a": "192.168.1", "b": "192.168.2"}


@dataclass
class NatLab:
    spaces: Namespaces
    public: str
    homes: dict[str, str]  # "a"/"b" -> namespace
    routers: dict[str, str]

    public_ip = PUBLIC_IP

    def home_ip(self, home: str) -> str:
        return f"{_HOME_NET[home]}.2"

    def router_wan(self, home: str) -> str:
        return _ROUTER_WAN[home]

    def block_udp_between_homes(self) -> None:
        """UDP from one home to the other's router is dropped: no direct path, only relay."""
        for home, other in (("a", "b"), ("b", "a")):
            self._iptables(home, "-I", "FORWARD", "-p", "udp", "-d", _ROUTER_WAN[other],
                           "-j", "DROP")  # fmt: skip

    def block_udp(self) -> None:
        """All UDP out of both homes is dropped: TURN must be reached over TCP."""
        for home in ("a", "b"):
            self._iptables(home, "-I", "FORWARD", "-p", "udp", "-j", "DROP")

    def cut(self, home: str, up: bool) -> None:
        """Take the home's link to its router down (``up=False``) or bring it back."""
        run(["ip", "-n", self.routers[home], "link", "set", "lan", "up" if up else "down"])

    def _iptables(self, home: str, *rule: str) -> None:
        run(["ip", "netns", "exec", self.routers[home], "iptables", *rule])


def _rest_of_the_internet(namespace: str) -> None:
    """A default route into a veth pair that leads nowhere: packets for anywhere else (a
    peer's private address, say) vanish silently, as on the internet. Without it the
    sender gets "network unreachable" at once, and coturn, sending a peer's check to a
    home's private address, gets that error on its relay socket, after which the
    allocation relays nothing."""
    run(["ip", "-n", namespace, "link", "add", "inet", "type", "veth", "peer", "name", "sink"])
    for device in ("inet", "sink"):  # the far end has no address: what arrives is dropped
        run(["ip", "-n", namespace, "link", "set", device, "up"])
    run(["ip", "-n", namespace, "route", "add", "default", "dev", "inet"])


def _build(spaces: Namespaces) -> NatLab:
    public = spaces.add("pub")
    run(["ip", "-n", public, "link", "add", "br0", "type", "bridge"])
    run(["ip", "-n", public, "addr", "add", f"{PUBLIC_IP}/24", "dev", "br0"])
    run(["ip", "-n", public, "link", "set", "br0", "up"])
    _rest_of_the_internet(public)
    homes, routers = {}, {}
    for home in ("a", "b"):
        router, inside = spaces.add(f"r{home}"), spaces.add(f"h{home}")
        routers[home], homes[home] = router, inside
        net = _HOME_NET[home]
        # each pair is made inside its namespaces: no name ever appears in the root one
        run(["ip", "-n", inside, "link", "add", "eth0", "type", "veth",
             "peer", "name", "lan", "netns", router])  # fmt: skip
        run(["ip", "-n", router, "link", "add", "wan", "type", "veth",
             "peer", "name", f"p{home}", "netns", public])  # fmt: skip
        run(["ip", "-n", public, "link", "set", f"p{home}", "master", "br0"])
        run(["ip", "-n", public, "link", "set", f"p{home}", "up"])
        for ns, dev, address in (
            (inside, "eth0", f"{net}.2/24"),
            (router, "lan", f"{net}.1/24"),
            (router, "wan", f"{_ROUTER_WAN[home]}/24"),
        ):
            run(["ip", "-n", ns, "addr", "add", address, "dev", dev])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "-n", inside, "route", "add", "default", "via", f"{net}.1"])
        _rest_of_the_internet(router)
        run(["ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        run(["ip", "netns", "exec", router, "iptables", "-t", "nat", "-A", "POSTROUTING",
             "-o", "wan", "-j", "MASQUERADE"])  # fmt: skip
        # Drop unsolicited packets from outside before conntrack confirms an entry for
        # them: otherwise a peer's first check, arriving before this home sent anything
        # to it, leaves an entry that makes the later outgoing mapping take another port
        # (Linux then behaves as a symmetric NAT). Home routers keep mappings stable.
        run(["ip", "netns", "exec", router, "iptables", "-t", "mangle", "-A", "PREROUTING",
             "-i", "wan", "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP"])  # fmt: skip
    return NatLab(spaces, public, homes, routers)


@contextlib.contextmanager
def nat_lab() -> Iterator[NatLab]:
    """Build the lab; everything (namespaces, processes in them) is gone on the way out."""
    with namespaces() as spaces:
        yield _build(spaces)
