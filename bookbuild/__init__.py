"""Build machinery of the course book.

Sections are MyST Markdown notebooks under ``book/``. Each framework's cells
run in a kernel of their own (``execute``), results are cached by content
(``cache``), merged back into one notebook (``notebook``) that MyST-NB renders,
and a Sphinx transform turns each group of framework cells into synced
sphinx-design tabs (``tabs``). ``sphinx_ext`` wires these into Sphinx.

Around the sections: figures keep one number across framework tabs
(``figures``); Sphinx gets a Vietnamese search language (``search_vi``);
readers get per-framework notebooks in plain Jupyter Markdown
(``readers``, ``jupyter_markdown``) with Colab/JupyterHub links configured in
_config.yml (``settings``); pages carry only what they use (``site``, ``icons``).
"""
