"""A network lab on one machine: namespaces, NAT routers, a TURN server (needs root for the
namespaces; coturn alone runs anywhere). Used by the NAT tests and ``ferry demo --lab``."""

from .coturn import Coturn, coturn_missing

__all__ = ["Coturn", "coturn_missing"]
