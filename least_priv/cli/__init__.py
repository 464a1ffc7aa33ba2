"""The ``least-priv`` command line.

Thin by design: each sub-command lives in its own module, imported only when it runs, so
that ``least-priv --version`` or ``least-priv catalog lookup`` never pays for boto3 or for
analysis code it does not use. Sub-commands parse options, call one library function,
render, and return an exit code.
"""

from __future__ import annotations

import importlib
import json
from importlib import resources

import click

from least_priv import __version__

# name -> "module:attribute". Listed here so ``--help`` can show them without importing.
_COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("least_priv.cli.generate:generate", "Write the least-privilege policy for code."),
    "catalog": ("least_priv.cli.catalog:catalog", "Look up operations and actions."),
    "diff": ("least_priv.cli.diff:diff", "Compare the role you have with what the code needs."),
    "lint": ("least_priv.cli.lint:lint", "Lint IAM policies and templates."),
    "check": ("least_priv.cli.lint:check", "Check code against the role its template declares."),
    "observed": ("least_priv.cli.observed:observed", "Permissions observed in CloudTrail."),
}


class _LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target[0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in sorted(_COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def catalog_data_date() -> str:
    """The data date recorded by the catalog generator, or ``unknown``."""
    try:
        meta_text = resources.files("least_priv").joinpath("service_maps/_meta.json").read_text()
    except (FileNotFoundError, OSError):
        return "unknown"
    meta = json.loads(meta_text)
    return str(meta.get("data_date", "unknown"))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"least-priv {__version__} (catalog data {catalog_data_date()})")
    ctx.exit()


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the catalog's data date.",
)
def cli() -> None:
    """Least-privilege IAM policies for AWS Lambda functions, read from their code."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (for the console script, ``python -m`` and tests).

    Sub-commands return their exit code from their callback; usage errors exit with 2.
    """
    try:
        result = cli.main(args=argv, prog_name="least-priv", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        return 130
    return result if isinstance(result, int) else 0
