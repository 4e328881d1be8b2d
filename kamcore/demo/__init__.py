"""The demo database: invented clients, lines and relationship data with planted stories (``build``)."""
from kamcore.demo.build import (CONTACT_GAPS, KEY_BY_HAND, MIN_CLIENTS, PLANTED, default_end, generate)  # noqa: F401
