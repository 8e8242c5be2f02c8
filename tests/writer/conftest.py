from __future__ import annotations

from pathlib import Path

import pytest

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(Path(tmp_path_factory.mktemp("writer-catalog")) / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    return catalog
