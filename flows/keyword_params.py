"""Flow parameters named by Python keywords: the backfill deployment's ``from``.

Operators start a backfill with ``-p from=2016Q1 -p to=2017Q4`` (docs/operations.md).
``from`` cannot be a Python parameter name, and ``inspect.Parameter`` refuses it;
Prefect only reads the signature to name and type the deployment's parameters, and
the function receives them as ``**params``. This module is the one place that does
that surgery.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_REQUIRED = inspect.Parameter.empty


class _Keyword(inspect.Parameter):
    """A keyword-only parameter whose name may be a Python keyword; it pickles (a served
    flow run sends its flow, signature included, to the warm engine) by this module's
    own constructor, since ``inspect.Parameter`` would refuse the name."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_keyword_only, (self.name, self.annotation, self.default))


def _keyword_only(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    p = _Keyword("_", inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
    setattr(p, "_name", name)  # noqa: B010 - the slot behind Parameter.name
    return p


def keyword_signature(
    name: str, params: Sequence[tuple[str, Any]], returns: Any
) -> Callable[[F], F]:
    """Give a ``**params`` function a signature of keyword-only parameters and a name.

    A parameter whose annotation admits None defaults to None; the others are required.
    """

    def apply(fn: F) -> F:
        def default(annotation: Any) -> Any:
            return None if type(None) in getattr(annotation, "__args__", ()) else _REQUIRED

        fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [_keyword_only(n, a, default(a)) for n, a in params], return_annotation=returns
        )
        fn.__annotations__ = {**dict(params), "return": returns}
        fn.__name__ = fn.__qualname__ = name
        return fn

    return apply
