"""Logging: Rich on the console, one file per run under ``COINREF_LOG_DIR``, secrets redacted.

The log folder is checked before a run writes anything (a file in its place, or a folder that
cannot be created or written, is a ConfigError, exit 10). Each run that opens a log first prunes
coinref's own files in the folder (run logs, run reports, daily refresh logs, validation reports)
older than ``COINREF_LOG_RETENTION_DAYS`` (0 keeps everything); other files are never touched.

``RedactSecrets`` is attached to every handler coinref installs. It replaces the configured
secret values (API token, password, cron secret) and anything that looks like a bearer token or a
``token=``/``password=`` parameter with ``***``, whatever logger produced the line.
"""

from __future__ import annotations

import logging
import os
import re
import time
from datetime import datetime
from pathlib import Path

from rich.logging import RichHandler

from coinref.config import Settings
from coinref.errors import ConfigError
from coinref.timeutil import utcnow

LOGGER_NAME = "coinref"
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"(?i)((?:token|password|secret|authorization)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,}]+"),
]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # formatted tracebacks pass through the formatter; redact the exception text too
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        return True


def secret_values(settings: Settings) -> list[str]:
    values = []
    for field in ("pcgs_api_token", "pcgs_password", "cron_secret"):
        secret = getattr(settings, field)
        if secret is not None:
            values.append(secret.get_secret_value())
    return values


def get_logger(name: str = "") -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def setup_logging(settings: Settings, *, verbose: bool = False, quiet: bool = False) -> None:
    """Console logging for the process (idempotent)."""
    root = logging.getLogger(LOGGER_NAME)
    root.setLevel(logging.DEBUG)
    for handler in list(root.handlers):
        if getattr(handler, "_coinref_console", False):
            root.removeHandler(handler)
    from rich.console import Console

    console = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=False)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    console.addFilter(RedactSecrets(secret_values(settings)))
    console._coinref_console = True  # type: ignore[attr-defined]
    root.addHandler(console)


_OWN_FILES = re.compile(r"^(population_\d{4}-\d\d-\d\d_\d{6}(\.log|_report\.md|_report\.json)"
                        r"|price_refresh_\d{4}-\d\d-\d\d\.log|validation_report_\d{4}-\d\d-\d\d\.md)$")


def ensure_log_dir(settings: Settings) -> Path:
    """The log folder, created if missing; ConfigError naming COINREF_LOG_DIR when it cannot be used."""
    log_dir = Path(settings.coinref_log_dir)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(f"COINREF_LOG_DIR: {log_dir} is a file, not a folder") from None
    except OSError as exc:
        raise ConfigError(f"COINREF_LOG_DIR: cannot create {log_dir}: {exc.strerror or exc}") from None
    if not os.access(log_dir, os.W_OK | os.X_OK):
        raise ConfigError(f"COINREF_LOG_DIR: {log_dir} is not writable")
    return log_dir


def prune_logs(settings: Settings, now: float | None = None) -> list[Path]:
    """Delete coinref's own log and report files older than the retention; the files deleted."""
    days = settings.coinref_log_retention_days
    log_dir = Path(settings.coinref_log_dir)
    if not days or not log_dir.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - days * 86400
    removed = []
    for path in log_dir.iterdir():
        try:
            if _OWN_FILES.match(path.name) and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:  # a file that vanished or cannot be removed stays; pruning never fails a run
            continue
    return removed


def open_run_log(settings: Settings, filename: str) -> tuple[logging.Handler, Path]:
    """Add a file handler for one run (after pruning old files); remove it with :func:`close_run_log`."""
    log_dir = ensure_log_dir(settings)
    prune_logs(settings)
    path = log_dir / filename
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(settings)))
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    return handler, path


def close_run_log(handler: logging.Handler) -> None:
    logging.getLogger(LOGGER_NAME).removeHandler(handler)
    handler.close()


def stamp(now: datetime | None = None) -> str:
    return (now or utcnow()).strftime("%Y-%m-%d_%H%M%S")
