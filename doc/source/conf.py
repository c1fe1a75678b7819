# Sphinx configuration of the Karbor guides.
#
# Build: tox -e docs, or
#   sphinx-build -W -b html doc/source doc/build/html

project = 'Karbor'
copyright = 'Karbor contributors'
author = 'Karbor contributors'

extensions = []

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = []
pygments_style = 'sphinx'

# The plain default theme keeps the build free of network and git lookups.
html_theme = 'alabaster'
html_title = 'Karbor documentation'
html_static_path = []
