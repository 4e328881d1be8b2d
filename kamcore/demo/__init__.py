"""The demo database: invented clients, lines and relationship data with planted stories.

``build`` composes the parts (``generate``); ``stories`` holds the planted stories and their self-check;
``clients``, ``transactions`` and ``relationships`` generate the tables; ``words`` the word lists;
``common`` the calendar and small helpers; ``write`` puts it all into the store.
"""
from kamcore.demo.build import generate  # noqa: F401
from kamcore.demo.common import default_end  # noqa: F401
from kamcore.demo.stories import CONTACT_GAPS, KEY_BY_HAND, MIN_CLIENTS, PLANTED  # noqa: F401
