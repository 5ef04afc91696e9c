"""The page shell, sign-in, home per role, inbox and history pages (Django test client, no browser)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html import unescape

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import services
from agencies.middleware import LAST_SEEN_KEY
from agencies.models import Membership, Notification, Role
from tests.conftest import PERSONA_CODES
from tests.factories import PASSWORD
from tests.home_sections import EVERY_ROLE_HEADINGS, ROLE_HEADINGS

pytestmark = pytest.mark.django_db



def h2s(html: str) -> set[str]:
    return {unescape(h) for h in re.findall(r"<h2 class=\"govuk-heading-m\"[^>]*>([^<]+)</h2>", html)}


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


# Sign in and out


def test_sign_in_page_is_a_govuk_form(world):
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="govuk-label govuk-label--s" for="id_username">' in html
    assert 'class="govuk-input' in html and 'autocomplete="username"' in html
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert "govuk-error-summary" not in html
    # Signed out: the header has no navigation, account area or badge.
    assert "govuk-service-navigation__list" not in html
    assert "Sign out" not in html and "moj-notification-badge" not in html


def test_blank_sign_in_shows_the_error_summary_linking_to_each_field(world):
    response = sign_in(Client(), "", "")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'id="id_username-error"' in html and '<span class="govuk-visually-hidden">Error:</span>' in html
    assert "govuk-input--error" in html and "govuk-form-group--error" in html
    assert 'aria-describedby="id_username-error"' in html


def test_wrong_password_is_one_message_linked_to_the_first_field(world):
    html = sign_in(Client(), "mw", "not-the-password").content.decode()
    assert '<a href="#id_username">Enter a correct username and password. Both are case-sensitive.</a>' in html


def test_signing_in_goes_home(world):
    # A MASH practitioner lands on the triage queue instead (tests/referrals/test_triage_pages.py).
    client = Client()
    response = sign_in(client, "sw", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_five_failures_lock_the_account_with_the_locked_out_page(world):
    client = Client()
    for _ in range(4):
        assert sign_in(client, "sw", "wrong-password").status_code == 200
    response = sign_in(client, "sw", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Your account is locked" in html
    assert "30 minutes" in html
    assert "system administrator" in html
    # Even the right password is refused until the lock ends.
    assert sign_in(Client(), "sw", PASSWORD).status_code == 429
    # Another account is not locked with it.
    assert sign_in(Client(), "mw", PASSWORD).status_code == 302


def test_sign_out_is_post_only(world, client_for):
    client = client_for(world.sw)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_header_signs_out_with_a_post_form_carrying_the_csrf_token(world, client_for):
    html = client_for(world.sw).get(reverse("home")).content.decode()
    form = re.search(r'<form class="app-header__form" method="post" action="/sign-out/">(.*?)</form>', html, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert "Sign out" in form.group(1)


def test_an_idle_session_is_signed_out_with_a_message(world, client_for, settings):
    client = client_for(world.sw)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 60
    session.save()
    response = client.get(reverse("home"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "You were signed out because you had not used the service for a while." in html
    assert "govuk-notification-banner" in html
    assert client.get(reverse("home")).status_code == 302


def test_an_active_session_stays_signed_in(world, client_for, settings):
    client = client_for(world.sw)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


# Home per role


@pytest.mark.parametrize("code", PERSONA_CODES)
def test_home_shows_the_role_s_own_sections_and_no_other_role_s(world, client_for, code):
    user = world.persona(code)
    role = Membership.objects.get(user=user).role
    html = client_for(user).get(reverse("home")).content.decode()
    headings = h2s(html)
    assert '<h1 class="govuk-heading-l">Your work</h1>' in html
    assert f'<span class="govuk-caption-l">{Role(role).label}, ' in html
    for heading in (*ROLE_HEADINGS[role], *EVERY_ROLE_HEADINGS):
        assert heading in headings, f"{code} home lacks {heading!r}"
    others = {h for r, hs in ROLE_HEADINGS.items() if r != role for h in hs} - set(ROLE_HEADINGS[role])
    assert not headings & others, f"{code} home shows another role's sections: {headings & others}"
    # Every section says what will appear when it is empty.
    assert html.count('class="app-empty-state"') >= len(ROLE_HEADINGS[role]) + 1


def test_practitioner_sections_name_their_agency(world, client_for):
    html = client_for(world.hv).get(reverse("home")).content.decode()
    assert "There are no requests for information to North Health Visiting." in html


def test_admin_home_counts_the_partnership_s_agencies_and_users(world, client_for):
    html = client_for(world.ad).get(reverse("home")).content.decode()
    # North: children's services, police, health visiting, mental health, school; every persona but OUT.
    assert re.search(r'<dt class="govuk-summary-list__key">Agencies</dt>\s*<dd[^>]*>5</dd>', html)
    assert re.search(r'<dt class="govuk-summary-list__key">Users</dt>\s*<dd[^>]*>11</dd>', html)
    assert f'href="{reverse("api-docs")}">API documentation</a>' in html


def test_home_lists_tasks_due_soonest_first_and_the_latest_unread(world, client_for):
    now = timezone.now()
    later = services.notification_send(recipient=world.sw, kind="visit_due", message="Visit the Ashdown children")
    sooner = services.notification_send(recipient=world.sw, kind="action_due", message="Send the plan to the GP")
    overdue = services.notification_send(recipient=world.sw, kind="action_due", message="Book the interpreter")
    Notification.objects.filter(pk=later.pk).update(due_at=now + timedelta(days=3))
    Notification.objects.filter(pk=sooner.pk).update(due_at=now + timedelta(hours=5))
    Notification.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=1))
    services.notification_send(recipient=world.sw, kind="news", message="Case file audit results published",
                               link="/history/user/1/")
    services.notification_send(recipient=world.tm, kind="news", message="Someone else's notification")
    read = services.notification_send(recipient=world.sw, kind="news", message="Already read")
    services.notifications_mark_read(user=world.sw, ids=[read.pk])

    html = client_for(world.sw).get(reverse("home")).content.decode()
    tasks = html.split('id="section-tasks-due"')[1].split("</section>")[0]
    assert tasks.index("Book the interpreter") < tasks.index("Send the plan to the GP") < tasks.index(
        "Visit the Ashdown children"
    )
    assert "Overdue" in tasks and "left)" in tasks
    assert "Case file audit results published" not in tasks
    unread = html.split('id="section-unread-notifications"')[1].split("</section>")[0]
    assert '<a class="govuk-link" href="/history/user/1/">Case file audit results published</a>' in unread
    assert f'<a class="govuk-link" href="{reverse("inbox")}">Send the plan to the GP</a>' in unread
    assert "Someone else" not in html and "Already read" not in html


def test_a_notification_never_links_off_the_site(world, client_for):
    for link in ("https://elsewhere.example/", "//elsewhere.example/", "javascript:alert(1)"):
        services.notification_send(recipient=world.sw, kind="news", message=f"Link {link}", link=link)
    html = client_for(world.sw).get(reverse("inbox")).content.decode()
    assert "elsewhere.example/\"" not in html and 'href="javascript' not in html
    assert html.count(f'<a class="govuk-link" href="{reverse("inbox")}">Link ') == 3


# Header badge, CSP


def test_the_header_badge_counts_unread_notifications(world, client_for):
    client = client_for(world.mw)
    html = client.get(reverse("home")).content.decode()
    assert "moj-notification-badge" not in html
    for n in range(3):
        services.notification_send(recipient=world.mw, kind="news", message=f"News {n}")
    services.notification_send(recipient=world.mm, kind="news", message="Not for mw")
    html = client.get(reverse("inbox")).content.decode()
    badge = re.search(r'<a class="app-header__link" href="/inbox/">Notifications(.*?)</a>', html, re.S)
    assert badge is not None
    assert '<span aria-hidden="true">3</span>' in badge.group(1)
    assert "(3 unread notifications)" in badge.group(1)


def test_every_page_carries_a_strict_csp_with_a_nonce_on_its_one_inline_script(world, client_for):
    for client, path in ((Client(), reverse("login")), (client_for(world.mw), reverse("home"))):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert nonce is not None
        assert "unsafe-inline" not in policy
        assert "style-src 'self'" in policy
        scripts = re.findall(r"<script([^>]*)>", html)
        inline = [attrs for attrs in scripts if "src=" not in attrs]
        assert inline == [f' nonce="{nonce.group(1)}"']
        assert " style=" not in html and "<style" not in html
        assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_navigation_marks_the_current_page(world, client_for):
    html = client_for(world.ad).get(reverse("inbox")).content.decode()
    assert re.search(r'href="/inbox/" aria-current="page">\s*<strong', html)
    assert f'href="{reverse("api-docs")}"' in html


# Inbox


def test_inbox_lists_the_user_s_notifications_newest_first_with_levels(world, client_for):
    services.notification_send(recipient=world.sw, kind="news", message="First, plain")
    services.notification_send(recipient=world.sw, kind="chase", message="Second, a reminder", level=1)
    services.notification_send(recipient=world.sw, kind="chase", message="Third, escalated", level=3)
    services.notification_send(recipient=world.tm, kind="news", message="For the team manager")
    html = client_for(world.sw).get(reverse("inbox")).content.decode()
    assert html.index("Third, escalated") < html.index("Second, a reminder") < html.index("First, plain")
    assert '<strong class="govuk-tag govuk-tag--red">Escalation level 3</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--yellow">Reminder</strong>' in html
    assert html.count("Escalation level") == 1 and html.count(">Reminder<") == 1
    assert "For the team manager" not in html
    assert "Mark all as read" in html and "Mark selected as read" in html


def test_an_empty_inbox_says_so(world, client_for):
    html = client_for(world.sw).get(reverse("inbox")).content.decode()
    assert "You have no notifications." in html
    assert "Mark all as read" not in html


def test_inbox_pages_by_25(world, client_for):
    for n in range(30):
        services.notification_send(recipient=world.sw, kind="news", message=f"Notice number {n:02d}")
    client = client_for(world.sw)
    first = client.get(reverse("inbox")).content.decode()
    assert first.count('class="app-notification ') == 25
    assert 'class="govuk-pagination' in first and 'rel="next"' in first
    second = client.get(reverse("inbox"), {"page": 2}).content.decode()
    assert second.count('class="app-notification ') == 5
    assert "Notice number 00" in second and 'rel="prev"' in second


def test_marking_read_touches_only_the_user_s_own_notifications(world, client_for):
    mine = services.notification_send(recipient=world.sw, kind="news", message="Mine")
    also_mine = services.notification_send(recipient=world.sw, kind="news", message="Also mine")
    theirs = services.notification_send(recipient=world.tm, kind="news", message="Theirs")
    response = client_for(world.sw).post(
        reverse("inbox-mark-read"), {"action": "selected", "notification": [mine.pk, theirs.pk]}, follow=True
    )
    assert "1 notification marked as read." in response.content.decode()
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=also_mine.pk).read_at is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_as_read_marks_only_the_user_s_own(world, client_for):
    mine = [services.notification_send(recipient=world.sw, kind="news", message=f"Mine {n}") for n in range(3)]
    theirs = services.notification_send(recipient=world.tm, kind="news", message="Theirs")
    # Ticked boxes go with the form whichever button is pressed; "Mark all" still means all.
    response = client_for(world.sw).post(
        reverse("inbox-mark-read"), {"action": "all", "notification": [mine[0].pk, theirs.pk]}
    )
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.sw, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_read_ignores_ids_that_are_not_plain_numbers(world, client_for):
    mine = services.notification_send(recipient=world.sw, kind="news", message="Mine")
    other = services.notification_send(recipient=world.sw, kind="news", message="Other")
    # "²".isdigit() is true but int("²") fails: such values are not ids, not a server error.
    response = client_for(world.sw).post(reverse("inbox-mark-read"), {
        "action": "selected", "notification": [mine.pk, "²", "٣", "9" * 40], "page": "²"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("inbox")
    assert "1 notification marked as read." in response.content.decode()
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    response = client_for(world.sw).post(reverse("inbox-mark-read"), {"action": "selected", "notification": ["²"]},
                                         follow=True)
    assert "Select the notifications to mark as read." in response.content.decode()


def test_mark_selected_with_nothing_ticked_changes_nothing(world, client_for):
    services.notification_send(recipient=world.sw, kind="news", message="Mine")
    response = client_for(world.sw).post(reverse("inbox-mark-read"), {"action": "selected"}, follow=True)
    assert "Select the notifications to mark as read." in response.content.decode()
    assert Notification.objects.filter(recipient=world.sw, read_at__isnull=True).count() == 1


# Components


class ExampleForm(forms.Form):
    name = forms.CharField(label="Child's name", help_text="As the family spells it", max_length=50)
    notes = forms.CharField(label="What was observed", widget=forms.Textarea)
    method = forms.ChoiceField(
        label="How was the voice recorded",
        choices=[("words", "Words"), ("observation", "Observation")],
        widget=forms.RadioSelect,
    )
    agency = forms.ChoiceField(label="Agency", choices=[("", "Choose"), ("police", "Police")])
    consent = forms.BooleanField(label="The family agreed to the referral")


def test_field_component_renders_each_kind_of_field_the_govuk_way():
    form = ExampleForm(data={"name": "", "notes": "", "agency": ""})
    html = "".join(
        render_to_string("components/field.html", {"field": form[name]}) for name in form.fields
    )
    summary = render_to_string("components/error_summary.html", {"form": form})
    for name in form.fields:
        assert f'href="#id_{name}"' in summary
        assert f'id="id_{name}"' in html, f"no input with the id the summary links to: id_{name}"
        assert f'id="id_{name}-error"' in html
    assert 'class="govuk-input govuk-input--error' in html and 'maxlength="50"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'class="govuk-textarea govuk-textarea--error' in html
    assert 'class="govuk-select govuk-select--error' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">How was the voice recorded</legend>' in (
        html
    )
    assert 'class="govuk-radios__input" id="id_method" name="method" type="radio" value="words"' in html
    assert 'id="id_method-2" name="method" type="radio" value="observation"' in html
    assert 'class="govuk-checkboxes__input" id="id_consent" name="consent" type="checkbox"' in html
    # GOV.UK forms validate on the server only: no browser "required" bubbles.
    assert not re.search(r"<(input|select|textarea)[^>]* required", html)


def test_field_component_keeps_what_was_typed():
    form = ExampleForm(data={"name": "Ayo <Okafor>", "notes": "Quiet", "method": "observation", "agency": "police",
                             "consent": "on"})
    html = "".join(render_to_string("components/field.html", {"field": form[name]}) for name in form.fields)
    assert 'value="Ayo &lt;Okafor&gt;"' in html
    assert ">Quiet</textarea>" in html
    assert 'value="observation" checked' in html
    assert '<option value="police" selected>' in html
    assert 'type="checkbox" value="on" checked' in html
    assert "govuk-form-group--error" not in html


# History


def test_history_shows_who_changed_what_before_and_after(world, client_for):
    world.sw.last_name = "Okafor-Smith"
    world.sw.save(update_fields=["last_name"])
    html = client_for(world.ad).get(reverse("history", args=["user", world.sw.pk])).content.decode()
    assert "Who viewed and changed this record" in html
    assert '<th scope="col" class="govuk-table__header">Who</th>' in html
    assert "<strong>Last name</strong>:" in html
    assert 'aria-hidden="true">→</span><span class="govuk-visually-hidden"> changed to </span>Okafor-Smith' in html


# Query counts


def warm(client: Client, path: str) -> None:
    """A first request, so the session's last-seen time is written before counting."""
    assert client.get(path).status_code == 200


# session; the user with membership, agency and partnership; the actor's set_config;
# SAVEPOINT (ATOMIC_REQUESTS); tasks due; latest unread; the user's unfinished drafts; the header badge's count;
# RELEASE SAVEPOINT;
# and each role's own sections: MW the top of the triage queue and the checks they asked (two more);
# SW the strategy meeting actions they own (one more); HV the open checks for their agency, the meetings it is
# asked to, the minutes it received and the actions it owns (four more). With records in them,
# tests/referrals/test_partner_pages.py and tests/strategy_meetings/test_work_lists.py.
# SW: the cases they lead, the same for the children not heard (their voice records only when there are cases),
# the meeting and plan actions they own; HV: their agency's checks, meetings, minutes, meeting and plan actions;
# AU: their audit rounds with their progress (one more; tests/audits/test_rounds_home.py with a round in it).
@pytest.mark.parametrize(("code", "queries"), [("MW", 11), ("SW", 13), ("HV", 14), ("AU", 10)])
def test_home_queries_are_few_and_fixed(world, client_for, django_assert_num_queries, code, queries):
    user = world.persona(code)
    for n in range(8):
        services.notification_send(recipient=user, kind="news", message=f"News {n}", link="/inbox/")
    client = client_for(user)
    warm(client, reverse("home"))
    with django_assert_num_queries(queries):
        client.get(reverse("home"))


def test_admin_home_adds_two_counts(world, client_for, django_assert_num_queries):
    client = client_for(world.ad)
    warm(client, reverse("home"))
    # As any home (nine), plus the counts of the partnership's agencies and of its users.
    with django_assert_num_queries(11):
        client.get(reverse("home"))


def test_inbox_queries_are_few_and_fixed(world, client_for, django_assert_num_queries):
    for n in range(40):
        services.notification_send(recipient=world.sw, kind="news", message=f"News {n}", level=n % 3)
    client = client_for(world.sw)
    warm(client, reverse("inbox"))
    # session; user with membership; the actor's set_config; SAVEPOINT; the paginator's count; the page of 25;
    # the header badge's count (asked once for the badge and for "Mark all as read"); RELEASE SAVEPOINT.
    with django_assert_num_queries(8):
        client.get(reverse("inbox"), {"page": 2})
