"""The site's URLs plus the benchmarks' floor, `bench/bare/` (for benchmarks that run
the site in gunicorn, through devtools/bench_settings.py)."""

from django.urls import path

import subsidy.urls
from devtools.bench import bare_view

urlpatterns = [path("bench/bare/", bare_view), *subsidy.urls.urlpatterns]
