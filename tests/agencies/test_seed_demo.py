from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from agencies.chasers import chase_run
from agencies.demo import DEMO_PASSWORD, demo_logins
from agencies.models import Agency, Chase, Role, User
from cases.models import Case, ChildVoice, Plan, PlanAction, PlanDistribution
from strategy_meetings.demo import MEETING_RULES
from strategy_meetings.models import Action, Contribution, Invitation, MinutesDistribution, StrategyMeeting

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def test_demo_has_every_agency_kind_every_role_and_prints_the_logins(capsys, rf):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert set(Agency.objects.values_list("kind", flat=True)) == set(Agency.Kind.values)
    assert set(Agency.objects.exclude(health_kind="").values_list("health_kind", flat=True)) == set(
        Agency.HealthKind.values
    )
    roles = set(User.objects.values_list("membership__role", flat=True))
    assert roles == set(Role.values)
    assert DEMO_PASSWORD in out
    for login in demo_logins():
        assert login.username in out
    # Every demo user can sign in with the printed password.
    assert authenticate(rf.post("/sign-in/"), username="mash.worker", password=DEMO_PASSWORD) is not None


def test_running_it_again_changes_nothing(capsys):
    call_command("seed_demo")
    count = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == count
    assert "already there" in capsys.readouterr().out


def test_readme_lists_every_demo_login():
    call_command("seed_demo")
    readme = README.read_text()
    assert DEMO_PASSWORD in readme
    missing = [login.username for login in demo_logins() if f"`{login.username}`" not in readme]
    assert not missing, f"README does not list: {missing}"


# -- Strategy meetings (SPEC 9) --------------------------------------------------------------------------------


def _meeting_of(family_name: str) -> StrategyMeeting:
    return StrategyMeeting.objects.filter(children__child__family_name=family_name).distinct().get()


def _section(html: str, slug: str) -> str:
    return html.split(f'id="section-{slug}"')[1].split("</section>")[0]


def test_the_okafor_meeting_is_overdue_with_health_silent_and_chased(client):
    before = timezone.now()
    call_command("seed_demo")
    after = timezone.now()
    meeting = _meeting_of("Okafor")
    assert before - timedelta(hours=26) <= meeting.threshold_met_at <= after - timedelta(hours=26)
    assert meeting.status == StrategyMeeting.Status.SCHEDULED and meeting.due_by < after
    assert sorted(c.child.given_name for c in meeting.children.select_related("child")) == ["Adaeze", "Chidi", "Tobi"]
    health = Invitation.objects.get(meeting=meeting, agency__name="Northshire Health Visiting")
    assert health.required and health.response == ""
    assert not Contribution.objects.filter(meeting=meeting, agency=health.agency).exists()
    heard = set(Contribution.objects.filter(meeting=meeting).values_list("agency__name", flat=True))
    assert {"Northshire Children's Services", "Northshire Police"} <= heard

    def chased(rule: str, subject_id: int) -> list[tuple[int, str]]:
        return list(Chase.objects.filter(rule=rule, subject_id=subject_id).order_by("level")
                    .values_list("level", "recipient__username"))

    # The invited-agency-silent chase at its top: the health visitor reminded, then the agency's manager.
    assert chased("invited_agency_silent", health.pk) == [(1, "health.visitor"), (2, "health.visitor.manager")]
    # Not held by its due time: the chair reminded; the escalation to her manager is 4 hours on, not yet due.
    assert chased("strategy_meeting_not_held", meeting.pk) == [(1, "mash.manager")]
    # Nothing else about the meetings was due: a sweep now sends nothing.
    results = chase_run(now=timezone.now(), rules=list(MEETING_RULES))
    assert all(r.reminders == r.escalations == r.unrouted == 0 and not r.failed for r in results), results

    client.force_login(User.objects.get(username="health.visitor"))
    requests = _section(client.get("/").content.decode(), "requests-for-information-to-your-agency")
    assert f'href="/strategy-meetings/{meeting.pk}/"' in requests and "Overdue by" in requests


def test_the_carver_meeting_is_held_with_its_minutes_sent_to_every_invited_agency(client):
    call_command("seed_demo")
    meeting = _meeting_of("Carver")
    assert meeting.status == StrategyMeeting.Status.HELD and meeting.outcome == "section_47_joint"
    assert meeting.icpc_at is not None and meeting.minutes_distributed_at is not None
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    distributed = set(MinutesDistribution.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    assert invited == distributed and len(invited) >= 3
    owners = set(Action.objects.filter(meeting=meeting, status="open").values_list("owner_agency__kind", flat=True))
    assert owners == {Agency.Kind.POLICE, Agency.Kind.HEALTH}

    # The police officer's home shows their action and the minutes their agency received.
    client.force_login(User.objects.get(username="police.officer"))
    html = client.get("/").content.decode()
    link = f'href="/strategy-meetings/{meeting.pk}/"'
    assert link in _section(html, "your-actions") and "Interview Holly" in _section(html, "your-actions")
    assert link in _section(html, "records-shared-with-your-agency-recently")


def test_the_brennan_children_each_heard_in_their_own_right_and_liam_chased(client):
    call_command("seed_demo")
    voices = {v.child.given_name: v for v in ChildVoice.objects.filter(child__family_name="Brennan")
              .select_related("child")}
    assert set(voices) == {"Sophie", "Liam", "Grace"}
    # The pre-verbal baby: an observation, not "too young" alone.
    assert voices["Grace"].method == ChildVoice.Method.OBSERVATION and voices["Grace"].observations
    assert voices["Liam"].recorded_at < timezone.now() - timedelta(weeks=6)
    liam_case = Case.objects.get(child=voices["Liam"].child)
    assert list(Chase.objects.filter(rule="child_voice_overdue", subject_id=liam_case.pk).order_by("level")
                .values_list("level", "recipient__username")) == [(1, "social.worker"), (2, "team.manager")]

    client.force_login(User.objects.get(username="social.worker"))
    sophie_case = Case.objects.get(child=voices["Sophie"].child)
    page = client.get(f"/cases/{sophie_case.pk}/").content.decode()
    assert page.count("Not heard for 6 weeks") == 1
    home = client.get("/").content.decode()
    assert "Liam Brennan" in _section(home, "visits-and-voice-records-due")

    agreement = Plan.objects.get(case=sophie_case)
    assert agreement.kind == Plan.Kind.WRITTEN_AGREEMENT
    assert PlanAction.objects.filter(plan=agreement, party=PlanAction.Party.PERSON_POSING_RISK).exists()
    received = set(PlanDistribution.objects.filter(plan=agreement).values_list("agency__name", flat=True))
    assert received >= {"Northshire Police", "Northshire Health Visiting"}
