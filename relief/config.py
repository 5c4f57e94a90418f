"""Configuration read from the environment, with defaults for a local installation."""

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it on first use.

    A deployment sets SECRET_KEY in the environment; a local installation gets a random key
    that survives restarts, so sessions stay valid.
    """
    key_file = instance_path / "secret-key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


#: the secrets a production installation must take from its environment, never from a file
#: the application wrote itself beside the data
PRODUCTION_SECRETS = ("SECRET_KEY", "VAULT_KEY")


class ConfigurationError(RuntimeError):
    """The environment lacks what this mode needs; the process must not start."""


def is_production() -> bool:
    """Whether RELIEF_ENV says this process serves the court for real."""
    return os.environ.get("RELIEF_ENV", "development") == "production"


def _flag(name: str, production_default: str) -> bool:
    default = production_default if is_production() else "0"
    return os.environ.get(name, default) == "1"


def load(instance_path: Path) -> dict:
    """Build the Flask configuration for this process.

    Raises ConfigurationError in production when a secret is missing from the environment.
    """
    if is_production():
        missing = [name for name in PRODUCTION_SECRETS if not os.environ.get(name)]
        if missing:
            raise ConfigurationError(
                "RELIEF_ENV=production needs " + " and ".join(missing) + " in the environment"
            )

    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'relief.sqlite3'}")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: SQL errors and SQL logging never print the values (names,
        # identity numbers) a statement carried
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Flask-Talisman: redirect to HTTPS and send HSTS (behind an HTTPS proxy: set 1)
        "FORCE_HTTPS": _flag("FORCE_HTTPS", production_default="1"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance_path / "uploads")),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production_default="1"),
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # requests per API key to the partner API, in Flask-Limiter's notation
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # flask-smorest: the partner API's OpenAPI document.
        "API_TITLE": "Panjin Relief partner API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": None,
    }
