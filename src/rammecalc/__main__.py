"""``python -m rammecalc``."""

from .cli import main

main()
