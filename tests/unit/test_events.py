from __future__ import annotations

from graph.events import DomainEvent, EventType, channel_for


def test_event_round_trips_through_json() -> None:
    event = DomainEvent(type=EventType.INGESTION_COMPLETED, subject="doc-1", payload={"rows": 3})
    again = DomainEvent.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.channel == "grace.events.ingestion.completed"


def test_each_type_has_its_own_channel() -> None:
    channels = {channel_for(event_type) for event_type in EventType}
    assert len(channels) == len(EventType)
