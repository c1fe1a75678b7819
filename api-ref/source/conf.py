# Sphinx configuration of the Karbor API reference (os-api-ref).
#
# Build: tox -e api-ref, or
#   sphinx-build -W -b html api-ref/source api-ref/build/html

project = 'Karbor API Reference'
copyright = 'Karbor contributors'
author = 'Karbor contributors'

extensions = [
    'os_api_ref',
]

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['samples']
pygments_style = 'sphinx'

# The plain default theme: the reference builds without openstackdocstheme
# (os-api-ref brings its own CSS and JavaScript for the method panels).
html_theme = 'alabaster'
html_title = 'Karbor API Reference'
html_static_path = []

# Microversions of the data-protection API (karbor/api/microversion.py).
os_api_ref_min_microversion = '1.0'
os_api_ref_max_microversion = '1.0'
