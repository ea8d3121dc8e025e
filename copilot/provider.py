"""Model providers (issue 17, item 1): one interface, and the OpenAI-compatible
chat-completions provider over HTTP (OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio).

The key is a `SecretStr` sent as a bearer header and never logged or put in an error. Each
call has a timeout, is retried on connection errors, 429 and 5xx with a doubling delay, and
returns its token counts and cost; `stream` yields the text as it arrives.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from copilot.answers import Usage
from copilot.errors import ProviderError

log = logging.getLogger(__name__)
RETRIED_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: str  # system, user, assistant
    content: str


@dataclass(frozen=True)
class Completion:
    """A model's reply and what it cost."""

    text: str
    usage: Usage


class Provider(Protocol):
    """A chat model."""

    name: str

    async def complete(self, messages: Sequence[Message]) -> Completion:
        """The whole reply to `messages`."""
        ...

    def stream(self, messages: Sequence[Message]) -> AsyncIterator[Completion]:
        """The reply to `messages`, piece by piece (the usage on the piece that reports it)."""
        ...

    async def aclose(self) -> None:
        """Release the connections."""
        ...


@dataclass(frozen=True)
class Pricing:
    """Cost per 1,000 prompt and completion tokens."""

    prompt_per_1k: float = 0.0
    completion_per_1k: float = 0.0

    def usage(self, prompt_tokens: int, completion_tokens: int) -> Usage:
        """The usage of a call with its cost."""
        cost = (
            prompt_tokens * self.prompt_per_1k + completion_tokens * self.completion_per_1k
        ) / 1000
        return Usage(prompt_tokens, completion_tokens, cost)


class OpenAICompatibleProvider:
    """`POST {url}/chat/completions` with a model name and an optional bearer key."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        key: SecretStr | None = None,
        timeout: float = 60.0,
        retries: int = 2,
        max_tokens: int = 1024,
        pricing: Pricing = Pricing(),
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.name = f"{model}@{self.url}"
        self._key = key
        self._retries = retries
        self._max_tokens = max_tokens
        self._pricing = pricing
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._key is not None:
            headers["Authorization"] = f"Bearer {self._key.get_secret_value()}"
        return headers

    def _body(self, messages: Sequence[Message], stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": 0,
            "max_tokens": self._max_tokens,  # a reply never runs on to the end of the context
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, messages: Sequence[Message]) -> Completion:
        """The whole reply, retried on transient failures."""
        for attempt in range(self._retries + 1):
            try:
                response = await self._client.post(
                    f"{self.url}/chat/completions",
                    json=self._body(messages, stream=False),
                    headers=self._headers(),
                )
            except httpx.HTTPError as error:
                reason = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    return self._completion(response)
                reason = f"HTTP {response.status_code}"
                if response.status_code not in RETRIED_STATUS:
                    raise ProviderError(self.url, reason)
            if attempt < self._retries:
                log.warning("model call failed (%s); retry %d", reason, attempt + 1)
                await asyncio.sleep(0.2 * 2**attempt)
        raise ProviderError(self.url, f"{reason} after {self._retries + 1} attempts")

    def _completion(self, response: httpx.Response) -> Completion:
        try:
            body = response.json()
            text = str(body["choices"][0]["message"]["content"] or "")
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ProviderError(self.url, f"an unreadable reply ({error!r})") from error
        usage = body.get("usage") or {}
        return Completion(
            text,
            self._pricing.usage(
                int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            ),
        )

    async def stream(self, messages: Sequence[Message]) -> AsyncIterator[Completion]:
        """The reply as server-sent events arrive (no retry once text has been yielded)."""
        try:
            async with self._client.stream(
                "POST",
                f"{self.url}/chat/completions",
                json=self._body(messages, stream=True),
                headers=self._headers(),
            ) as response:
                if response.status_code != 200:
                    raise ProviderError(self.url, f"HTTP {response.status_code}")
                async for line in response.aiter_lines():
                    piece = self._piece(line)
                    if piece is not None:
                        yield piece
        except httpx.HTTPError as error:
            raise ProviderError(self.url, f"{type(error).__name__}: {error}") from error

    def _piece(self, line: str) -> Completion | None:
        """The text and usage of one `data: {...}` line of a streamed reply (None for
        anything else)."""
        data = line.removeprefix("data:").strip()
        if not line.startswith("data:") or data == "[DONE]":
            return None
        try:
            chunk = json.loads(data)
        except ValueError:
            return None
        choices = chunk.get("choices") or [{}]
        text = str((choices[0].get("delta") or {}).get("content") or "")
        usage = chunk.get("usage") or {}
        return Completion(
            text,
            self._pricing.usage(
                int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            ),
        )
