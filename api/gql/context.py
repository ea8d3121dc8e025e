"""The typed context every resolver receives: the process's services, the caller's
`Access`, and the DataLoaders of this request (or of one subscription event)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from api.services import Services
from governance.rbac import Principal

LoaderT = TypeVar("LoaderT", bound=DataLoader[Any, Any])


class GraceContext(BaseContext):
    """Per request: who is calling and the loaders that batch this request's reads."""

    def __init__(
        self, services: Services, principal: Principal | None, *, websocket: bool = False
    ) -> None:
        super().__init__()
        self.services = services
        self.over_websocket = websocket
        """A websocket carries subscriptions only (its caller is checked per event)."""
        self.access = services.access(principal)
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    @property
    def principal(self) -> Principal | None:
        """The authenticated caller, or None for an anonymous one."""
        return self.access.principal

    def authenticate_as(self, principal: Principal) -> None:
        """Bind a principal proved after the context was made (a websocket's connection_init)."""
        self.access = self.services.access(principal)
        self._loaders.clear()

    def fresh(self) -> GraceContext:
        """A context for the same caller with new loaders and access (one subscription event)."""
        return GraceContext(self.services, self.principal, websocket=self.over_websocket)

    def with_new_loaders(self) -> GraceContext:
        """A context for the same `Access` with loaders of its own (one subscription event
        whose rights, checked for an earlier event, still serve)."""
        scoped = GraceContext(self.services, None, websocket=self.over_websocket)
        scoped.access = self.access
        return scoped

    def loader(self, factory: Callable[[GraceContext], LoaderT]) -> LoaderT:
        """The DataLoader `factory` builds, made once per context so reads batch and cache."""
        existing = self._loaders.get(factory)
        if existing is None:
            existing = factory(self)
            self._loaders[factory] = existing
        return existing  # type: ignore[return-value]


GraceInfo = Info[GraceContext, None]
