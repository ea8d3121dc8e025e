"""Daily token budgets of the model, per user and for everyone (issue 17, item 8), counted
in Redis under keys that expire after two days."""

from __future__ import annotations

from datetime import UTC, datetime

from redis.asyncio import Redis

from copilot.errors import BudgetExhaustedError

KEY_TTL_SECONDS = 2 * 86_400


class TokenBudget:
    """Refuses a model call once today's tokens reach a limit; counts what calls used."""

    def __init__(self, redis: Redis, *, per_user: int, overall: int) -> None:
        self._redis = redis
        self.per_user = per_user
        self.overall = overall

    @staticmethod
    def _keys(user: str) -> tuple[str, str]:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return f"grace:copilot:tokens:{day}:user:{user}", f"grace:copilot:tokens:{day}:all"

    async def check(self, user: str) -> None:
        """`BudgetExhaustedError` when the user's or everyone's budget for today is spent."""
        user_key, all_key = self._keys(user)
        used_user, used_all = await self._redis.mget([user_key, all_key])
        if int(used_all or 0) >= self.overall:
            raise BudgetExhaustedError("global", self.overall)
        if int(used_user or 0) >= self.per_user:
            raise BudgetExhaustedError(f"per-user ({user})", self.per_user)

    async def spend(self, user: str, tokens: int) -> None:
        """Add the tokens of a call to the user's and everyone's count for today."""
        if tokens <= 0:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(user):
                pipe.incrby(key, tokens)
                pipe.expire(key, KEY_TTL_SECONDS)
            await pipe.execute()
