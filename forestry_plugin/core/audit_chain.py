"""The audit log's hash chain: each row's hash covers its content and the previous row's hash.

Pure Python, shared by the plugin (which writes and verifies the chain in the working copy) and the platform
(which refuses uploads that do not continue its own copy of a working copy's chain). A row rewritten, removed
or inserted anywhere breaks every hash after it. Tamper-evident, not tamper-proof: whoever recomputes the whole
chain of rows not yet uploaded is caught only by the copy that the platform already holds.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

GENESIS = ""  # prev_hash of a chain's first row

# The content the hash covers, in this order. user_name/role/identity are what the acting person was when the
# row was made; the platform records its own view (from the token) beside them.
HASHED_FIELDS: Tuple[str, ...] = ("patch_id", "action", "from_stage", "to_stage", "user_name", "display_name",
                                  "role", "identity", "reason", "comment", "approval_ref", "patch_version", "at")


def _norm(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


def row_hash(row: Dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 (hex) of a row's content chained to `prev_hash`."""
    content = [_norm(row.get(k)) for k in HASHED_FIELDS]
    text = (prev_hash or GENESIS) + "\n" + json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_break(rows: Iterable[Dict[str, Any]], start_hash: str = GENESIS) -> Optional[Tuple[int, str]]:
    """(index, what is wrong) of the first row that does not continue the chain from `start_hash`, else None."""
    prev = start_hash or GENESIS
    for i, r in enumerate(rows):
        if (r.get("prev_hash") or GENESIS) != prev:
            return i, "prev_hash does not continue the chain"
        if r.get("row_hash") != row_hash(r, prev):
            return i, "row_hash does not match the row's content"
        prev = r["row_hash"]
    return None


def seal(rows: List[Dict[str, Any]], prev_hash: str = GENESIS) -> str:
    """Fill prev_hash/row_hash of `rows` in order, continuing `prev_hash`; returns the new head hash."""
    prev = prev_hash or GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["row_hash"] = prev = row_hash(r, prev)
    return prev
