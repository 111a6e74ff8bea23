"""The base of every configuration section: unknown keys are errors (a typo never passes silently), values frozen."""
from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
