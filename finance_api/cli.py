"""The ``threeflow`` command: the composition root, which knows every feature's commands.

It imports none of them until one runs: the table below names, for each command, the
module that holds it and a line of help, so ``threeflow --help`` lists everything without
loading web3, pandas or SQLAlchemy, and ``threeflow verify FILE`` loads only the offline
verifier. A test checks that every entry's help matches the command it names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class Spec:
    module: str
    app: str  # a typer.Typer in that module
    command: str | None  # one command of that app, or None to mount the whole app as a group
    help: str


COMMANDS: dict[str, Spec] = {
    "verify": Spec(
        "finance_api.commands.audit", "app", "verify", "Verify a ledger database or a bundle."
    ),
    "export": Spec(
        "finance_api.commands.audit", "app", "export", "Export the ledger as a JSON Lines bundle."
    ),
    "checkpoint": Spec("ledger.cli", "app", "checkpoint", "Cut a signed checkpoint now."),
    "proof": Spec("ledger.cli", "app", "proof", "Print an RFC 9162 inclusion proof."),
    "rebuild": Spec(
        "ledger.cli", "app", "rebuild", "Recompute a projection (read model) from the log."
    ),
    "anchor": Spec(
        "ledger.anchoring.cli",
        "app",
        None,
        "Anchor the latest checkpoint on Ethereum (info, set-anchorer).",
    ),
    "epcis": Spec("ledger.traceability.cli", "app", None, "GS1 EPCIS 2.0 capture and export."),
    "trace": Spec(
        "ledger.traceability.cli",
        "trace_app",
        "trace",
        "Trace an item with an inclusion proof of every event.",
    ),
    "verify-trace": Spec(
        "ledger.traceability.cli", "trace_app", "verify-trace", "Verify a trace file offline."
    ),
    "recall": Spec(
        "ledger.traceability.cli",
        "trace_app",
        "recall",
        "End items that contain a lot, and where each was last seen.",
    ),
    "authenticity": Spec(
        "ledger.traceability.cli",
        "trace_app",
        "authenticity",
        "Origin, brand, certifications and a verdict for one item.",
    ),
    "simulate": Spec("simulations.cli", "app", "simulate", "Simulate the ecosystem into a ledger."),
    "compare": Spec(
        "simulations.cli", "app", "compare", "Compare simulated scenarios (tables and plots)."
    ),
    "sanity": Spec(
        "simulations.cli", "app", "sanity", "Simulated figures against their cited bands."
    ),
    "credit": Spec("finance_api.commands.credit", "app", None, "Credit scoring on the ledger."),
    "serve": Spec("finance_api.commands.service", "app", "serve", "Serve the HTTP API."),
    "participant-add": Spec(
        "finance_api.commands.onboard",
        "app",
        "participant-add",
        "Register a participant and its first key.",
    ),
    "apikey-create": Spec(
        "finance_api.commands.onboard",
        "app",
        "apikey-create",
        "Issue an API key for a participant.",
    ),
    "apikey-revoke": Spec(
        "finance_api.commands.onboard", "app", "apikey-revoke", "Revoke an API key by its id."
    ),
    "apikey-list": Spec(
        "finance_api.commands.onboard", "app", "apikey-list", "List API keys (never secrets)."
    ),
    "keygen": Spec("finance_api.client.cli", "app", "keygen", "Create a participant signing key."),
    "ledger-key": Spec(
        "finance_api.client.cli", "app", "ledger-key", "Print a server's ledger key."
    ),
    "submit": Spec(
        "finance_api.client.cli", "app", "submit", "Sign and submit events to a server."
    ),
    "prove": Spec(
        "finance_api.client.cli", "app", "prove", "Prove receipted entries against a checkpoint."
    ),
    "demo": Spec(
        "finance_api.commands.service",
        "app",
        "demo",
        "Build the demo ledger, anchor, verify and serve it.",
    ),
}


def load(spec: Spec) -> click.Command:
    """The click command a spec names, importing its module now."""
    feature: typer.Typer = getattr(importlib.import_module(spec.module), spec.app)
    command = typer.main.get_command(feature)
    if spec.command is None:
        return command
    if isinstance(command, TyperGroup):
        found = command.commands.get(spec.command)
        if found is None:
            raise LookupError(f"{spec.module}.{spec.app} has no command {spec.command!r}")
        return found
    return command


class LazyGroup(TyperGroup):
    """A group whose commands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        if cmd_name not in self.commands:
            command = load(spec)
            command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_options(ctx, formatter)  # lists the commands too, from the table

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec.help) for name, spec in COMMANDS.items()])


app = typer.Typer(
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="threeflow: a verifiable three-flow supply-chain ledger with supply-chain finance. "
    "Run `threeflow COMMAND --help` for a command's options.",
)


@app.callback()
def _root() -> None:
    """threeflow: a verifiable three-flow supply-chain ledger with supply-chain finance."""


def main(*args: Any, **kwargs: Any) -> Any:
    return app(*args, **kwargs)


if __name__ == "__main__":  # pragma: no cover
    app()
