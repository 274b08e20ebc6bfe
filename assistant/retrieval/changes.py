"""The chunk ids each recent change of a knowledge base added and removed, so a reader's BM25 store can take up
a change without listing the whole collection. Kept in the metadata of a companion collection (no records), read
only when syncing, never on the query path; bounded, so an old reader finds its chain broken and lists instead."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

LOG_KEY = "changes"
MAX_LOGGED_IDS = 50_000  # ids kept over all logged changes; the oldest changes go first


@dataclass
class Delta:
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)


class ChangeLog:
    def __init__(self, client, name: str):
        self.client, self.name = client, name

    def record(self, before: str, after: str, added: list[str], removed: list[str]) -> None:
        entries = self._entries() + [{"from": before, "to": after, "added": added, "removed": removed}]
        while entries and sum(len(e["added"]) + len(e["removed"]) for e in entries) > MAX_LOGGED_IDS:
            entries.pop(0)
        self._collection().modify(metadata={LOG_KEY: json.dumps(entries)})

    def clear(self) -> None:
        self._collection().modify(metadata={LOG_KEY: "[]"})

    def since(self, version: str, current: str) -> Delta | None:
        """What changed from `version` to `current`, applied in order; None when the log does not link them
        (a change older than the log, or a record lost to two writers at once): then the caller lists."""
        following = {e["from"]: e for e in self._entries()}
        delta, at, steps = Delta(), version, 0
        while at != current:
            entry = following.get(at)
            if entry is None or steps > len(following):
                return None
            delta.added = (delta.added - set(entry["removed"])) | set(entry["added"])
            delta.removed = (delta.removed - set(entry["added"])) | set(entry["removed"])
            at, steps = entry["to"], steps + 1
        return delta

    def _entries(self) -> list[dict]:
        return json.loads((self._collection().metadata or {}).get(LOG_KEY, "[]"))

    def _collection(self):
        return self.client.get_or_create_collection(self.name, embedding_function=None, metadata={LOG_KEY: "[]"})
