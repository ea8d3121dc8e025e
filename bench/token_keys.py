"""Bearer-token checks during a key rotation: what keeping the old key version costs.

While a rotated token key is in its grace period every kept version verifies, so a token
signed by the old version costs a second HMAC. Timed: `BearerTokens.subject` (signature
and expiry, no graph read) with one key version (the baseline), with two versions for a
token of the newest, and with two versions for a token of the old one (each the best of
five rounds). The keys live in a local secret store in a temporary folder; the user is a
bench user in the graph.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from bench.api_support import bench_user
from governance.api_keys import TOKEN_KEY_NAME, BearerTokens, TokenKeys, new_token_key
from governance.local_secrets import LocalSecretStore
from graph.graph import Graph

CHECKS = 10_000
ROUNDS = 5


async def _per_check(tokens: BearerTokens, token: str) -> float:
    """Microseconds per `subject` check of `token`, the best of `ROUNDS` rounds."""
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CHECKS):
            await tokens.subject(token)
        rounds.append((time.perf_counter() - start) / CHECKS * 1e6)
    return min(rounds)


async def run(graph: Graph) -> list[str]:
    """The three timings and their ratios to the one-key baseline."""
    hour = timedelta(hours=1)
    async with bench_user(graph) as user:
        with tempfile.TemporaryDirectory() as folder:
            store = LocalSecretStore(Path(folder), os.urandom(32))
            tokens = BearerTokens(graph, TokenKeys(store))
            old = await tokens.issue_token(user.id, hour)
            baseline = await _per_check(tokens, old)
            await asyncio.to_thread(store.put, TOKEN_KEY_NAME, SecretStr(new_token_key()), cas=1)
            tokens = BearerTokens(graph, TokenKeys(store))  # read once, kept for the run
            new = await tokens.issue_token(user.id, hour)
            newest = await _per_check(tokens, new)
            previous = await _per_check(tokens, old)
    return [
        f"one key version: {baseline:.1f} µs per token check (baseline)",
        f"two versions, token of the newest: {newest:.1f} µs ({newest / baseline:.2f}x)",
        f"two versions, token of the old one: {previous:.1f} µs ({previous / baseline:.2f}x)",
    ]
