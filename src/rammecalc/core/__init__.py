"""The pure core: models, the roll engine and the checks. No I/O; no typer, rich or yaml.

``terms`` (the glossary) imports only the standard library, so the CLI can use it at start-up.
"""
