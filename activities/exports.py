"""Exports for access (Art. 15) and portability (Art. 20), encrypted, with the password sent apart.

Every export leaves as an AES-256 encrypted ZIP (WinZip AES, opens in 7-Zip, Windows 11,
macOS Archive Utility). The password is random per export, generated here with `secrets`,
and never returned to the workflow, so it is in no history. It waits in the register
database until `send_export_password` mails it to the key person, who gives it to the
requester by phone, SMS or in person: a second channel, so a mailbox that receives the
answer by mistake does not also receive the key. The stored password is deleted (on
SQLite overwritten, and the write-ahead log truncated) once that mail is sent.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyzipper
from sqlalchemy import Engine, delete, insert, select
from temporalio import activity

from activities.db import export_passwords, outbox
from activities.mail import MailActivities, message_id_for
from domain.requests.case import ExportPassword
from domain.requests.model import RequestType, SystemResult
from domain.kernel.model import Strict

# Unambiguous when read aloud or typed from an SMS: no 0/O, 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """Four groups of five: about 99 bits from `secrets`."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(4))


class ExportRequest(Strict):
    request_id: str
    type: RequestType
    systems: list[SystemResult]


class ExportActivities:
    """Encrypted exports: access (JSON) and portability (JSON + CSV + manifest), one ZIP per request."""

    def __init__(self, export_dir: Path, engine: Engine, mail: MailActivities) -> None:
        self._dir = export_dir
        self._engine = engine
        self._mail = mail

    @activity.defn(name="write_exports")
    def write_exports(self, req: ExportRequest) -> list[str]:
        folder = self._dir / req.request_id
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "indsigt" if req.type is RequestType.ACCESS else "dataportabilitet"
        path = folder / f"{req.request_id}-{suffix}.zip"
        if path.exists() and self._password(req.request_id, path.name) is not None:
            return [str(path)]  # a retry after the file and its password were stored: same export
        password = new_password()
        partial = path.with_suffix(".part")
        with pyzipper.AESZipFile(partial, "w", compression=pyzipper.ZIP_DEFLATED,
                                 encryption=pyzipper.WZ_AES) as archive:
            archive.setpassword(password.encode())
            archive.setencryption(pyzipper.WZ_AES, nbits=256)
            for name, content in _files(req):
                archive.writestr(name, content)
        with self._engine.begin() as conn:
            conn.execute(delete(export_passwords).where(export_passwords.c.request_id == req.request_id,
                                                        export_passwords.c.file_name == path.name))
            conn.execute(insert(export_passwords).values(request_id=req.request_id, file_name=path.name,
                                                         password=password, created_at=datetime.now(timezone.utc)))
        partial.replace(path)
        activity.logger.info("export written", extra={"request_id": req.request_id, "systems": len(req.systems)})
        return [str(path)]

    @activity.defn(name="send_export_password")
    def send_export_password(self, effect: ExportPassword) -> str:
        """Mail the stored password(s) to the key person, then forget them."""
        message_id = message_id_for(effect.mail.key)
        if self._already_sent(message_id):  # a retry after a crash between sending and forgetting
            self._forget(effect.mail.case_id)
            return message_id
        lines = []
        for name in (Path(f).name for f in effect.files):
            password = self._password(effect.mail.case_id, name)
            if password is None:  # e.g. the register database was restored: say so rather than fail the case
                activity.logger.warning("export password missing", extra={"request_id": effect.mail.case_id})
                lines.append(f"Adgangskoden til {name} findes ikke længere. Bed driften om at lave bilaget igen.")
            else:
                lines.append(f"Adgangskode til {name}: {password}")
        sep = effect.mail.body.find("\n\n-- \n")  # before the signature
        sep = len(effect.mail.body) if sep < 0 else sep
        body = effect.mail.body[:sep] + "\n\n" + "\n".join(lines) + effect.mail.body[sep:]
        sent = self._mail.send_mail(effect.mail.model_copy(update={"body": body}))
        self._forget(effect.mail.case_id)
        return sent

    def _forget(self, request_id: str) -> None:
        """Delete the stored passwords so that no copy stays in the database files either."""
        sqlite = self._engine.dialect.name == "sqlite"
        with self._engine.begin() as conn:
            if sqlite:  # overwrite the deleted row with zeros instead of leaving it in a free page
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            conn.execute(delete(export_passwords).where(export_passwords.c.request_id == request_id))
        if sqlite:  # the write-ahead log still holds the inserted row until it is checkpointed
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def _password(self, request_id: str, file_name: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(select(export_passwords.c.password).where(
                export_passwords.c.request_id == request_id, export_passwords.c.file_name == file_name)).scalar()

    def _already_sent(self, message_id: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(outbox.c.status).where(outbox.c.message_id == message_id)).scalar() == "sent"


def _files(req: ExportRequest) -> list[tuple[str, str]]:
    data: dict[str, dict[str, Any]] = {
        r.system_id: {"tables": {t.table: t.rows for t in r.tables}, "manual_result": r.manual_result}
        for r in req.systems}
    if req.type is RequestType.ACCESS:
        body = json.dumps({"request_id": req.request_id, "systems": data}, ensure_ascii=False, indent=2)
        return [(f"{req.request_id}-indsigt.json", body)]
    files: list[tuple[str, str]] = []
    manifest: dict[str, Any] = {"request_id": req.request_id, "format": "JSON and CSV (UTF-8), one file per table",
                                "files": []}
    for system_id, content in data.items():
        for table, rows in content["tables"].items():
            base = f"{system_id}/{table}"
            files += [(f"{base}.json", json.dumps(rows, ensure_ascii=False, indent=2)), (f"{base}.csv", _csv(rows))]
            manifest["files"] += [{"path": f"{base}.json", "system": system_id, "table": table, "rows": len(rows)},
                                  {"path": f"{base}.csv", "system": system_id, "table": table, "rows": len(rows)}]
        if content["manual_result"]:
            files.append((f"{system_id}/manual.txt", content["manual_result"]))
            manifest["files"].append({"path": f"{system_id}/manual.txt", "system": system_id})
    files.append(("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)))
    return files


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()
