"""The README documents what the product offers: every command, named query and option."""

from __future__ import annotations

import re

from conftest import REPO

from pia_kg.cli.app import app, law_app
from pia_kg.named_queries import named_queries

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert re.search(r"^make demo\b", first_block, re.M)
    assert re.search(r"^make test\b", first_block, re.M)


def test_every_cli_command_is_in_the_readme() -> None:
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    commands += [f"law {c.name}" for c in law_app.registered_commands]
    missing = [c for c in commands if f"pia-kg {c}" not in README]
    assert not missing, f"commands not documented in README: {missing}"


def test_every_named_query_is_in_the_readme() -> None:
    missing = [n for n in named_queries() if n.replace("_", "-") not in README and n not in README]
    assert not missing, f"named queries not documented in README: {missing}"


def test_every_global_option_is_in_the_readme() -> None:
    for option in ("--store", "--memory", "--endpoint", "--update-endpoint", "--law-dir"):
        assert option in README, option
    for env in ("PIA_KG_STORE", "PIA_KG_LAW_DIR"):
        assert env in README, env


def test_every_serve_option_is_in_the_readme() -> None:
    import typer

    import pia_kg.cli  # noqa: F401 (registers the commands)

    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    options = [o for p in serve.params for o in p.opts if o.startswith("--")]
    assert "--allow-service" in options
    missing = [o for o in options if o not in README]
    assert not missing, f"serve options not documented in README: {missing}"
    assert "make fuzz" in README
