"""`python -m api ...` is the `grace` command (used by the local stack to start its parts)."""

from api.cli import main

main()
