"""The composition root: every command in its table loads, under the name it is listed as."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from finance_api.cli import COMMANDS, app, load


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_and_answers_help(name: str) -> None:
    command = load(COMMANDS[name])
    assert command is not None
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_root_help_lists_every_command_without_loading_them() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name, spec in COMMANDS.items():
        assert name in result.output
        assert spec.help.split()[0] in result.output
