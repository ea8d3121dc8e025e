"""Messages of a subscription websocket (graphql-transport-ws), checked as they arrive with
the same rules as HTTP requests (`api/gql/http_requests.py`): a message that is not a JSON
object, or a `subscribe` of the wrong shape, closes the connection with 4400 and a reason;
a document of several operations without `operationName` is refused for that subscription
alone. Nothing a client sends ends in a server error."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from api.gql.context import GraceContext
from api.gql.http_requests import (
    MALFORMED,
    RequestRefusedError,
    decode_json,
    kind,
    operation_of,
    refusal_body,
    selected_operation,
)

BAD_REQUEST_CLOSE = 4400


class GraceWebSocketAdapter(ASGIWebSocketAdapter):
    """Reads each message as a JSON object decoded like an HTTP request's JSON."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        """Every message, until the client disconnects; one that is not a JSON object (or
        too deep) ends the stream with `NonJsonMessageReceived` unless parsing errors are
        ignored."""
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    message = decode_json(text)
                    if not isinstance(message, dict):
                        raise RequestRefusedError(400, MALFORMED, f"a message, not {kind(message)}")
                except RequestRefusedError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                yield message
        except KeyError as error:  # a binary frame: Starlette finds no "text"
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            return


class GraceTransportWSHandler(BaseGraphQLTransportWSHandler[GraceContext, None]):
    """graphql-transport-ws, refusing a `subscribe` Strawberry would fail on."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Close (4400) on a `subscribe` without a string `id` or a well-formed payload;
        answer an `error` for a document of several operations without `operationName`."""
        if not self.connection_acknowledged:
            await super().handle_subscribe(message)  # closes with 4401
            return
        operation_id: object = message.get("id")
        try:
            if not isinstance(operation_id, str):
                raise RequestRefusedError(400, MALFORMED, "`id` of subscribe must be a string")
            request = operation_of(message.get("payload"), "the payload of subscribe")
        except RequestRefusedError as error:
            await self.websocket.close(BAD_REQUEST_CLOSE, error.reason)
            return
        try:
            selected_operation(request.query, request.operation_name)
        except RequestRefusedError as error:
            errors = refusal_body(error)["errors"]
            await self.send_message({"id": operation_id, "type": "error", "payload": errors})
            return
        await super().handle_subscribe(message)
