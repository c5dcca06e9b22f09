"""Backends turn a conversation and a prompt into a `Draft`: one protocol, one registry.

Built-in backends are listed by module so that choosing `rules` never imports the OpenAI SDK;
a module registers its class with `@register_backend` when it is imported. A third-party
backend is one module with one decorated class.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from harness.backends.base import Backend, BackendError

_REGISTRY: dict[str, type] = {}
_BUILTIN_MODULES = {
    "rules": "harness.backends.rules",
    "openai": "harness.backends.openai",
    "local": "harness.backends.local",
}


def register_backend(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def backend_names() -> list[str]:
    return sorted({*_REGISTRY, *_BUILTIN_MODULES})


def create_backend(name: str, **options) -> Backend:
    """An instance of the backend called `name`; options are the backend's own (model, base_url...)."""
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    if name not in _REGISTRY:
        raise BackendError(f"unknown backend {name!r}; choose one of: {', '.join(backend_names())}")
    return _REGISTRY[name](**options)


__all__ = ["Backend", "BackendError", "backend_names", "create_backend", "register_backend"]
