"""Cache rows the reconciler drops because the forge no longer has them."""

from __future__ import annotations

from server.db.engine import Tx


class SqlCacheRepair:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def delete_pull(self, repo: str, number: int) -> bool:
        result = await self.tx.execute("DELETE FROM cached_pull_requests WHERE repo = :repo"
                                       " AND number = :number", {"repo": repo, "number": number})
        return bool(result.rowcount)
