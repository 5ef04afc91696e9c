"""An auditor reads the cases sampled into their open rounds, and nothing else (SPEC 3.5, 6; ACCESS.md "AU"):
the case, the child's record and chronology, referrals, strategy meetings and incidents about the child, the
records' history; never a change; and the access ends when the round closes or its closing date passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import AccessLogEntry, AuditRound
from audits.services_rounds import audit_round_close
from cases.models import Case
from cases.services.people import household_create, person_create
from tests.audits.test_rounds_helpers import (
    cases_to_sample,
    incident_about,
    meeting_about,
    referral_about,
    round_drawn,
    sampled,
    second_auditor,
)


@pytest.fixture
def drawn(world):
    """Twenty-five cases; ten sampled into a round the auditor is an auditor of."""
    cases = cases_to_sample(world, 25)
    audit_round = round_drawn(world, 10)
    chosen = {ac.case_id for ac in sampled(audit_round)}
    return audit_round, [c for c in cases if c.pk in chosen], [c for c in cases if c.pk not in chosen]


def test_the_auditor_opens_each_of_the_ten_sampled_cases_and_no_other(world, client_for, drawn):
    audit_round, chosen, others = drawn
    auditor = client_for(world.au)
    assert len(chosen) == 10
    for case in chosen:
        assert auditor.get(f"/cases/{case.pk}/").status_code == 200
        assert auditor.get(f"/people/{case.child_id}/").status_code == 200
    assert auditor.get(f"/people/{chosen[0].child_id}/chronology/").status_code == 200
    for case in others:
        assert auditor.get(f"/cases/{case.pk}/").status_code == 404
        assert auditor.get(f"/people/{case.child_id}/").status_code == 404
    assert auditor.get(f"/people/{others[0].child_id}/chronology/").status_code == 404


def test_referrals_meetings_and_incidents_about_a_sampled_child_open_others_do_not(world, client_for, drawn):
    _, chosen, others = drawn
    child, unsampled = chosen[0].child, others[0].child
    auditor = client_for(world.au)
    assert auditor.get(f"/referrals/{referral_about(world, child).pk}/").status_code == 200
    assert auditor.get(f"/strategy-meetings/{meeting_about(world, child).pk}/").status_code == 200
    assert auditor.get(f"/incidents/{incident_about(world, child).pk}/").status_code == 200
    assert auditor.get(f"/referrals/{referral_about(world, unsampled).pk}/").status_code == 404
    assert auditor.get(f"/strategy-meetings/{meeting_about(world, unsampled).pk}/").status_code == 404
    assert auditor.get(f"/incidents/{incident_about(world, unsampled).pk}/").status_code == 404


def test_every_view_is_in_the_access_log_and_the_history_opens_for_sampled_records(world, client_for, drawn):
    _, chosen, others = drawn
    auditor = client_for(world.au)
    auditor.get(f"/cases/{chosen[0].pk}/")
    auditor.get(f"/people/{chosen[0].child_id}/")
    logged = set(AccessLogEntry.objects.filter(user=world.au, action="view").values_list("record_type", "record_id"))
    assert {("case", chosen[0].pk), ("person", chosen[0].child_id)} <= logged
    assert auditor.get(f"/history/person/{chosen[0].child_id}/").status_code == 200
    referral = referral_about(world, chosen[0].child)
    assert auditor.get(f"/history/referral/{referral.pk}/").status_code == 200
    meeting = meeting_about(world, chosen[0].child)
    assert auditor.get(f"/history/strategy_meeting/{meeting.pk}/").status_code == 200
    assert auditor.get(f"/history/person/{others[0].child_id}/").status_code == 404
    api = auditor.get("/api/v1/access-log/", {"record_type": "person", "record_id": chosen[0].child_id})
    assert api.status_code == 200


def test_the_auditor_never_changes_casework(world, client_for, drawn):
    _, chosen, _ = drawn
    auditor = client_for(world.au)
    child = chosen[0].child
    assert auditor.get(f"/people/{child.pk}/edit/").status_code == 403
    assert auditor.get(f"/cases/{chosen[0].pk}/plans/new/").status_code == 403
    meeting = meeting_about(world, child)
    assert auditor.get(f"/strategy-meetings/{meeting.pk}/contribute/").status_code == 403
    referral = referral_about(world, child)
    assert auditor.post(f"/referrals/{referral.pk}/decision/", {}).status_code == 403


def test_access_ends_when_the_round_closes(world, client_for, drawn):
    audit_round, chosen, _ = drawn
    auditor = client_for(world.au)
    referral = referral_about(world, chosen[0].child)
    assert auditor.get(f"/cases/{chosen[0].pk}/").status_code == 200
    audit_round_close(audit_round=audit_round, by=world.sm)
    for case in chosen:
        assert auditor.get(f"/cases/{case.pk}/").status_code == 404
        assert auditor.get(f"/people/{case.child_id}/").status_code == 404
    assert auditor.get(f"/referrals/{referral.pk}/").status_code == 404
    # The round itself and its report stay readable to its auditor.
    assert auditor.get(f"/audit-rounds/{audit_round.pk}/").status_code == 200
    assert auditor.get(f"/audit-rounds/{audit_round.pk}/report/").status_code == 200


def test_access_ends_when_the_closing_date_passes(world, client_for, drawn):
    audit_round, chosen, _ = drawn
    auditor = client_for(world.au)
    AuditRound.objects.filter(pk=audit_round.pk).update(closes_on=timezone.localdate())
    assert auditor.get(f"/cases/{chosen[0].pk}/").status_code == 200
    AuditRound.objects.filter(pk=audit_round.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    assert auditor.get(f"/cases/{chosen[0].pk}/").status_code == 404
    assert auditor.get(f"/people/{chosen[0].child_id}/").status_code == 404


def test_an_auditor_of_another_round_sees_none_of_this_sample(world, client_for, drawn):
    _, chosen, _ = drawn
    other = second_auditor(world)
    round_drawn(world, 1, seed=7, auditors=(other,))
    outsider = client_for(other)
    visible = [case for case in chosen if outsider.get(f"/cases/{case.pk}/").status_code == 200]
    # The other round drew one case at most; the auditor sees that one only, if it is in this sample too.
    assert len(visible) <= 1


def test_other_personas_are_unchanged_by_the_sample(world, client_for, drawn):
    _, chosen, _ = drawn
    case = chosen[0]
    assert client_for(world.sw).get(f"/cases/{case.pk}/").status_code == 200
    assert client_for(world.po).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(world.out).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(world.te).get(f"/people/{case.child_id}/").status_code == 404


def test_an_auditor_of_a_partner_agency_reads_but_never_changes_what_their_agency_recorded(world, client_for):
    """The police auditor's agency group holds grants to change the people and households the police recorded;
    an auditor never uses them, and sees only the sampled children's households."""
    officer_recorded = person_create(partnership=world.north, by=world.po, given_name="Ada", family_name="Okoro")
    sampled_home = household_create(partnership=world.north, by=world.po, address="1 Mill Lane",
                                    members=[officer_recorded])
    elsewhere = person_create(partnership=world.north, by=world.po, given_name="Ben", family_name="Hale")
    other_home = household_create(partnership=world.north, by=world.po, address="9 Quay Street", members=[elsewhere])
    Case.objects.create(partnership=world.north, child=officer_recorded, status=Case.Status.CHILD_IN_NEED,
                        opened_on=timezone.localdate() - timedelta(days=30))
    auditor = second_auditor(world, world.police)
    round_drawn(world, 100, auditors=(auditor,))  # every eligible case: Ada's among them
    page = client_for(auditor)
    assert page.get(f"/people/{officer_recorded.pk}/").status_code == 200
    assert page.get(f"/people/{officer_recorded.pk}/edit/").status_code == 403
    assert page.get(f"/households/{sampled_home.pk}/").status_code == 200
    assert page.post(f"/households/{sampled_home.pk}/", {"person": elsewhere.pk}).status_code in (403, 404)
    assert page.get(f"/people/{elsewhere.pk}/").status_code == 404
    assert page.get(f"/households/{other_home.pk}/").status_code == 404
    # The officer who recorded them still changes them.
    assert client_for(world.po).get(f"/people/{officer_recorded.pk}/edit/").status_code == 200
