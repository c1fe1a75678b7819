# Sphinx configuration of the Karbor release notes (reno).
#
# Build: tox -e releasenotes, or
#   sphinx-build -W -b html releasenotes/source releasenotes/build/html
# Add a note: reno new <slug>  (it goes to releasenotes/notes/).

project = 'Karbor Release Notes'
copyright = 'Karbor contributors'
author = 'Karbor contributors'

extensions = [
    'reno.sphinxext',
]

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = []
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_title = 'Karbor Release Notes'
html_static_path = []
