"""The base of every configuration section: unknown keys are errors (a typo never passes silently), values frozen."""
from typing import Any

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def as_list(value: Any) -> Any:
    """`language: cs` and `language: [cs, sk]` both read as a list."""
    return [value] if isinstance(value, str) else value
