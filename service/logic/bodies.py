"""What every request body of the API and the console shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from domain.types import scalars_as_written


class RequestBody(BaseModel):
    """Unknown fields refused (the OpenAPI document then says so: additionalProperties
    false), no NaN or infinity, and numbers and flags only as JSON writes them."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN passes every bound

    _scalars_as_written = field_validator("*", mode="before")(scalars_as_written)
