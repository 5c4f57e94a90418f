"""Panjin Relief: the court application. ``create_app()`` builds it."""

from pathlib import Path

from flask import Flask

TEMPLATE_FOLDER = Path(__file__).resolve().parent.parent / "templates"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the court application with its partner API.

    ``test_config`` overrides the configuration read from the environment.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATE_FOLDER),
    )
    from relief import config

    app.config.update(config.load(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)

    from relief import web

    web.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from relief import models  # noqa: F401  (every model must be known to Alembic)
    from relief.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from relief.web import select_locale

    babel.init_app(app, locale_selector=select_locale)


def _register_blueprints(app: Flask) -> None:
    from insurer_api import init_app as init_insurer_api
    from relief.accounts.admin_views import blueprint as users
    from relief.accounts.views import blueprint as accounts
    from relief.assistance.views import blueprint as assistance
    from relief.bounties.public import blueprint as public_bounties
    from relief.bounties.views import blueprint as bounties
    from relief.cases.import_views import blueprint as imports
    from relief.cases.views import blueprint as cases
    from relief.documents.views import blueprint as documents
    from relief.fonts import blueprint as fonts
    from relief.guarantees.views import blueprint as guarantees
    from relief.holidays.views import blueprint as holidays

    for blueprint in (accounts, cases, imports, assistance, documents, fonts, guarantees):
        app.register_blueprint(blueprint)
    for blueprint in (users, holidays):
        app.register_blueprint(blueprint)
    for blueprint in (bounties, public_bounties):
        app.register_blueprint(blueprint)
    init_insurer_api(app)


def _register_commands(app: Flask) -> None:
    from insurer_api.commands import webhooks_cli
    from relief.accounts.commands import users_cli
    from relief.cases.commands import cases_cli
    from relief.core.audit_cli import audit_cli
    from relief.core.backup import backup_command, restore_command
    from relief.demo import demo_cli
    from relief.insurers.commands import insurers_cli

    for group in (cases_cli, demo_cli, insurers_cli, users_cli, webhooks_cli):
        app.cli.add_command(group)
    for command in (audit_cli, backup_command, restore_command):
        app.cli.add_command(command)
