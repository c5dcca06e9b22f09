"""Conversation records: what a generator reads and what the endpoint's store holds (DESIGN.md §2)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from harness.contract import Role
from harness.phone import E164_PATTERN, check_e164


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    content: str


class ConversationRecord(BaseModel):
    """One call: the caller's number in E.164, the organisation it belongs to, the messages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    org_id: str = Field(min_length=1)
    user_id: str = Field(pattern=E164_PATTERN, description="The caller's number in E.164.")
    created_at: AwareDatetime
    duration_seconds: int | None = Field(ge=0)
    messages: list[Message] = Field(min_length=1)

    @field_validator("user_id")
    @classmethod
    def _valid_number(cls, value: str) -> str:
        # The pattern only checks shape; libphonenumber knows which numbers exist.
        return check_e164(value)

    def turns(self, role: Role) -> list[int]:
        """Indices of the messages spoken by `role`."""
        return [i for i, message in enumerate(self.messages) if message.role is role]
