"""The ``inspraak`` command: the embedded default, the worker, the API, tokens and template checks."""

import argparse
import asyncio
import sys

from inspraak.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inspraak", description="Tenant participation trajectories")
    sub = parser.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="run Temporal's dev server, a worker, the API and demo data")
    dev.add_argument("--ui-port", type=int, default=8233)
    sub.add_parser("worker", help="run a worker against INSPRAAK_TEMPORAL_ADDRESS")
    sub.add_parser("api", help="run the API")
    token = sub.add_parser("token", help="print a locally signed token (embedded default)")
    token.add_argument("--role", choices=["staff", "manager", "organisation"], default="staff")
    token.add_argument("--org", help="organisation id from the organisations file (role organisation)")
    token.add_argument("--name", help="the name claim (default: a demo staff member, or the organisation's name)")
    token.add_argument("--email", help="the email claim (default: the organisation's first contact)")
    token.add_argument("--days", type=int, default=30,
                       help="how long the token lives; at most INSPRAAK_TOKEN_MAX_LIFETIME_DAYS (default 31)")
    templates = sub.add_parser("templates", help="work with the letter templates")
    templates.add_argument("action", choices=["check", "text"],
                           help="check: render every template with samples; "
                                "text: (re)write the plain-text rendering beside each template")
    renovation = sub.add_parser("renovation", help="work with renovations")
    renovation_sub = renovation.add_subparsers(dest="renovation_command", required=True)
    check_csv = renovation_sub.add_parser("check-csv", help="check a household file; every bad row is reported")
    check_csv.add_argument("file", help="the CSV file (docs/renovation.md)")
    args = parser.parse_args(argv)
    if args.command == "renovation":
        return check_households_csv(args.file)

    settings = load_settings()
    if args.command in ("dev", "worker", "api"):
        # Refuse to serve with development secrets in production, or with a broken organisations file.
        from inspraak.services.directory import DirectoryError, load_directory
        from inspraak.settings import UnsafeSettingsError

        try:
            settings.check_production()
            load_directory(settings.organisations_file)
        except (UnsafeSettingsError, DirectoryError) as e:
            print(f"inspraak {args.command}: {e}", file=sys.stderr)
            return 2
    if args.command in ("dev", "worker", "api"):
        from inspraak.services.telemetry import setup_logging

        setup_logging(settings)
    if args.command == "dev":
        from inspraak.services.cli.devstack import run_dev

        asyncio.run(run_dev(settings, ui_port=args.ui_port))
    elif args.command == "worker":
        from inspraak.services.worker.main import run

        asyncio.run(run(settings))
    elif args.command == "api":
        import uvicorn

        from inspraak.services.api.app import create_app

        # log_config None: uvicorn's lines go through our handler, in our format.
        uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None)
    elif args.command == "token":
        from inspraak.services.api.auth import Role
        from inspraak.services.cli.tokens import TokenRequestError, make_token

        try:
            print(make_token(settings, role=Role(args.role), org=args.org, name=args.name, email=args.email,
                             days=args.days))
        except TokenRequestError as e:
            parser.error(str(e))  # exits with status 2, after the usage line
    elif args.command == "templates":
        from inspraak.services.cli.templates import run_check, run_text

        if args.action == "text":
            return run_text(settings.templates_dir)
        overrides = None
        if settings.templates_override_prefix:
            from inspraak.activities.documents import build_store_templates
            from inspraak.activities.storage import build_store

            store_templates = build_store_templates(settings, build_store(settings))
            overrides = asyncio.run(store_templates.get_all()) if store_templates else None
        return run_check(settings.templates_dir, override_dir=settings.templates_override_dir,
                         overrides=overrides)
    return 0


def check_households_csv(path: str) -> int:
    """Print what is wrong with a household file, row by row, as the API's 400 would; 1 when anything is."""
    from inspraak.domain.households import HouseholdImportError, parse_households

    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"{path}: cannot be read as UTF-8 text: {e}", file=sys.stderr)
        return 2
    try:
        households = parse_households(text)
    except HouseholdImportError as e:
        for r in e.errors:
            print(f"households[{r.row}]{'.' + r.column if r.column else ''}: {r.message} ({r.code})")
        print(f"{len(e.errors)} error(s); nothing would be imported")
        return 1
    print(f"{len(households.households)} households, no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
