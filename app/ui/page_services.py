"""Pages receive the running app's services: `with_services` binds them to a page function for `ui.page`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from app.container import AppServices


def with_services(page: Callable[..., Any], services: AppServices) -> Callable[..., Any]:
    """`page(services, **query)` as the function NiceGUI serves: same name, query parameters and sync/async."""
    if inspect.iscoroutinefunction(page):

        @functools.wraps(page)
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return await page(services, *args, **kwargs)

    else:

        @functools.wraps(page)
        def bound(*args: Any, **kwargs: Any) -> Any:
            return page(services, *args, **kwargs)

    signature = inspect.signature(page)
    bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])  # type: ignore[attr-defined]
    del bound.__wrapped__  # NiceGUI reads the signature above, not the page's own
    return bound
