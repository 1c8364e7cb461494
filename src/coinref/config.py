"""Settings, read once from the environment (and a ``.env`` file) and passed in.

Every setting has a documented default (see README, "Configuration"). :func:`get_settings` turns
pydantic's validation error into a :class:`~coinref.errors.ConfigError` naming the setting, which
the CLI turns into exit code 10. Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from coinref.errors import ConfigError


class Settings(BaseSettings):
    """coinref's settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field("sqlite:///coinref.db", description="SQLAlchemy URL of the database")
    pcgs_api_token: SecretStr | None = Field(None, description="PCGS Public API bearer token")
    pcgs_api_base_url: str = Field("https://api.pcgs.com/publicapi")
    pcgs_daily_quota: int = Field(1000, ge=0, le=1_000_000)
    pcgs_quota_reset_tz: str = Field("UTC")
    pcgs_website_url: str = Field("https://www.pcgs.com")
    pcgs_specsearch_url: str = Field("https://www.collectorsuniverse.com/SpecSearch/Search/PCGS")
    pcgs_token_url: str | None = Field(None, description="OAuth2 token endpoint of a gateway, if any")
    pcgs_username: str | None = None
    pcgs_password: SecretStr | None = None
    pcgs_timeout_s: float = Field(20.0, gt=0)
    pcgs_pacing_ms: int = Field(250, ge=0, description="minimum time between two API calls")
    pcgs_max_retries: int = Field(4, ge=0, le=20)
    pcgs_backoff_cap_s: float = Field(60.0, gt=0)
    breaker_fail_max: int = Field(5, ge=1)
    breaker_reset_timeout_s: float = Field(60.0, gt=0)
    breaker_success_threshold: int = Field(2, ge=1)
    website_pacing_ms: int = Field(1000, ge=0, description="pause between website requests (jittered)")
    cron_secret: SecretStr | None = None
    cron_time_budget_s: float = Field(50.0, gt=0)
    coinref_log_dir: Path = Field(Path("./logs"))
    coinref_log_retention_days: int = Field(30, ge=0, description="days run logs and reports are kept (0: always)")
    coinref_cors_origins: str = Field("", description="comma-separated allowed origins")
    refresh_reserve_pct: float = Field(5.0, ge=0, le=100)
    coinref_spot_csv: Path | None = Field(None, description="CSV of spot observations: day,metal,usd_per_oz")
    discover_no_data_days: int = Field(30, ge=0, description="days a number that answered no data is not asked again")
    discover_quota_share: int | None = Field(None, ge=0, description="calls a day for pcgs-discover (default: "
                                             "what the price refresh does not need)")
    discover_min_share_pct: float = Field(10.0, ge=0, le=50, description="share of the quota each of refresh and "
                                          "discovery keeps while both have work")
    coinref_reference_grades: dict[str, str] = Field(
        default_factory=dict, description='JSON: series slug -> reference grade, e.g. {"morgan-dollars": "MS63"}')

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("coinref_reference_grades")
    @classmethod
    def _check_reference_grades(cls, value: dict[str, str]) -> dict[str, str]:
        from coinref.catalog.grades import parse_grade
        from coinref.catalog.series import series_by_slug

        for slug, grade in value.items():
            if slug not in series_by_slug():
                raise ValueError(f"unknown series {slug!r}")
            parse_grade(grade)
        return value

    @field_validator("pcgs_quota_reset_tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("pcgs_api_base_url", "pcgs_website_url", "pcgs_specsearch_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def quota_tz(self) -> ZoneInfo:
        return ZoneInfo(self.pcgs_quota_reset_tz)

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.coinref_cors_origins.split(",") if o.strip()]


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, raising ConfigError that names the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "?"
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid setting " + "; ".join(problems)) from None
    except SettingsError as exc:  # a JSON setting that is not JSON: pydantic-settings names the field
        match = re.search(r'field "(\w+)"', str(exc))
        name = match.group(1).upper() if match else "a JSON setting"
        raise ConfigError(f"invalid setting {name}: not valid JSON") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached). Tests call ``get_settings.cache_clear()``."""
    return load_settings()
