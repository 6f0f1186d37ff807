"""Exports for access (Art. 15) and portability (Art. 20): machine-readable files written per request."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from temporalio import activity

from domain.dsr_model import RequestType, SystemResult
from domain.model import Strict


class ExportRequest(Strict):
    request_id: str
    type: RequestType
    systems: list[SystemResult]


class ExportActivities:
    """Machine-readable exports: access (JSON) and portability (one archive, JSON + CSV + manifest)."""

    def __init__(self, export_dir: Path) -> None:
        self._dir = export_dir

    @activity.defn(name="write_exports")
    def write_exports(self, req: ExportRequest) -> list[str]:
        folder = self._dir / req.request_id
        folder.mkdir(parents=True, exist_ok=True)
        data = {r.system_id: {"tables": {t.table: t.rows for t in r.tables}, "manual_result": r.manual_result}
                for r in req.systems}
        if req.type is RequestType.ACCESS:
            path = folder / f"{req.request_id}-indsigt.json"
            path.write_text(json.dumps({"request_id": req.request_id, "systems": data}, ensure_ascii=False, indent=2))
            return [str(path)]
        path = folder / f"{req.request_id}-dataportabilitet.zip"
        manifest: dict[str, Any] = {"request_id": req.request_id, "format": "JSON and CSV (UTF-8), one file per table",
                                    "files": []}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for system_id, content in data.items():
                for table, rows in content["tables"].items():
                    base = f"{system_id}/{table}"
                    archive.writestr(f"{base}.json", json.dumps(rows, ensure_ascii=False, indent=2))
                    archive.writestr(f"{base}.csv", _csv(rows))
                    manifest["files"] += [{"path": f"{base}.json", "system": system_id, "table": table,
                                           "rows": len(rows)}, {"path": f"{base}.csv", "system": system_id,
                                                                "table": table, "rows": len(rows)}]
                if content["manual_result"]:
                    archive.writestr(f"{system_id}/manual.txt", content["manual_result"])
                    manifest["files"].append({"path": f"{system_id}/manual.txt", "system": system_id})
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        return [str(path)]


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()
