"""The site's settings (production ones under DJANGO_ENV=production), serving the
benchmarks' floor view as well. Never used by the site itself."""

from subsidy.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.bench_urls"
