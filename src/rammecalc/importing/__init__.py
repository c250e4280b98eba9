"""``rammecalc import``: a published table, as the user has it, into rammecalc's YAML.

This package is the shell side (it reads files): :mod:`.sources` turns any source (text copied from a PDF
viewer or a web page, a CSV or xlsx download, a PDF page) into one neutral form, a :class:`~.sources.Source`
of lines and, for a grid, cells. The placement of the numbers is the pure core's (``core/reading``).
"""
