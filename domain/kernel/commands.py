"""What every human action on a case carries, breach or request: its actor; and the DPO's review.

One model per Temporal update; each names its actor. The breach commands (domain/breach/commands.py) and the
request commands (domain/requests/model.py) build on these.
"""

from __future__ import annotations

from pydantic import model_validator

from domain.kernel.model import Actor, Strict, Text


class Command(Strict):
    actor: Actor


class Review(Command):
    """The DPO approves or rejects what is under review; a rejection says what to change."""

    approve: bool
    comments: Text | None = None

    @model_validator(mode="after")
    def _comments_on_reject(self) -> Review:
        if not self.approve and not self.comments:
            raise ValueError("comments: a rejection must say what to change")
        return self
