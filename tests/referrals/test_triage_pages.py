"""The MASH pages (Django test client, no browser): the triage queue, a referral, rating and allocating, asking an
agency, the decision and the feedback to the referrer."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case, InformationShare
from referrals import rules
from referrals.models import AgencyCheck, Decision, Feedback, Referral
from referrals.services import agency_check_answer, referral_allocate, referral_rate
from strategy_meetings.models import StrategyMeeting
from tests.conftest import World
from tests.factories import PASSWORD
from tests.matrix.referral_pages_triage import child, decided, referral, referral_checked, siblings

pytestmark = pytest.mark.django_db

QUEUE = "/referrals/"


def html_of(response) -> str:
    return unescape(response.content.decode())


def text_of(html: str) -> str:
    """The page's words, tags taken out and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def queue_ids(html: str) -> list[int]:
    """The referrals in the queue, in the order shown."""
    return [int(pk) for pk in re.findall(r'id="queue-referral-(\d+)"', html)]


def rows(world: World, count: int) -> list[Referral]:
    return [referral(world, [child(world, f"Child{n}", "Queue", 4 + n % 10)], hours_ago=1 + n) for n in range(count)]


# -- The queue ------------------------------------------------------------------------------------------------


def test_the_queue_puts_the_riskiest_first_then_the_least_time_left(world, client_for):
    standard = referral(world, [child(world, "Sam", "Standard", 5)], hours_ago=30)
    green = referral(world, [child(world, "Gus", "Green", 7)], hours_ago=200)
    referral_rate(referral=green, by=world.mw, rag="green")
    red = referral(world, [child(world, "Ruby", "Red", 2)], hours_ago=1)
    referral_rate(referral=red, by=world.mw, rag="red")
    immediate = referral(world, [child(world, "Ian", "Immediate", 9)], hours_ago=50,
                         urgency=Referral.Urgency.IMMEDIATE)
    urgent = referral(world, [child(world, "Una", "Urgent", 11)], hours_ago=3, urgency=Referral.Urgency.URGENT)
    made = [standard, green, red, immediate, urgent]
    for each in made:
        each.refresh_from_db()
    expected = sorted(made, key=lambda r: (rules.risk_rank(rag=r.rag, urgency=r.urgency), r.decision_due_at, r.pk))

    html = html_of(client_for(world.mw).get(QUEUE))

    assert queue_ids(html) == [r.pk for r in expected]
    assert queue_ids(html)[:2] == [immediate.pk, red.pk] or queue_ids(html)[:2] == [red.pk, immediate.pk]
    assert queue_ids(html)[-1] == green.pk


def test_the_queue_shows_each_row_and_the_whole_queue_at_the_top(world, client_for):
    overdue = referral(world, [child(world, "Olly", "Late", 6)], hours_ago=24 * 8,
                       concerns="Olly came to school hungry again.\nSecond line not shown in the queue.",
                       categories=["neglect"])
    fresh = referral(world, [child(world, "Fay", "Fresh", 1)], hours_ago=1, referrer=world.police)
    referral_allocate(referral=fresh, by=world.mw, to=world.mm)
    world.mm.first_name, world.mm.last_name = "Maria", "Manager"
    world.mm.save()

    html = html_of(client_for(world.mw).get(QUEUE))
    text = text_of(html)

    assert "<h1 class=\"govuk-heading-l\">Triage queue</h1>" in html
    assert "Waiting for a decision 2 referrals" in text
    assert "Oldest waiting 1 week, 1 day" in text
    assert "1 overdue" in text
    row = html[html.index(f'id="queue-referral-{overdue.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Olly Late" in row and "6 years" in row
    assert "Olly came to school hungry again." in row and "Second line" not in row
    assert "North Health Visiting" in row
    assert "Not rated" in row and "Unallocated" in row
    overdue.refresh_from_db()
    left = rules.time_left(overdue.decision_due_at, timezone.now())
    assert left.state == "overdue"
    assert re.search(r'class="app-countdown govuk-tag govuk-tag--red" data-countdown data-due="\d+" '
                     r'data-server-now="\d+"><time datetime="[^"]+">Overdue by \d+ days?', row)
    fresh_row = html[html.index(f'id="queue-referral-{fresh.pk}"'):]
    fresh_row = fresh_row[:fresh_row.index("</tr>")]
    assert "Shire Police" in fresh_row and "Maria Manager" in fresh_row
    assert re.search(r'<span class="app-countdown[^"]*" data-countdown[^>]*><time datetime="[^"]+">'
                     r"(\d+ days? )?(\d+ hours? )?(\d+ minutes? )?left</time>", fresh_row)
    # The countdown script is the page's own file, not inline code.
    assert '<script type="module" src="/static/dist/countdown.js"></script>' in html


def test_siblings_are_grouped_with_a_caption(world, client_for):
    leo, kai = siblings(world, "Ashdown", ("Leo", 8), ("Kai", 3))
    first = referral(world, [leo], hours_ago=30)
    other = referral(world, [child(world, "Olu", "Other", 4)], hours_ago=20)
    second = referral(world, [kai], hours_ago=2)

    html = html_of(client_for(world.mw).get(QUEUE))

    assert queue_ids(html) == [first.pk, second.pk, other.pk]
    group = html[html.index('<tbody class="govuk-table__body app-queue__siblings">'):]
    group = group[:group.index("</tbody>")]
    assert "Siblings: 2 referrals about children of one household" in group
    assert f'id="queue-referral-{first.pk}"' in group and f'id="queue-referral-{second.pk}"' in group
    assert f'id="queue-referral-{other.pk}"' not in group


def test_the_filters_narrow_the_rows_but_not_the_figures_at_the_top(world, client_for):
    from_police = referral(world, [child(world, "Pia", "Police", 5)], referrer=world.police, categories=["neglect"])
    from_hv = referral(world, [child(world, "Hal", "Visit", 2)], hours_ago=3)
    referral_rate(referral=from_hv, by=world.mw, rag="amber")
    mine = referral(world, [child(world, "Mo", "Mine", 9)], hours_ago=4)
    referral_allocate(referral=mine, by=world.mw, to=world.mw)
    rae = child(world, "Rae", "Repeat", 7)
    flagged = referral(world, [rae], hours_ago=5)
    again = referral(world, [rae], hours_ago=1)  # Rae was referred 4 hours before: a repeat referral
    client = client_for(world.mw)

    def shown(**query: str) -> list[int]:
        return sorted(queue_ids(html_of(client.get(QUEUE, query))))

    assert shown(agency=str(world.police.pk)) == [from_police.pk]
    assert shown(category="neglect") == [from_police.pk]
    assert shown(rag="amber") == [from_hv.pk]
    assert shown(rag="unrated") == sorted([from_police.pk, mine.pk, flagged.pk, again.pk])
    assert shown(allocated="me") == [mine.pk]
    assert shown(allocated="unallocated") == sorted([from_police.pk, from_hv.pk, flagged.pk, again.pk])
    assert shown(flag="repeat_referral") == [again.pk]
    html = html_of(client.get(QUEUE, {"rag": "amber", "agency": str(world.health_visiting.pk)}))
    assert "Waiting for a decision 5 referrals" in text_of(html)
    assert "1 referral matching the filters, most urgent first" in html
    # The form shows what was chosen.
    assert '<option value="amber" selected>Amber</option>' in html
    assert f'<option value="{world.health_visiting.pk}" selected>North Health Visiting</option>' in html
    # Nothing matching: said so.
    assert "No referral waiting for a decision matches these filters." in html_of(client.get(QUEUE, {"rag": "green"}))


def test_a_filter_value_that_is_not_a_choice_is_ignored(world, client_for):
    made = referral(world, [child(world, "Ida", "Ignored", 5)])
    nonsense = {"agency": "not-a-number", "rag": "purple", "flag": "x", "category": "y"}
    response = client_for(world.mw).get(QUEUE, nonsense)
    html = html_of(response)
    assert response.status_code == 200
    assert queue_ids(html) == [made.pk]
    assert "govuk-error-message" not in html


def test_htmx_gets_the_region_alone_with_the_figures_out_of_band(world, client_for):
    made = referral(world, [child(world, "Hex", "Htmx", 5)])
    referral_rate(referral=made, by=world.mw, rag="red")
    client = client_for(world.mw)
    page = html_of(client.get(QUEUE, {"rag": "red"}))
    assert 'id="triage-queue-filters" method="get" action="/referrals/" novalidate hx-get="/referrals/" ' \
        'hx-target="#triage-queue-region" hx-swap="outerHTML"' in page
    assert 'id="triage-queue-region" class="app-queue" hx-get="/referrals/?rag=red" hx-trigger="every 60s"' in page
    assert 'hx-swap-oob' not in page

    response = client.get(QUEUE, {"rag": "red"}, headers={"HX-Request": "true"})
    partial = html_of(response)
    assert "<html" not in partial and "<h1" not in partial
    assert partial.lstrip().startswith('<div id="triage-queue-summary" class="app-queue-summary" hx-swap-oob="true">')
    assert 'id="triage-queue-region"' in partial and queue_ids(partial) == [made.pk]
    assert "HX-Request" in response["Vary"]
    assert "HX-Push-Url" not in response  # a poll leaves the address alone
    # The filters, submitted: the address shows the filters chosen, and only those.
    response = client.get(QUEUE, {"agency": "", "category": "", "rag": "red"},
                          headers={"HX-Request": "true", "HX-Trigger": "triage-queue-filters"})
    assert response["HX-Push-Url"] == "/referrals/?rag=red"
    # Restoring its history after a cache miss, htmx needs the whole page.
    restored = html_of(client.get(QUEUE, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}))
    assert "<html" in restored


def test_each_row_opens_the_referral_keeping_the_queue_place(world, client_for):
    made = referral(world, [child(world, "Bea", "Back", 5)])
    client = client_for(world.mw)
    html = html_of(client.get(QUEUE, {"rag": "unrated", "allocated": "unallocated"}))
    href = re.search(r'href="([^"]+)">Bea Back</a>', html.replace(f' id="queue-referral-{made.pk}"', ""))
    assert href is not None
    assert href.group(1) == f"/referrals/{made.pk}/?back=" + quote("/referrals/?rag=unrated&allocated=unallocated",
                                                                    safe="")
    detail = html_of(client.get(href.group(1)))
    assert ('<a href="/referrals/?rag=unrated&allocated=unallocated" class="govuk-back-link">'
            "Back to the triage queue</a>") in detail


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil"])
def test_the_back_link_only_goes_to_a_page_of_this_site(world, client_for, back):
    made = referral(world, [child(world, "Bo", "Back", 5)])
    html = html_of(client_for(world.mw).get(f"/referrals/{made.pk}/", {"back": back}))
    assert "evil" not in html and "javascript:" not in html
    assert '<a href="/referrals/" class="govuk-back-link">Back to the triage queue</a>' in html


def test_the_queue_query_count_does_not_grow_with_its_length(world, client_for, django_assert_num_queries):
    client = client_for(world.mw)
    rows(world, 1)
    client.get(QUEUE)
    # session; user with membership and agency; the audit actor; savepoint; the referrer agencies for the
    # filter; the whole queue's size, oldest and overdue; the rows with referrer and allocated user; their
    # children with flags; which children the user may open; the unread badge; release savepoint.
    with django_assert_num_queries(11):
        one = client.get(QUEUE)
    rows(world, 14)
    with django_assert_num_queries(11):
        fifteen = client.get(QUEUE)
    assert len(queue_ids(html_of(one))) == 1 and len(queue_ids(html_of(fifteen))) == 15


@pytest.mark.parametrize("code", ["SW", "TM", "PO", "HV", "AU", "AD", "OUT"])
def test_only_mash_staff_and_the_senior_manager_see_the_queue(world, client_for, code):
    assert client_for(world.persona(code)).get(QUEUE).status_code == 403


def test_signed_out_the_queue_asks_to_sign_in(world):
    response = Client().get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=/referrals/")


# -- Signing in and the navigation -----------------------------------------------------------------------------


def test_a_mash_practitioner_lands_on_the_queue_and_others_at_home(world):
    for username, landing in (("mw", QUEUE), ("mm", "/"), ("sw", "/"), ("po", "/")):
        response = Client().post("/sign-in/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == landing, username
    # A page asked for before signing in still wins.
    response = Client().post("/sign-in/?next=/inbox/", {"username": "mw", "password": PASSWORD, "next": "/inbox/"})
    assert response["Location"] == "/inbox/"


@pytest.mark.parametrize(("code", "shown"), [("MW", True), ("MM", True), ("SM", True), ("SW", False),
                                             ("TM", False), ("PO", False), ("AU", False)])
def test_the_navigation_offers_the_queue_to_mash_staff(world, client_for, code, shown):
    html = html_of(client_for(world.persona(code)).get("/"))
    assert bool(re.search(r'href="/referrals/">\s*Triage queue\s*</a>', html)) is shown


# -- The referral page -----------------------------------------------------------------------------------------


@pytest.fixture
def checked(world: World) -> Referral:
    """A referral from health visiting about two siblings, without consent; police asked and answered."""
    leo, baby = siblings(world, "Okafor", ("Leo", 8), ("Ada", 0))
    made = referral(world, [leo, baby], consent=Referral.Consent.NOT_SOUGHT,
                    consent_reason="Asking would put the children at risk.",
                    categories=["domestic_abuse", "neglect"], concerns="Father threatened mother with a knife.")
    from referrals.services import agency_check_request

    check = agency_check_request(referral=made, by=world.mm, agency=world.police, question="Any call-outs?")
    agency_check_answer(check=check, by=world.po, information="Three call-outs since March.")
    return made


def test_the_referral_page_shows_everything_to_the_mash(world, client_for, checked):
    html = html_of(client_for(world.mw).get(f"/referrals/{checked.pk}/"))
    text = text_of(html)
    assert "Leo Okafor and Ada Okafor" in text
    assert f"Referral {checked.pk} from North Health Visiting" in text
    assert "Father threatened mother with a knife." in text
    assert "Domestic abuse" in text and "Neglect" in text
    assert "Not sought Asking would put the children at risk." in text
    assert "Awaiting decision" in text and "Standard" in text
    leo = checked.children.get(child__given_name="Leo").child
    assert f'<a class="govuk-link" href="/people/{leo.pk}/">Leo Okafor</a>' in html
    assert "8 years" in text and re.search(r"Ada Okafor</a>\s*</span>, \d+ months?", html)
    # The check, its answer, and the information shared with the police, authorised by the manager.
    assert "Shire Police" in text and "Any call-outs?" in text and "Three call-outs since March." in text
    assert "Shared without consent, authorised by" in text
    assert "Information shared" in text and "Referral summary for an agency check" in text
    # MASH actions.
    assert f'action="/referrals/{checked.pk}/rag/"' in html and "Allocate to me" in text
    assert f'href="/referrals/{checked.pk}/checks/new/"' in html
    assert f'href="/referrals/{checked.pk}/decision/"' not in html  # the MASH worker does not decide
    assert f'<input type="hidden" name="version" value="{checked.version}" id="id_version">' in html


def test_the_referral_page_offers_the_decision_to_managers_only(world, client_for, checked):
    for code, offered in (("MM", True), ("SM", True), ("MW", False), ("SW", False), ("TM", False)):
        html = html_of(client_for(world.persona(code)).get(f"/referrals/{checked.pk}/"))
        assert (f'href="/referrals/{checked.pk}/decision/"' in html) is offered, code
    html = html_of(client_for(world.sw).get(f"/referrals/{checked.pk}/"))
    assert "/rag/" not in html and "Allocate to me" not in html and "/checks/new/" not in html


def test_the_referrer_and_the_checked_agency_see_what_the_selector_allows(world, client_for, checked):
    hv = html_of(client_for(world.hv).get(f"/referrals/{checked.pk}/"))
    assert "Father threatened mother with a knife." in hv
    assert "Information shared" not in hv and "Three call-outs since March." not in hv
    assert not re.search(r'href="/people/\d+/"', hv)  # the children's records are not theirs to open
    assert "/rag/" not in hv and "/decision/" not in hv
    assert '<a href="/referrals/made/" class="govuk-back-link">' in hv
    po = html_of(client_for(world.po).get(f"/referrals/{checked.pk}/"))
    assert "Three call-outs since March." in po and "Information shared" not in po
    assert '<a href="/checks/" class="govuk-back-link">' in po
    assert client_for(world.te).get(f"/referrals/{checked.pk}/").status_code == 404
    assert client_for(world.out).get(f"/referrals/{checked.pk}/").status_code == 404


def test_after_the_decision_the_page_shows_it_and_who_may_act_on_it(world, client_for, checked):
    decided(world, checked, outcome="strategy_discussion")
    meeting = StrategyMeeting.objects.get(referral=checked)
    mw = html_of(client_for(world.mw).get(f"/referrals/{checked.pk}/"))
    text = text_of(mw)
    assert "Strategy discussion (section 47)" in text and "Two young children and repeated shouting." in text
    assert f"Strategy meeting {meeting.pk}: due" in text
    assert "Not fed back yet" in text and f'href="/referrals/{checked.pk}/feedback/"' in mw
    assert "/rag/" not in mw and "/checks/new/" not in mw
    assert "challenge this decision" not in mw
    for code in ("HV", "PO"):
        html = html_of(client_for(world.persona(code)).get(f"/referrals/{checked.pk}/"))
        assert f'<a class="govuk-link" href="/referrals/{checked.pk}/escalate/">challenge this decision</a>' in html
        assert "/feedback/" not in html


def test_the_referral_page_query_count_is_fixed(world, client_for, django_assert_num_queries):
    small = referral(world, [child(world, "One", "Child", 4)])
    big = referral_checked(world, referral(world, siblings(world, "Many", ("A", 2), ("B", 4), ("C", 6), ("D", 9))))
    from referrals.services import agency_check_request

    agency_check_request(referral=big, by=world.mw, agency=world.school)
    client = client_for(world.mw)
    client.get(f"/referrals/{small.pk}/")  # the session's first request records when it was last used
    # session; user; audit actor; savepoint; the referral with its referrer; the view's access-log row; decision;
    # feedback; escalations (with their stages: none here); information shares; children with their flags; which
    # children the user may open; checks with their agencies and people; the strategy meeting; the unread
    # badge; release savepoint.
    with django_assert_num_queries(16):
        client.get(f"/referrals/{small.pk}/")
    with django_assert_num_queries(16):
        client.get(f"/referrals/{big.pk}/")


# -- Rating and allocating -------------------------------------------------------------------------------------


def test_rating_saves_and_comes_back_to_the_referral_with_a_banner(world, client_for):
    made = referral(world, [child(world, "Rita", "Rated", 5)])
    back = "/referrals/?rag=unrated"
    response = client_for(world.mw).post(f"/referrals/{made.pk}/rag/", {"rag": "red", "version": made.version,
                                                                        "back": back}, follow=True)
    made.refresh_from_db()
    assert made.rag == "red" and made.rag_by == world.mw
    assert response.redirect_chain[0][0] == f"/referrals/{made.pk}/?back=" + quote(back, safe="")
    assert f"Referral {made.pk} rated red." in html_of(response)


def test_a_stale_rating_is_refused_with_the_stale_record_message(world, client_for):
    made = referral(world, [child(world, "Stan", "Stale", 5)])
    seen = made.version
    referral_rate(referral=made, by=world.mm, rag="amber")
    response = client_for(world.mw).post(f"/referrals/{made.pk}/rag/", {"rag": "green", "version": seen}, follow=True)
    made.refresh_from_db()
    assert made.rag == "amber"
    assert "Someone else changed this record since you opened it; your changes were not saved" in html_of(response)


def test_a_rating_without_a_colour_shows_the_error_on_the_page(world, client_for):
    made = referral(world, [child(world, "Nia", "None", 5)])
    response = client_for(world.mw).post(f"/referrals/{made.pk}/rag/", {"version": made.version})
    html = html_of(response)
    assert response.status_code == 200
    assert '<a href="#id_rag">Choose red, amber or green</a>' in html
    assert 'id="id_rag-error"' in html


def test_rating_may_go_back_to_the_queue_when_next_says_so(world, client_for):
    made = referral(world, [child(world, "Nex", "Next", 5)])
    client = client_for(world.mw)
    response = client.post(f"/referrals/{made.pk}/rag/", {"rag": "amber", "version": made.version,
                                                          "next": "/referrals/?rag=amber"})
    assert response["Location"] == "/referrals/?rag=amber"
    response = client.post(f"/referrals/{made.pk}/rag/", {"rag": "red", "next": "https://evil.example/"})
    assert response["Location"] == f"/referrals/{made.pk}/"


def test_allocating_to_me_and_back_to_the_pool(world, client_for):
    made = referral(world, [child(world, "Al", "Located", 5)])
    client = client_for(world.mw)
    response = client.post(f"/referrals/{made.pk}/allocate/", {"to": "me", "version": made.version}, follow=True)
    made.refresh_from_db()
    assert made.allocated_to == world.mw
    html = html_of(response)
    assert f"Referral {made.pk} allocated to you." in html and "Give back to the pool" in html
    client.post(f"/referrals/{made.pk}/allocate/", {"to": "none", "version": made.version})
    made.refresh_from_db()
    assert made.allocated_to is None
    # A stale allocation is refused.
    response = client.post(f"/referrals/{made.pk}/allocate/", {"to": "me", "version": 0}, follow=True)
    made.refresh_from_db()
    assert made.allocated_to is None and "your changes were not saved" in html_of(response)


@pytest.mark.parametrize("version", [None, "", "seven", "²", "-1", "9" * 30])
def test_a_rating_or_allocation_without_a_version_is_refused_as_stale(world, client_for, version):
    made = referral(world, [child(world, "Vic", "Version", 5)])
    client = client_for(world.mw)
    forms = ((f"/referrals/{made.pk}/rag/", {"rag": "red"}), (f"/referrals/{made.pk}/allocate/", {"to": "me"}))
    for url, body in forms:
        if version is not None:
            body["version"] = version
        response = client.post(url, body, follow=True)
        html = html_of(response)
        assert response.redirect_chain[0][0] == f"/referrals/{made.pk}/"
        assert "Someone else changed this record since you opened it; your changes were not saved" in html
        assert "Enter a whole number" not in html
    made.refresh_from_db()
    assert (made.rag, made.allocated_to) == ("", None)


# -- Asking an agency ------------------------------------------------------------------------------------------


def test_the_check_form_offers_partner_agencies_and_the_usual_due_time(world, client_for):
    made = referral(world, [child(world, "Cal", "Check", 5)])
    html = html_of(client_for(world.mw).get(f"/referrals/{made.pk}/checks/new/"))
    assert "<h1 class=\"govuk-heading-l\">Ask an agency what it knows</h1>" in html
    assert ">Shire Police</option>" in html and ">North Health Visiting</option>" in html
    assert "North Children's Services</option>" not in html
    assert "South Children's Services" not in html
    assert "Leave the date and time blank for the usual time: by" in html
    assert 'name="authorised_by"' not in html  # the family consented


def test_asking_an_agency_sends_the_check_with_the_usual_due_time(world, client_for):
    made = referral(world, [child(world, "Cy", "Check", 5)])
    response = client_for(world.mw).post(f"/referrals/{made.pk}/checks/new/", {
        "agency": world.police.pk, "question": "Any call-outs?"}, follow=True)
    check = AgencyCheck.objects.get(referral=made)
    assert check.agency == world.police and check.question == "Any call-outs?"
    assert "Shire Police has been asked. The answer is due by" in html_of(response)
    assert response.redirect_chain[-1][0] == f"/referrals/{made.pk}/"


def test_asking_with_a_due_time_of_ones_own(world, client_for):
    made = referral(world, [child(world, "Dee", "Due", 5)])
    due = timezone.localtime() + timedelta(days=2)
    client_for(world.mw).post(f"/referrals/{made.pk}/checks/new/", {
        "agency": world.police.pk, "due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year,
        "due_time": due.strftime("%H:%M")})
    check = AgencyCheck.objects.get(referral=made)
    assert timezone.localtime(check.due_at).strftime("%Y-%m-%d %H:%M") == due.strftime("%Y-%m-%d %H:%M")


def test_the_check_form_says_what_is_wrong(world, client_for):
    made = referral(world, [child(world, "Eve", "Errors", 5)])
    client = client_for(world.mw)
    html = html_of(client.post(f"/referrals/{made.pk}/checks/new/", {"due_on_day": "3"}))
    assert '<a href="#id_agency">Choose the agency to ask</a>' in html
    assert '<a href="#id_due_on">Date the answer is due must include a month and a year</a>' in html
    yesterday = timezone.localdate() - timedelta(days=1)
    html = html_of(client.post(f"/referrals/{made.pk}/checks/new/", {
        "agency": world.police.pk, "due_on_day": yesterday.day, "due_on_month": yesterday.month,
        "due_on_year": yesterday.year, "due_time": "10:00"}))
    assert '<a href="#id_due_on">The check must be due in the future.</a>' in html
    html = html_of(client.post(f"/referrals/{made.pk}/checks/new/", {
        "agency": world.police.pk, "due_on_day": yesterday.day, "due_on_month": yesterday.month,
        "due_on_year": yesterday.year, "due_time": "25:00"}))
    assert '<a href="#id_due_time">Enter a real time, using the 24-hour clock, for example 14:30</a>' in html
    assert not AgencyCheck.objects.filter(referral=made).exists()
    # Asking the same agency twice while it has not answered.
    client.post(f"/referrals/{made.pk}/checks/new/", {"agency": world.police.pk})
    html = html_of(client.post(f"/referrals/{made.pk}/checks/new/", {"agency": world.police.pk}))
    assert "Shire Police has already been asked and has not answered yet." in html


def test_without_consent_a_worker_names_the_manager_who_authorised_it(world, client_for):
    made = referral(world, [child(world, "Nico", "Consent", 5)], consent=Referral.Consent.REFUSED,
                    consent_reason="The father would flee with the children.")
    client = client_for(world.mw)
    html = html_of(client.get(f"/referrals/{made.pk}/checks/new/"))
    assert 'name="authorised_by"' in html
    assert f'<option value="{world.mm.pk}">' in html and f'<option value="{world.sw.pk}">' not in html
    html = html_of(client.post(f"/referrals/{made.pk}/checks/new/", {"agency": world.police.pk}))
    assert '<a href="#id_authorised_by">Choose the manager who authorised sharing without consent</a>' in html
    client.post(f"/referrals/{made.pk}/checks/new/", {"agency": world.police.pk, "authorised_by": world.mm.pk})
    check = AgencyCheck.objects.get(referral=made)
    assert check.authorised_by == world.mm
    share = InformationShare.objects.get(record_type="referral", record_id=made.pk, agency=world.police)
    assert share.authorised_by == world.mm


def test_a_manager_asking_without_consent_authorises_it_themselves(world, client_for):
    made = referral(world, [child(world, "Max", "Manager", 5)], consent=Referral.Consent.NOT_SOUGHT,
                    consent_reason="Risk of significant harm.")
    client = client_for(world.mm)
    html = html_of(client.get(f"/referrals/{made.pk}/checks/new/"))
    assert 'name="authorised_by"' not in html and "As a manager, you authorise sharing it" in html
    client.post(f"/referrals/{made.pk}/checks/new/", {"agency": world.police.pk})
    assert AgencyCheck.objects.get(referral=made).authorised_by == world.mm


# -- The decision ----------------------------------------------------------------------------------------------


def test_the_decision_form_lists_every_outcome_with_a_hint(world, client_for):
    made = referral(world, [child(world, "Dora", "Decide", 5)])
    html = html_of(client_for(world.mm).get(f"/referrals/{made.pk}/decision/"))
    for value, label in Decision.Outcome.choices:
        assert f'value="{value}"' in html and label in html
    assert 'aria-describedby="id_outcome-5-item-hint"' in html
    assert "A strategy meeting is convened, due within 24 hours." in html
    assert "Dora Decide" in html and "Neighbours heard shouting" in html


def test_the_decision_form_errors_link_to_their_fields(world, client_for):
    made = referral(world, [child(world, "Eli", "Error", 5)])
    response = client_for(world.mm).post(f"/referrals/{made.pk}/decision/", {"rationale": "  "})
    html = html_of(response)
    assert response.status_code == 200
    assert "<title>Error: Record the decision" in html
    assert '<a href="#id_outcome">Choose the decision</a>' in html
    assert '<a href="#id_rationale">Give the rationale: why this decision, on what information</a>' in html
    assert 'id="id_outcome"' in html and 'id="id_rationale"' in html
    assert not Decision.objects.filter(referral=made).exists()


def test_the_services_objection_lands_on_the_outcome(world, client_for):
    made = referral(world, [child(world, "Opal", "Open", 5)])
    html = html_of(client_for(world.mm).post(f"/referrals/{made.pk}/decision/", {
        "outcome": "already_open", "rationale": "Known to the team."}))
    assert "Opal Open has no open case: choose another decision." in html
    assert 'id="id_outcome-error"' in html


def test_a_strategy_discussion_decision_says_when_the_meeting_is_due(world, client_for):
    made = referral(world, [child(world, "Sol", "Strategy", 5)])
    response = client_for(world.mm).post(f"/referrals/{made.pk}/decision/", {
        "outcome": "strategy_discussion", "rationale": "Bruising to a non-mobile baby.",
        "back": "/referrals/?rag=red"}, follow=True)
    meeting = StrategyMeeting.objects.get(referral=made)
    due = timezone.localtime(meeting.due_by)
    html = html_of(response)
    assert response.redirect_chain[0][0] == f"/referrals/{made.pk}/?back=" + quote("/referrals/?rag=red", safe="")
    assert "govuk-notification-banner--success" in html
    assert (f"Decision recorded: Strategy discussion (section 47). The strategy meeting is due by "
            f"{due:%H:%M} on {due:%A} {due.day} {due:%B %Y}.") in html
    assert Case.objects.get(child=made.children.get().child).status == Case.Status.ASSESSMENT


def test_a_decided_referral_is_not_decided_again(world, client_for):
    made = decided(world, referral(world, [child(world, "Twice", "Decided", 5)]))
    client = client_for(world.sm)
    response = client.get(f"/referrals/{made.pk}/decision/", follow=True)
    assert "This referral has already been decided." in html_of(response)
    client.post(f"/referrals/{made.pk}/decision/", {"outcome": "no_further_action", "rationale": "x"})
    assert Decision.objects.get(referral=made).outcome == "child_and_family_assessment"


def test_a_decision_posted_after_another_keeps_what_was_typed(world, client_for):
    made = referral(world, [child(world, "Kit", "Kept", 5)])
    client = client_for(world.sm)
    assert client.get(f"/referrals/{made.pk}/decision/").status_code == 200  # the form is open ...
    decided(world, made)  # ... when the MASH manager decides
    for body in ({"outcome": "early_help", "rationale": "Mum asked for help with routines."},
                 {"rationale": "Mum asked for help with routines."}):
        response = client.post(f"/referrals/{made.pk}/decision/", body)
        html = html_of(response)
        assert response.status_code == 200
        assert '<a href="#id_outcome">This referral has already been decided.</a>' in html
        assert "Mum asked for help with routines." in html
    assert Decision.objects.get(referral=made).outcome == "child_and_family_assessment"


def test_a_check_asked_after_the_decision_keeps_what_was_typed(world, client_for):
    made = referral(world, [child(world, "Quin", "Question", 5)])
    decided(world, made)
    client = client_for(world.mw)
    for body in ({"agency": world.police.pk, "question": "Any call-outs last month?"},
                 {"question": "Any call-outs last month?"}):
        response = client.post(f"/referrals/{made.pk}/checks/new/", body)
        html = html_of(response)
        assert response.status_code == 200
        assert '<a href="#id_agency">This referral has already been decided.</a>' in html
        assert "Any call-outs last month?" in html
    assert not AgencyCheck.objects.filter(referral=made, question__startswith="Any call-outs").exists()
    # Opening the form on a decided referral still goes back to the referral.
    response = client.get(f"/referrals/{made.pk}/checks/new/")
    assert response.status_code == 302 and response["Location"] == f"/referrals/{made.pk}/"


def test_the_buttons_that_record_are_protected_from_a_double_click(world, client_for):
    awaiting = referral(world, [child(world, "Dot", "Double", 5)])
    made = decided(world, referral(world, [child(world, "Cli", "Click", 5)]))
    for url, button in ((f"/referrals/{awaiting.pk}/decision/", "Record the decision"),
                        (f"/referrals/{awaiting.pk}/checks/new/", "Send the check"),
                        (f"/referrals/{made.pk}/feedback/", "Record feedback")):
        html = html_of(client_for(world.mm).get(url))
        assert re.search(rf'<button[^>]*data-prevent-double-click="true"[^>]*>{button}</button>', html), url


# -- Feedback --------------------------------------------------------------------------------------------------


def test_feedback_defaults_to_now_and_is_recorded(world, client_for):
    made = decided(world, referral(world, [child(world, "Fen", "Feedback", 5)]))
    client = client_for(world.mw)
    html = html_of(client.get(f"/referrals/{made.pk}/feedback/"))
    today = timezone.localdate()
    assert f'name="shared_on_day" type="text" inputmode="numeric" spellcheck="false" value="{today.day}"' in html
    assert re.search(r'name="shared_time" type="text" value="\d\d:\d\d"', html)
    assert "Child and family assessment (section 17)" in html
    response = client.post(f"/referrals/{made.pk}/feedback/", {"method": "phone", "note": "Told Hana."}, follow=True)
    feedback = Feedback.objects.get(referral=made)
    assert feedback.method == "phone" and feedback.shared_by == world.mw and feedback.note == "Told Hana."
    assert "Feedback to North Health Visiting recorded." in html_of(response)
    assert "Fed back" in html_of(response)


def test_the_feedback_form_says_what_is_wrong(world, client_for):
    made = decided(world, referral(world, [child(world, "Wes", "Wrong", 5)], hours_ago=3))
    client = client_for(world.tm)
    html = html_of(client.post(f"/referrals/{made.pk}/feedback/", {"shared_time": "10:00"}))
    assert '<a href="#id_method">Choose how the referrer was told</a>' in html
    assert '<a href="#id_shared_on">Enter the date the referrer was told</a>' in html
    before = timezone.localtime() - timedelta(days=3)
    html = html_of(client.post(f"/referrals/{made.pk}/feedback/", {
        "method": "letter", "shared_on_day": before.day, "shared_on_month": before.month,
        "shared_on_year": before.year, "shared_time": before.strftime("%H:%M")}))
    assert '<a href="#id_shared_on">The referrer cannot have been told before the decision was made.</a>' in html
    assert not Feedback.objects.filter(referral=made).exists()


def test_feedback_needs_a_decision(world, client_for):
    made = referral(world, [child(world, "Nod", "Decision", 5)])
    response = client_for(world.mm).get(f"/referrals/{made.pk}/feedback/", follow=True)
    assert "There is no decision to feed back yet." in html_of(response)


def test_feedback_in_the_minute_of_the_decision_counts_as_just_after_it(world, client_for):
    made = decided(world, referral(world, [child(world, "Min", "Minute", 5)]))
    decision = Decision.objects.get(referral=made)
    typed = timezone.localtime(decision.decided_at)
    client_for(world.mm).post(f"/referrals/{made.pk}/feedback/", {
        "method": "phone", "shared_on_day": typed.day, "shared_on_month": typed.month, "shared_on_year": typed.year,
        "shared_time": typed.strftime("%H:%M")})
    assert Feedback.objects.get(referral=made).shared_at == decision.decided_at


def test_feedback_posted_after_a_colleague_s_keeps_what_was_typed(world, client_for):
    made = decided(world, referral(world, [child(world, "Fay", "Fed", 5)]))
    client_for(world.mw).post(f"/referrals/{made.pk}/feedback/", {"method": "phone"})
    client = client_for(world.tm)
    for body in ({"method": "letter", "note": "Sent the outcome letter to the school."},
                 {"note": "Sent the outcome letter to the school."}):
        response = client.post(f"/referrals/{made.pk}/feedback/", body)
        html = html_of(response)
        assert response.status_code == 200
        assert '<a href="#id_method">Feedback has already been recorded for this referral.</a>' in html
        assert "Sent the outcome letter to the school." in html
    assert Feedback.objects.get(referral=made).method == "phone"
    response = client.get(f"/referrals/{made.pk}/feedback/", follow=True)
    assert "Feedback has already been recorded for this referral." in html_of(response)


def test_the_referral_page_shows_escalations_with_their_stages(world, client_for, checked):
    from referrals.services import escalation_raise

    decided(world, checked)
    escalation = escalation_raise(referral=checked, by=world.hv, reason="The family needs an assessment, not advice.")
    for code in ("MW", "HV"):
        html = html_of(client_for(world.persona(code)).get(f"/referrals/{checked.pk}/"))
        text = text_of(html)
        assert "Escalations" in text and "Raised by North Health Visiting on" in text
        assert "open, at stage 1" in text and "The family needs an assessment, not advice." in text
        assert "Waiting for an answer" in text and f'href="/escalations/{escalation.pk}/"' in html
    # While an escalation is open, the referrer is not offered a second one.
    hv = html_of(client_for(world.hv).get(f"/referrals/{checked.pk}/"))
    assert "/escalate/" not in hv
