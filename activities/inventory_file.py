"""Loading the data inventory from YAML or JSON (seed 001 §3.11)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from domain.requests.inventory import Inventory


def load_inventory(path: Path) -> Inventory:
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return Inventory.model_validate(raw)
