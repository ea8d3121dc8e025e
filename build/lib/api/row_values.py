"""What a caller sees of rows' values: personal fields only for those allowed to read them.

Tables mark personal fields `pii: true`; their stored values are usually `enc:v1:` tokens
(`governance.encrypted_rows`), and a policy may have encrypted other fields too. A caller
with `Action.READ_PII` on the table gets them decrypted; everyone else gets them as null,
named in `redacted`. A token that does not decrypt is redacted for everyone and logged
without its value, so one bad row never breaks a list. Used by GraphQL and by exports.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from api.gql.access import Access
from governance.encrypted_rows import field_context
from governance.encryption import FieldCipher
from governance.errors import FieldDecryptionError, KeyVersionError
from governance.rbac import Action
from graph.graph import Graph

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VisibleValues:
    """A row's values as one caller sees them, and the fields hidden from that caller."""

    values: dict[str, JsonValue]
    redacted: list[str]


async def pii_fields(graph: Graph, tables: Collection[str]) -> dict[str, frozenset[str]]:
    """The fields any version of each table marks `pii` (a table without any: empty)."""
    records = await graph.read("api/catalog_pii_fields", {"tables": sorted(tables)})
    found: dict[str, set[str]] = {table: set() for table in tables}
    for record in records:
        fields = json.loads(record["fields"])
        found[record["table"]].update(name for name, spec in fields.items() if spec.get("pii"))
    return {table: frozenset(names) for table, names in found.items()}


class RowValues:
    """Shows rows' values to one caller; build one per request (or per export)."""

    def __init__(
        self,
        cipher: FieldCipher,
        personal: Mapping[str, frozenset[str]],
        readable_pii: frozenset[str],
    ) -> None:
        self._cipher = cipher
        self._personal = personal
        self._readable_pii = readable_pii

    @classmethod
    async def for_caller(
        cls, access: Access, graph: Graph, cipher: FieldCipher, tables: Collection[str]
    ) -> RowValues:
        """The view of `access`'s caller on rows of `tables` (one query for their pii fields)."""
        personal = await pii_fields(graph, tables)
        return cls(cipher, personal, await access.tables(Action.READ_PII))

    def visible(
        self, table: str, values: Mapping[str, JsonValue], *, row: str = ""
    ) -> VisibleValues:
        """The values the caller may see (this may unwrap keys: call off the event loop)."""
        personal = self._personal.get(table, frozenset())
        shown: dict[str, JsonValue] = {}
        redacted: list[str] = []
        allowed = table in self._readable_pii
        for name, value in values.items():
            token = FieldCipher.is_encrypted(value)
            if not (token or name in personal):
                shown[name] = value
            elif not allowed:
                shown[name] = None
                redacted.append(name)
            elif not token:
                shown[name] = value
            else:
                shown[name] = self._decrypt(table, name, str(value), row, redacted)
        return VisibleValues(shown, redacted)

    async def visible_many(
        self, rows: Sequence[tuple[str, str, Mapping[str, JsonValue]]]
    ) -> list[VisibleValues]:
        """`visible` for (table, row id, values) triples, decrypting in a worker thread."""
        if not any(table in self._readable_pii for table, _, _ in rows):
            return [self.visible(table, values, row=row) for table, row, values in rows]
        return await asyncio.to_thread(
            lambda: [self.visible(table, values, row=row) for table, row, values in rows]
        )

    def _decrypt(
        self, table: str, name: str, token: str, row: str, redacted: list[str]
    ) -> JsonValue:
        try:
            return self._cipher.decrypt(token, context=field_context(table, name))
        except (FieldDecryptionError, KeyVersionError) as error:
            log.warning(
                "field %s/%s of row %s not decrypted, redacted: %s",
                table,
                name,
                row,
                error.reason,
            )
            redacted.append(name)
            return None
