"""careloop.yaml: loaded once, validated, errors that name the file, the key and what was expected.

Secrets never live here: connectors read them from the environment or Prefect blocks.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CONFIG = "careloop.yaml"
SUPPORTED_LANGUAGES = ("en", "cs", "sk", "ru", "de", "pl", "uk", "fr", "es", "it", "pt", "hu")


class ConfigError(ValueError):
    """careloop.yaml is missing or invalid; the message names the file and the key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Brand(Strict):
    name: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    aliases: list[str] = []
    exclude: list[str] = []
    languages: list[str] = []  # empty: any configured language

    @property
    def terms(self) -> list[str]:
        return [*self.keywords, *self.aliases]


class SourceConfig(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    type: str
    url: str | None = None
    path: Path | None = None
    schedule: str = "*/15 * * * *"
    enabled: bool = True
    # Review sources are about one brand's shop or app: every item belongs to it, no keyword needed.
    brand: str | None = None
    timeout_seconds: float = Field(default=20, gt=0)
    options: dict[str, Any] = {}

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else (self.url or "")


class Config(Strict):
    database: str | None = None
    languages: list[str] = ["en", "cs", "sk", "ru", "de", "pl"]
    brands: list[Brand] = Field(min_length=1)
    sources: list[SourceConfig] = []
    path: Path | None = Field(default=None, exclude=True)  # where it was loaded from

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in SUPPORTED_LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language code(s) {unknown}; expected ISO 639-1 codes from {list(SUPPORTED_LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        from connectors import connector_types

        names = [source.name for source in self.sources]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {duplicated}")
        brand_names = {brand.name for brand in self.brands}
        types = connector_types()
        for index, source in enumerate(self.sources):
            if source.type not in types:
                raise ValueError(f"sources[{index}] ({source.name}): unknown type {source.type!r}; expected one of {types}")
            if source.brand is not None and source.brand not in brand_names:
                raise ValueError(f"sources[{index}] ({source.name}): brand {source.brand!r} is not among brands {sorted(brand_names)}")
        return self

    def database_url(self) -> str:
        """CARELOOP_DATABASE_URL wins; else `database:`; else a SQLite file beside the config."""
        url = os.environ.get("CARELOOP_DATABASE_URL") or self.database
        base = self.path.parent if self.path else Path.cwd()
        if not url:
            return f"sqlite:///{(base / 'var' / 'careloop.db').resolve()}"
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            return f"sqlite:///{(base / url.removeprefix('sqlite:///')).resolve()}"
        return url

    def brand(self, name: str) -> Brand:
        return next(brand for brand in self.brands if brand.name == name)


def config_path(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("CARELOOP_CONFIG") or DEFAULT_CONFIG)


def load_config(explicit: str | Path | None = None) -> Config:
    path = config_path(explicit)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found (set --config or CARELOOP_CONFIG)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: Any, path: Path) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid configuration:\n{_describe(exc)}") from None
    # Relative source paths are relative to the file, so a config works from any directory.
    sources = [
        source.model_copy(update={"path": (path.parent / source.path).resolve()})
        if source.path is not None and not source.path.is_absolute() else source
        for source in config.sources
    ]
    return config.model_copy(update={"sources": sources, "path": path.resolve()})


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif "input" in error and error["type"] not in ("value_error",):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)
