"""Suite-wide settings: property tests are deterministic and never fail on timing.

The CI machines are shared and noisy, so hypothesis' per-example deadline is off, and examples
are derived from the test itself (derandomize) so that a failure reproduces on every run.
"""

from hypothesis import settings

settings.register_profile("salesops", deadline=None, derandomize=True)
settings.load_profile("salesops")
