"""Shared test set-up: hypothesis profiles.

Profiles (choose with ``--hypothesis-profile NAME``):
- ``default``: what ``python3 run.py test`` and CI use. No per-example deadline, because
  these machines are shared and timing is noisy; the fuzz tests pin their own example
  counts (10,000 each) with ``@settings``.
- ``thorough``: ten times the examples for the property and stateful tests, for a long run.
"""

import os
import tempfile

from hypothesis import HealthCheck, settings

# Identities and trusted peers made by tests (and by the `ferry` processes they start,
# which inherit this) go to a folder of their own, never to the user's ~/.config/ferry.
os.environ["FERRY_CONFIG_DIR"] = tempfile.mkdtemp(prefix="ferry-test-config-")

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    parent=settings.get_profile("default"),
    max_examples=1000,
)
settings.load_profile("default")
