"""`python -m belgrade_stance`: the `belgrade-stance` command."""

from belgrade_stance.cli import run

run()
