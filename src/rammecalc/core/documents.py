"""Every document kind, by the value of its top-level ``type`` key.

``models.DOCUMENT_KINDS`` holds the frame kinds (ramme, endringer, parametere); the accounts tables, sum
tables and links live in their own modules, which build on ``models``. Joining them here, rather than in
``models.py``, keeps the import graph a tree (``models`` never imports the modules that import it).
"""

from __future__ import annotations

from .accounts import ACCOUNTS_KIND, AccountsTable
from .links import LINKS_KIND, LinkSet
from .models import DOCUMENT_KINDS as FRAME_KINDS
from .models import Located
from .sums import SUMS_KIND, SumTable

DOCUMENT_KINDS: dict[str, type[Located]] = {
    **FRAME_KINDS, ACCOUNTS_KIND: AccountsTable, SUMS_KIND: SumTable, LINKS_KIND: LinkSet,
}
