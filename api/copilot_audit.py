"""Every question answered by the co-pilot is audited, whichever way it came (GraphQL's `ask`
and `askStream`, MCP's `ask`, `grace ask`): who asked, the question, the Cypher run and how
many rows came back; never the rows' values, never a configured secret."""

from __future__ import annotations

import json

from pydantic import JsonValue

from copilot.answers import Answer
from governance.audit import AuditEntry, AuditLog
from graph.logs import Redactor
from graph.settings import Settings

ACTION = "copilot.ask"
MAX_QUESTION = 500
MAX_CYPHER = 2000


def ask_entry(actor: str, channel: str, answer: Answer, redact: Redactor) -> AuditEntry:
    """The audit entry of one answer; its target is readable JSON (the audit log keeps only a
    digest of `after`)."""
    record: dict[str, JsonValue] = {
        "channel": channel,
        "question": redact(answer.question[:MAX_QUESTION]),
        "cypher": redact(answer.cypher[:MAX_CYPHER]),
        "rows": len(answer.rows),
        "mode": str(answer.mode),
        "answered": answer.answered,
    }
    return AuditEntry(actor, ACTION, json.dumps(record, sort_keys=True), after=record)


async def audit_answer(
    audit: AuditLog, settings: Settings, actor: str, channel: str, answer: Answer
) -> Answer:
    """Append the entry of `answer` to the audit log; returns the answer."""
    await audit.append([ask_entry(actor, channel, answer, Redactor(settings.secrets))])
    return answer
