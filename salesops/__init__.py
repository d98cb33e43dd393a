"""salesops: notebook-driven analytics toolkit for sales operations.

Floors (each imports only floors below it): ``data`` -> ``analysis`` -> ``presentation``
-> ``orchestration``.
"""

__version__ = "0.1.0"
