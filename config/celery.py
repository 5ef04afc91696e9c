"""The Celery application: beat's periodic sweeps and the workers that run them (settings: the CELERY_* block).

No page queues a task: what a page saves is found in the database by the next sweep, so pages keep working while
Redis is down, and nothing due meanwhile is lost. Tasks are acknowledged late and are idempotent, so a worker killed
mid-task leaves its task to run again with one effect (tests/test_outages.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
