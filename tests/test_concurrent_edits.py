"""No lost edits (SPEC 7.2): two users change the same record, the second save is refused with a clear message,
the first change stays, and what the second user entered is shown back beside what is saved now.

Table-driven over every page that changes what is already recorded, and over every API write that does: ETag and
If-Match (412 when stale), or the body's ``version`` (409 when stale). Two saves at the same moment, from two
threads with their own database connections, end with one saved and one refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from html import unescape
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Role, User
from audits.models import AuditCase, AuditReview
from cases.models import Person, Plan
from referrals.models import Decision, Referral
from strategy_meetings.models import StrategyMeeting
from tests.audits.test_rounds_helpers import (
    cases_to_sample,
    review_post,
    round_drawn,
    sampled,
    second_auditor,
)
from tests.cases.test_plans_helpers import make_plan
from tests.cases.test_plans_pages import edit_body
from tests.conftest import World
from tests.factories import PersonFactory, UserFactory
from tests.matrix.referral_pages_triage import child, referral
from tests.matrix.strategy_meeting_pages_organise import moment_body
from tests.matrix.strategy_meetings_api import convened, held

VERSION = r'name="version" value="(\d+)"'
SEEN = r'name="seen" value="([0-9a-f]{64})"'
MODERATION_VERSION = r'name="moderation-version" value="(\d+)"'
STALE_PERSON = "Someone else changed this record since you opened it"
STALE_MEETING = "Someone else changed this record while you were editing it"


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_local(day_offset: int, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day_offset), clock))


def long_date(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %A %-d %B %Y}"


def held_s47(w: World) -> StrategyMeeting:
    meeting = held(w)
    meeting.refresh_from_db()
    return meeting


def second_mash_manager(w: World) -> User:
    return UserFactory.create(username="mm2", agency=w.csc, role=Role.MASH_MANAGER, line_manager=w.sm)


def audit_case(w: World) -> AuditCase:
    cases_to_sample(w, 3)
    return sampled(round_drawn(w, 3))[0]


def audit_url(case: AuditCase, tail: str = "") -> str:
    return f"/audit-rounds/{case.round_id}/cases/{case.pk}/{tail}"


def reviewers(w: World, case: AuditCase) -> tuple[User, User]:
    colleague = second_auditor(w, agency=w.csc)
    case.round.auditors.add(colleague)
    return w.au, colleague


# -- The pages ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageEdit:
    """One page that changes a recorded thing, and how two users each change it."""

    name: str
    make: Callable[[World], Any]
    url: Callable[[Any], str]
    users: Callable[[World, Any], tuple[User, User]]
    # What the page carries to say which state the user read (None: the form carries none; the service refuses
    # the second save under a lock on the record's status).
    token: str | None
    # The body user n (1 or 2) posts, given what their page carried.
    body: Callable[[World, Any, int, str], dict[str, Any]]
    # What user n entered, as the page would show it back; and as it is stored.
    typed: Callable[[int], str]
    stored: Callable[[Any], str]
    refused: str
    # False: a one-click change (a rating, taking a referral), refused back on the record's page.
    kept_in_form: bool = True


def _person(w: World) -> Person:
    return PersonFactory.create(by=w.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))


def _person_body(w: World, person: Person, n: int, token: str) -> dict[str, Any]:
    return {"given_name": "Jayden", "family_name": "Smith", "date_of_birth_day": "4", "date_of_birth_month": "3",
            "date_of_birth_year": "2015", "sex": "male", "ethnicity": "BAFR", "first_language": LANGUAGES[n],
            "interpreter_needed": "no", "version": token}


LANGUAGES = {1: "Polish", 2: "Tigrinya"}
RATINGS = {1: "red", 2: "green"}
SCHEDULE_TIMES = {1: at_local(1, time(10, 15)), 2: at_local(2, time(11, 45))}
CONFERENCE_TIMES = {1: at_local(5, time(9, 30)), 2: at_local(6, time(13, 40))}


def _typed_words(what: str) -> Callable[[int], str]:
    return lambda n: f"What {('the first', 'the second')[n - 1]} user entered as the {what}."


PAGE_EDITS = [
    PageEdit(
        "person details", _person, lambda p: f"/people/{p.pk}/edit/", lambda w, _: (w.sw, w.tm), VERSION,
        _person_body, LANGUAGES.__getitem__, lambda p: p.first_language, STALE_PERSON,
    ),
    PageEdit(
        "plan", make_plan, lambda plan: f"/plans/{plan.pk}/edit/", lambda w, _: (w.sw, w.tm), VERSION,
        lambda w, plan, n, token: {**edit_body(plan, what_must_change=_typed_words("plan")(n),
                                               change_note=f"Change {n}."), "version": token},
        _typed_words("plan"), lambda plan: plan.what_must_change, "Someone else changed this plan since you opened it",
    ),
    PageEdit(
        "referral rating", lambda w: referral(w, [child(w, "Ruby", "Rate", 4)]),
        lambda r: f"/referrals/{r.pk}/", lambda w, _: (w.mw, w.mm), VERSION,
        lambda w, r, n, token: {"rag": RATINGS[n], "version": token, "_path": f"/referrals/{r.pk}/rag/"},
        RATINGS.__getitem__, lambda r: r.rag, STALE_PERSON, kept_in_form=False,
    ),
    PageEdit(
        "referral decision", lambda w: referral(w, [child(w, "Dana", "Decide", 6)]),
        lambda r: f"/referrals/{r.pk}/decision/", lambda w, _: (w.mm, second_mash_manager(w)), None,
        lambda w, r, n, token: {"outcome": ("child_and_family_assessment", "early_help")[n - 1],
                                "rationale": _typed_words("rationale")(n)},
        _typed_words("rationale"), lambda r: Decision.objects.get(referral=r).rationale,
        "This referral has already been decided.",
    ),
    PageEdit(
        "meeting time and chair", convened, lambda m: f"/strategy-meetings/{m.pk}/schedule/",
        lambda w, _: (w.sw, w.mw), VERSION,
        lambda w, m, n, token: {**moment_body("scheduled_on", "scheduled_time", SCHEDULE_TIMES[n]),
                                "chair": (w.tm.pk, w.sw.pk)[n - 1], "version": token},
        lambda n: long_date(SCHEDULE_TIMES[n]), lambda m: long_date(m.scheduled_for), STALE_MEETING,
    ),
    PageEdit(
        "child protection conference", held_s47, lambda m: f"/strategy-meetings/{m.pk}/conference/",
        lambda w, _: (w.sw, w.mw), VERSION,
        lambda w, m, n, token: {**moment_body("conference_on", "conference_time", CONFERENCE_TIMES[n]),
                                "version": token},
        lambda n: long_date(CONFERENCE_TIMES[n]), lambda m: long_date(m.icpc_at), STALE_MEETING,
    ),
    PageEdit(
        "meeting minutes", held, lambda m: f"/strategy-meetings/{m.pk}/minutes/", lambda w, _: (w.tm, w.mm), SEEN,
        lambda w, m, n, token: {"minutes": _typed_words("minutes")(n), "action": "save", "seen": token},
        _typed_words("minutes"), lambda m: m.minutes, "Someone else saved these minutes after you opened them",
    ),
    PageEdit(
        "audit review", audit_case, audit_url, reviewers, VERSION,
        lambda w, case, n, token: {**review_post("yes", "good", version=int(token)),
                                   "concerns": _typed_words("concerns")(n)},
        _typed_words("concerns"),
        lambda case: AuditReview.objects.get(audit_case=case).concerns, "review since you opened this page",
    ),
    PageEdit(
        "audit moderation", audit_case, audit_url, lambda w, _: (w.sm, w.au), MODERATION_VERSION,
        lambda w, case, n, token: {"_path": audit_url(case, "moderate/"),
                                   "moderation-moderated_grade": ("good", "inadequate")[n - 1],
                                   "moderation-findings": _typed_words("findings")(n),
                                   "moderation-learning_points": "Name owners in plans.",
                                   "moderation-version": token},
        _typed_words("findings"), lambda case: case.findings, "moderated this case since you opened this page",
    ),
]


def _post(client: Client, edit: PageEdit, url: str, body: dict[str, Any]) -> Any:
    body = dict(body)
    return client.post(body.pop("_path", url), body)


def _token(edit: PageEdit, page: Any) -> str:
    if edit.token is None:
        return ""
    found = re.search(edit.token, page.content.decode())
    assert found is not None, f"the {edit.name} page carries no version"
    return found.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("edit", PAGE_EDITS, ids=[edit.name for edit in PAGE_EDITS])
def test_the_second_save_is_refused_and_nothing_is_lost(world, edit):
    record = edit.make(world)
    first_user, second_user = edit.users(world, record)
    first, second = signed_in(first_user), signed_in(second_user)
    url = edit.url(record)
    # Both open the page before either saves.
    opened = [first.get(url), second.get(url)]
    assert [page.status_code for page in opened] == [200, 200]
    tokens = [_token(edit, page) for page in opened]
    assert tokens[0] == tokens[1]

    saved = _post(first, edit, url, edit.body(world, record, 1, tokens[0]))
    assert saved.status_code == 302, text(saved)[:600]
    refused = _post(second, edit, url, edit.body(world, record, 2, tokens[1]))
    if not edit.kept_in_form:
        assert refused.status_code == 302
        refused = second.get(refused["Location"])
    page, html = text(refused), refused.content.decode()
    assert edit.refused in page
    assert "govuk-error-summary" in html or "govuk-notification-banner" in html

    # The first change stays; the second user sees it, and (on a form) still has what they entered.
    record.refresh_from_db()
    assert edit.stored(record) == edit.typed(1)
    if edit.kept_in_form:
        assert edit.typed(1) in page
        if edit.name in ("meeting time and chair", "child protection conference"):
            moment = (SCHEDULE_TIMES if edit.name.startswith("meeting") else CONFERENCE_TIMES)[2]
            assert f'value="{timezone.localtime(moment):%H:%M}"' in html
        elif edit.name == "person details":
            assert f'value="{edit.typed(2)}"' in html
        else:
            assert edit.typed(2) in page
        if edit.token is not None:
            # The form now carries what is stored, so saving again (having seen both) keeps the second's.
            assert _token(edit, refused) != tokens[1]


def test_a_meeting_rescheduled_from_a_stale_page_is_refused_then_saved_once_seen(world):
    meeting = convened(world)
    first, second = signed_in(world.sw), signed_in(world.mw)
    url = f"/strategy-meetings/{meeting.pk}/schedule/"
    token = _token(PAGE_EDITS[4], first.get(url))
    second.get(url)
    assert first.post(url, PAGE_EDITS[4].body(world, meeting, 1, token)).status_code == 302
    refused = second.post(url, PAGE_EDITS[4].body(world, meeting, 2, token))
    page = text(refused)
    assert page.startswith("Error: ")
    assert f"What is saved now Time {long_date(SCHEDULE_TIMES[1])} Chair {world.tm.display_name}" in page
    meeting.refresh_from_db()
    assert (meeting.scheduled_for, meeting.chair) == (SCHEDULE_TIMES[1], world.tm)
    again = second.post(url, PAGE_EDITS[4].body(world, meeting, 2, _token(PAGE_EDITS[4], refused)))
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.scheduled_for, meeting.chair) == (SCHEDULE_TIMES[2], world.sw)


def test_the_decision_refused_shows_the_decision_already_recorded(world):
    made = referral(world, [child(world, "Dana", "Decide", 6)])
    other = second_mash_manager(world)
    first, second = signed_in(world.mm), signed_in(other)
    url = f"/referrals/{made.pk}/decision/"
    first.get(url), second.get(url)
    first.post(url, {"outcome": "child_and_family_assessment", "rationale": "Repeated shouting; two infants."})
    refused = second.post(url, {"outcome": "early_help", "rationale": "Family asked for parenting help."})
    page = text(refused)
    assert "The decision already recorded Decision Child and family assessment (section 17)" in page
    assert "Repeated shouting; two infants." in page and "Family asked for parenting help." in page
    assert Decision.objects.filter(referral=made).count() == 1


# -- The API ------------------------------------------------------------------------------------------------


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@dataclass(frozen=True)
class ApiEdit:
    name: str
    make: Callable[[World], Any]
    url: Callable[[Any], str]  # GET here gives the ETag
    write: Callable[[Any], str]  # the write's address
    method: str
    users: Callable[[World], tuple[User, User]]
    body: Callable[[World, int], dict[str, Any]]
    stored: Callable[[Any], Any]
    value: Callable[[World, int], Any]


def _meeting_url(m: StrategyMeeting, tail: str = "") -> str:
    return f"/api/v1/strategy-meetings/{m.pk}/{tail}"


API_EDITS = [
    ApiEdit("person", _person, lambda p: f"/api/v1/people/{p.pk}/", lambda p: f"/api/v1/people/{p.pk}/", "patch",
            lambda w: (w.sw, w.tm), lambda w, n: {"first_language": LANGUAGES[n]}, lambda p: p.first_language,
            lambda w, n: LANGUAGES[n]),
    ApiEdit("referral", lambda w: referral(w, [child(w, "Ruby", "Rate", 4)]), lambda r: f"/api/v1/referrals/{r.pk}/",
            lambda r: f"/api/v1/referrals/{r.pk}/", "patch", lambda w: (w.mw, w.mm),
            lambda w, n: {"rag": RATINGS[n]}, lambda r: r.rag, lambda w, n: RATINGS[n]),
    ApiEdit("meeting schedule", convened, _meeting_url, lambda m: _meeting_url(m, "schedule/"), "post",
            lambda w: (w.sw, w.mw),
            lambda w, n: {"scheduled_for": SCHEDULE_TIMES[n].isoformat(), "chair": (w.tm.pk, w.sw.pk)[n - 1]},
            lambda m: (m.scheduled_for, m.chair_id),
            lambda w, n: (SCHEDULE_TIMES[n], (w.tm.pk, w.sw.pk)[n - 1])),
    ApiEdit("meeting conference", held_s47, _meeting_url, lambda m: _meeting_url(m, "conference/"), "post",
            lambda w: (w.sw, w.mw), lambda w, n: {"conference_at": CONFERENCE_TIMES[n].isoformat()},
            lambda m: m.icpc_at, lambda w, n: CONFERENCE_TIMES[n]),
]


def _send(client: APIClient, edit: ApiEdit, record: Any, body: dict[str, Any], if_match: str | None = None) -> Any:
    extra = {"HTTP_IF_MATCH": if_match} if if_match is not None else {}
    return getattr(client, edit.method)(edit.write(record), body, format="json", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("edit", API_EDITS, ids=[edit.name for edit in API_EDITS])
def test_the_api_answers_a_stale_write_412_or_409_and_keeps_the_first(world, edit):
    record = edit.make(world)
    first_user, second_user = edit.users(world)
    first, second = api_as(first_user), api_as(second_user)
    read = second.get(edit.url(record))
    assert read.status_code == 200
    old_etag, old_version = read["ETag"], read.json()["version"]
    assert old_etag == first.get(edit.url(record))["ETag"]

    saved = _send(first, edit, record, edit.body(world, 1), if_match=old_etag)
    assert saved.status_code == 200, saved.content
    assert saved["ETag"] != old_etag

    stale_header = _send(second, edit, record, edit.body(world, 2), if_match=old_etag)
    assert stale_header.status_code == 412
    stale_body = _send(second, edit, record, {**edit.body(world, 2), "version": old_version})
    assert stale_body.status_code == 409
    for refused in (stale_header, stale_body):
        assert "Someone else changed" in refused.json()["non_field_errors"][0]
    record.refresh_from_db()
    assert edit.stored(record) == edit.value(world, 1)

    # Having read it again, the second user's write goes through.
    fresh = second.get(edit.url(record))
    assert _send(second, edit, record, edit.body(world, 2), if_match=fresh["ETag"]).status_code == 200
    record.refresh_from_db()
    assert edit.stored(record) == edit.value(world, 2)


@pytest.mark.django_db
def test_an_if_match_naming_another_meeting_is_stale(world):
    meeting, other = convened(world), convened(world)
    tag = api_as(world.sw).get(_meeting_url(other))["ETag"]
    refused = api_as(world.sw).post(_meeting_url(meeting, "schedule/"), API_EDITS[2].body(world, 1), format="json",
                                    HTTP_IF_MATCH=tag)
    assert refused.status_code == 412
    meeting.refresh_from_db()
    assert meeting.scheduled_for is None


# -- Two saves at the same moment ---------------------------------------------------------------------------


def _at_once(posts: list[Callable[[], Any]]) -> list[Any]:
    """Run the posts in threads released together, each with its own database connection."""
    start = threading.Barrier(len(posts))
    results: list[Any] = [None] * len(posts)

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = posts[n]()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", [PAGE_EDITS[3], PAGE_EDITS[4], PAGE_EDITS[1]], ids=lambda edit: edit.name)
def test_two_saves_at_the_same_moment_one_is_saved_one_refused(world, edit):
    record = edit.make(world)
    users = edit.users(world, record)
    clients = [signed_in(user) for user in users]
    url = edit.url(record)
    tokens = [_token(edit, client.get(url)) for client in clients]
    bodies = [edit.body(world, record, n + 1, tokens[n]) for n in range(2)]
    responses = _at_once([partial(_post, clients[n], edit, url, bodies[n]) for n in range(2)])
    assert not [r for r in responses if isinstance(r, Exception)], responses
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302], codes
    winner = next(n for n, response in enumerate(responses) if response.status_code == 302)
    loser = responses[1 - winner]
    assert edit.refused in text(loser)
    # Nothing lost: the winner's change is stored, the loser's is on their page.
    record.refresh_from_db()
    assert edit.stored(record) == edit.typed(winner + 1)
    if edit.name != "meeting time and chair":
        assert edit.typed(2 - winner) in text(loser)
    if isinstance(record, Plan):
        assert record.current_version == 2
    if isinstance(record, Referral):
        assert Decision.objects.filter(referral=record).count() == 1
