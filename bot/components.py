"""Loading configured components by import path (`module:attribute`), as Rasa loads channels.

This keeps the core free of static imports of `nlu/` (torch) and `connectors/`.
"""

from __future__ import annotations

import importlib
from typing import Any


def load_object(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected 'module:attribute', got {path!r}")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError as error:
        raise ValueError(f"{module_name} has no attribute {attribute!r}") from error
