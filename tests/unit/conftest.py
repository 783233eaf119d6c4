"""Make the checkout importable as ansible_collections.netai.vlm_server.

collections/ansible_collections/netai/vlm_server is a relative link to the
repository root (the same link lets playbooks in the checkout find the
collection), so putting collections/ on sys.path is enough.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLLECTIONS = Path(__file__).resolve().parents[2] / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
