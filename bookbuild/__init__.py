"""Build machinery of the course book.

Sections are MyST Markdown notebooks under ``book/``. Each framework's cells
run in a kernel of their own (``execute``), results are cached by content
(``cache``), merged back into one notebook (``notebook``) that MyST-NB renders,
and a Sphinx transform turns each group of framework cells into synced
sphinx-design tabs (``tabs``). ``sphinx_ext`` wires these into Sphinx.
"""
