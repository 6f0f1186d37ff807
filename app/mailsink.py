"""A local SMTP server that keeps every message: as .eml files (make run) or in memory (tests).

Files are named after the Message-ID, so a resent message replaces itself instead of
appearing twice.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class KeepingHandler:
    """Keeps each received message in memory and, if a folder is given, as an .eml file."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        if folder:
            folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        raw = envelope.original_content or envelope.content
        msg = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        if self.folder:
            name = hashlib.sha256(str(msg.get("Message-ID", "")).encode()).hexdigest()[:24]
            (self.folder / f"{msg.get('X-GDPR-Case', 'mail')}-{name}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)


def start_sink(host: str, port: int, folder: Path | None = None) -> tuple[Controller, KeepingHandler]:
    handler = KeepingHandler(folder)
    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    return controller, handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink that stores mail as .eml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("data/mail"))
    args = parser.parse_args()
    controller, _ = start_sink(args.host, args.port, args.dir)
    print(f"mail sink: smtp://{args.host}:{args.port} -> {args.dir}/", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
