"""Drawing a case-file audit round (SPEC 3.5; API.md "Oversight"): the sample is reproducible from its seed,
and bad input is refused field by field with nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from audits.models import AuditCase, AuditRound
from audits.services_rounds import audit_round_create
from tests.audits.test_rounds_helpers import SEED, cases_to_sample, round_drawn, sampled


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_round_of_ten_drawn_with_a_seed_draws_the_same_ten_again(world):
    cases_to_sample(world, 25)
    first = round_drawn(world, 10, seed=SEED)
    again = round_drawn(world, 10, seed=SEED)
    other = round_drawn(world, 10, seed=SEED + 1)
    drawn = [ac.case_id for ac in sampled(first)]
    assert len(drawn) == 10 and len(set(drawn)) == 10
    assert [ac.case_id for ac in sampled(again)] == drawn
    assert [ac.case_id for ac in sampled(other)] != drawn
    assert [ac.position for ac in sampled(first)] == list(range(1, 11))
    assert first.seed == SEED and first.drawn_at is not None


def test_the_api_draws_a_round_and_the_same_seed_draws_the_same_cases(world):
    cases_to_sample(world, 25)
    body = {"theme": "Domestic abuse", "sample_size": 10, "seed": SEED, "auditors": [world.au.pk]}
    first = api_for(world.sm).post("/api/v1/audits/", body, format="json")
    assert first.status_code == 201, first.content
    again = api_for(world.ad).post("/api/v1/audits/", body, format="json")
    assert again.status_code == 201
    assert first.json()["seed"] == SEED and first.json()["theme"] == "Domestic abuse"
    assert len(first.json()["cases"]) == 10
    assert again.json()["cases"] == first.json()["cases"]
    stored = AuditRound.objects.get(pk=first.json()["id"])
    assert list(stored.cases.order_by("position").values_list("case_id", flat=True)) == first.json()["cases"]
    assert list(stored.auditors.all()) == [world.au]


def test_without_a_seed_a_fresh_one_is_recorded_and_the_round_closes_six_weeks_on(world):
    cases_to_sample(world, 3)
    response = api_for(world.sm).post("/api/v1/audits/", {"theme": "Neglect", "sample_size": 2}, format="json")
    assert response.status_code == 201
    audit_round = AuditRound.objects.get(pk=response.json()["id"])
    assert audit_round.seed == response.json()["seed"]
    assert audit_round.closes_on == timezone.localdate() + timedelta(weeks=6)
    # Drawn again with the recorded seed, over the same data: the same cases.
    repeat = round_drawn(world, 2, seed=audit_round.seed)
    assert [ac.case_id for ac in sampled(repeat)] == response.json()["cases"]


@pytest.mark.parametrize(("body", "field"), [
    ({"theme": "", "sample_size": 5}, "theme"),
    ({"sample_size": 5}, "theme"),
    ({"theme": "Neglect", "sample_size": 0}, "sample_size"),
    ({"theme": "Neglect", "sample_size": 101}, "sample_size"),
    ({"theme": "Neglect"}, "sample_size"),
    ({"theme": "Neglect", "sample_size": "ten"}, "sample_size"),
    ({"theme": "Neglect", "sample_size": 5, "seed": -1}, "seed"),
])
def test_the_api_refuses_bad_input_field_by_field(world, body, field):
    cases_to_sample(world, 3)
    response = api_for(world.sm).post("/api/v1/audits/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not AuditRound.objects.exists()


def test_auditors_must_be_auditors_of_the_partnership(world):
    from agencies.models import Role
    from tests.factories import UserFactory

    cases_to_sample(world, 3)
    south_auditor = UserFactory.create(username="south-au", agency=world.south_csc, role=Role.AUDITOR)
    for wrong in ([world.sw.pk], [south_auditor.pk], [999999]):
        response = api_for(world.sm).post("/api/v1/audits/", {"theme": "Neglect", "sample_size": 2,
                                                              "auditors": [world.au.pk, *wrong]}, format="json")
        assert response.status_code == 400
        assert "auditors" in response.json()
    assert not AuditRound.objects.exists() and not AuditCase.objects.exists()


def test_fewer_eligible_cases_than_asked_draws_all_of_them(world):
    cases = cases_to_sample(world, 4)
    audit_round = round_drawn(world, 10)
    assert sorted(ac.case_id for ac in sampled(audit_round)) == sorted(c.pk for c in cases)
    assert audit_round.sample_size == 10


def test_cases_without_activity_in_the_last_year_are_not_eligible(world):
    from cases.models import Case

    old = cases_to_sample(world, 2, family="Long-ago")
    Case.objects.filter(pk__in=[c.pk for c in old]).update(
        opened_on=timezone.localdate() - timedelta(days=900), closed_on=timezone.localdate() - timedelta(days=500),
        status=Case.Status.CLOSED)
    recent = cases_to_sample(world, 3)
    audit_round = round_drawn(world, 10)
    assert sorted(ac.case_id for ac in sampled(audit_round)) == sorted(c.pk for c in recent)


def test_only_the_senior_manager_and_administrators_draw_a_round(world):
    cases_to_sample(world, 3)
    body = {"theme": "Neglect", "sample_size": 2}
    for code in ("MW", "MM", "SW", "TM", "PO", "HV", "MH", "TE", "AU", "OUT"):
        assert api_for(world.persona(code)).post("/api/v1/audits/", body, format="json").status_code == 403, code
    assert not AuditRound.objects.exists()


def test_the_service_gathers_every_error_before_writing(world):
    with pytest.raises(ValidationError) as refused:
        audit_round_create(partnership_id=world.north.pk, by=world.sm, theme=" ", sample_size=0,
                           auditor_ids=[world.sw.pk], closes_on=timezone.localdate() - timedelta(days=1))
    assert set(refused.value.message_dict) == {"theme", "sample_size", "auditors", "closes_on"}
    assert not AuditRound.objects.exists()
