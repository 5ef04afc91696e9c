"""SPEC 3.5: the access log is append-only and no change escapes it."""

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from agencies.models import Membership, Role, User
from audits.models import AccessLogEntry
from audits.services import access_record

pytestmark = pytest.mark.django_db


def log_for(user: User):
    return AccessLogEntry.objects.filter(record_type="user", record_id=user.pk).order_by("id")


def test_update_and_delete_on_the_log_are_refused_by_the_database(world):
    entry = access_record(user=world.mm, action="view", record_type="user", record_id=world.sw.pk)
    for statement in (
        "UPDATE audits_accesslogentry SET username = 'someone else'",
        "DELETE FROM audits_accesslogentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(reason="tidied")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()
    entry.refresh_from_db()
    assert entry.username == "mm" and entry.reason == ""


def test_a_bulk_update_still_leaves_its_trace_with_before_and_after(world):
    Membership.objects.filter(user__in=[world.sw, world.mw]).update(role=Role.TEAM_MANAGER)
    for user, before in ((world.sw, "social_worker"), (world.mw, "mash_practitioner")):
        change = log_for(user).filter(action="update").get()
        assert change.fields == {"role": [before, "team_manager"]}


def test_raw_sql_changes_are_logged_with_the_actor_named(world):
    from audits.context import actor_set

    actor_set(world.ad)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agencies_user SET last_name = 'Renamed' WHERE id = %s", [world.te.pk])
    change = log_for(world.te).filter(action="update").get()
    assert change.fields["last_name"][1] == "Renamed"
    assert (change.user_id, change.username, change.agency_id) == (world.ad.pk, "ad", world.csc.pk)


def test_secrets_and_bookkeeping_never_reach_the_log(world):
    world.sw.set_password("another-long-passphrase")
    world.sw.save()
    assert not log_for(world.sw).filter(action="update").exists()
    created = log_for(world.sw).filter(action="create").first()
    assert created is not None and "password" not in created.fields


def test_a_change_through_a_request_names_the_signed_in_user(world):
    client = APIClient()
    client.force_login(world.ad)
    response = client.post(
        "/api/v1/users/",
        {"username": "new.worker", "password": "a-sufficiently-long-passphrase", "agency": world.csc.pk,
         "role": "social_worker", "line_manager": world.tm.pk},
        format="json",
    )
    assert response.status_code == 201
    created = log_for(User.objects.get(username="new.worker")).filter(action="create")
    assert {entry.username for entry in created} == {"ad"}


def test_history_page_shows_who_changed_what(world, client_for):
    Membership.objects.filter(user=world.sw).update(line_manager=world.sm)
    access_record(user=world.mm, action="view", record_type="user", record_id=world.sw.pk)
    response = client_for(world.tm).get(f"/history/user/{world.sw.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line manager" in html and "line_manager_id" not in html
    assert "mm" in html


def test_access_log_api_lists_entries_newest_first(world):
    access_record(user=world.mm, action="view", record_type="user", record_id=world.sw.pk)
    client = APIClient()
    client.force_authenticate(world.sm)
    response = client.get("/api/v1/access-log/", {"record_type": "user", "record_id": world.sw.pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["action"] == "view" and results[0]["username"] == "mm"
    assert results[0]["agency"] == "North Children's Services"
    assert {"at", "user", "username", "agency", "action", "fields"} <= set(results[0])
    assert [r["action"] for r in results].count("create") == 2  # the account and its membership


def test_access_log_api_bad_query_is_a_field_error(world):
    client = APIClient()
    client.force_authenticate(world.sm)
    response = client.get("/api/v1/access-log/", {"record_type": "user", "record_id": "abc"})
    assert response.status_code == 400
    assert "record_id" in response.json()
    response = client.get("/api/v1/access-log/", {"record_type": "spaceship", "record_id": "1"})
    assert response.status_code == 404


def test_history_queries_do_not_grow_with_entries(world, client_for, django_assert_num_queries):
    client = client_for(world.sm)
    path = f"/history/user/{world.sw.pk}/"
    client.get(path)  # the first request of a session also records when it was last used
    # session; user with membership; actor for change triggers; savepoint; the record (visibility);
    # count of entries; unread badge; one page of entries with agencies; release savepoint
    for _ in range(2):
        with django_assert_num_queries(9):
            assert client.get(path).status_code == 200
        for _ in range(30):
            access_record(user=world.mm, action="view", record_type="user", record_id=world.sw.pk)
