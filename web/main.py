"""The workspace as uvicorn serves it (`make run`): `uvicorn web.main:app`, settings from the environment."""

from __future__ import annotations

from app.logging_setup import configure_logging
from app.settings import load_settings
from web.app import create_app

configure_logging()
app = create_app(load_settings())
