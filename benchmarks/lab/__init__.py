"""An emulated WAN link on this machine: three network namespaces, tbf and an NFQUEUE stage.

``sender -- router -- receiver``: two veth pairs, the router forwards, ``tbf`` on both of
the router's egress interfaces sets the rate (and the bottleneck queue), and an NFQUEUE
stage in the router (:mod:`.impair`, one process) holds every forwarded packet for half
the round trip and drops a configured fraction, independently in each direction. The kernel
here has no netem, so delay and loss are done in userspace; see :mod:`.impair` for why
NFQUEUE and not a forwarding process. Needs root, ``ip``, ``tc``, ``iptables`` and the
``netfilterqueue`` package; :func:`lab_missing` says which is absent.

Used by ``ferry bench --wan`` (:mod:`ferry.benchmarks.wan`) and tests/lab.
"""

from .netns import Lab, LinkSpec, lab_missing, open_lab

__all__ = ["Lab", "LinkSpec", "lab_missing", "open_lab"]
