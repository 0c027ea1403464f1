import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
application = get_wsgi_application()


def collect_like_a_server() -> None:
    """A request makes many short-lived objects, and the collector's default thresholds make it
    scan the whole loaded app for cycles every few hundred of them. Freezing what is loaded now
    (code, settings, URL patterns: it lives as long as the process) and collecting less often
    gave about 10 % more ballots per second under load (docs/performance.md, "Casting votes").
    The benchmarks that time requests in-process call it too, to measure what a server does."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


collect_like_a_server()
