"""Django's static files app, leaving out what no page of the site links.

- django-viewflow's wheel carries `node_modules/` folders beside its fonts; one of their
  stylesheets points at font files that are not there, and the manifest storage used in
  production refuses to collect it (`collectstatic` fails).
- viewflow's Plotly/Dash bundles (`viewflow/js/contrib/`) and brand-icon font
  (`viewflow/fonts/simple-icons/`), 35 MB, serve viewflow's dashboard and social-login
  pages, which this site does not mount. The rest of viewflow's frontend stays: its
  400/403/404/500 templates are the site's error pages and link it.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    # A folder name matches at any depth; "a/b/*" matches the path of every file under
    # an app's static/a/b/.
    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        "node_modules",
        "viewflow/js/contrib/*",
        "viewflow/fonts/simple-icons/*",
    ]
