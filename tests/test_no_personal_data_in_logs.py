"""SPEC 7.2 / issue 9: no personal data in the logs or in what goes to the task queue.

Logs are shipped to places with weaker controls than the database (a log host, a support ticket), and a
task's arguments sit in Redis: neither may carry a child's name. Tasks take nothing but their schedule and
read what they need from the database; the log lines name records by id.
"""

from __future__ import annotations

import inspect
import logging

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.chasers import chase_run
from config.celery import app

NAME = "Zephyrine"
FAMILY = "Quillfeather"


def test_every_task_of_the_service_takes_no_arguments_but_ids():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert ours, "the service's tasks are registered"
    for name, task in ours.items():
        parameters = inspect.signature(task.run).parameters
        assert all(p.endswith(("_id", "_ids")) for p in parameters), (name, list(parameters))


@pytest.mark.django_db
def test_recording_and_chasing_a_child_writes_no_name_to_the_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    api = APIClient()
    api.force_authenticate(world.sw)
    created = api.post(
        "/api/v1/people/", {"given_name": NAME, "family_name": FAMILY, "date_of_birth": "2017-05-04"}, format="json"
    )
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    assert api.get(f"/api/v1/people/{person_id}/").status_code == 200
    assert api.post("/api/v1/people/", {"given_name": NAME}, format="json").status_code == 400
    outsider = APIClient()
    outsider.force_authenticate(world.out)
    assert outsider.get(f"/api/v1/people/{person_id}/").status_code == 404
    chase_run(now=timezone.now())
    assert caplog.records, "the requests above log their refusals"
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert NAME not in text and FAMILY not in text, text
