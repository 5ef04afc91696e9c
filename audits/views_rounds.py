"""The case-file audit pages (SPEC 3.5, 8 "Audit round"): the rounds, drawing one, a round with its sample, the
audit tool for a sampled case (each agency's review, the moderation, actions for the improvement plan), closing the
round, and its report (a page and a PDF) naming no child.

Every round is fetched through ``round_get_for`` (404 for another partnership's, 403 for those who may not open
it), then the role check, then the service, whose refusals land on the form's fields.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import drafts
from agencies.models import Agency, User
from agencies.reauth import reauthentication_required
from agencies.selectors import membership_of
from audits import rules_rounds as rules
from audits import selectors_rounds as selectors
from audits import services_rounds as services
from audits.forms_rounds import ActionForm, CloseForm, ModerationForm, ReviewForm, RoundCreateForm
from audits.models import AuditCase, AuditRound
from audits.permissions import (
    audit_case_get_for,
    round_close_check,
    round_create_check,
    round_get_for,
    round_is_open,
    round_may_close,
    round_may_create,
    round_may_moderate,
    round_may_open,
    round_may_review,
    round_moderate_check,
    round_open_for_auditors,
    round_report_get_for,
    round_review_check,
    round_sees_names,
    rounds_list_check,
)
from audits.services import access_record
from cases.permissions import cases_visible
from cases.rules.chronology import PdfText, pdf_document

# The moderation form shares the audit tool's page with the review form: its fields are named apart.
MODERATION = "moderation"
STATUS_TAGS = {"moderated": ("green", "Moderated"), "reviewed": ("light-blue", "In review"),
               "not_started": ("grey", "Not started")}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data when posted (an empty body included), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def round_url(audit_round: AuditRound) -> str:
    return reverse("audit-round-detail", args=[audit_round.pk])


def case_url(audit_case: AuditCase, anchor: str = "") -> str:
    return reverse("audit-case-detail", args=[audit_case.round_id, audit_case.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def round_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rounds_list_check(user)
    page = Paginator(selectors.rounds_listed(user=user), 25).get_page(request.GET.get("page"))
    return render(request, "audits/rounds/list.html", {
        "page": page, "may_create": round_may_create(user), "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    round_create_check(user)
    membership = membership_of(user)
    if membership is None:
        messages.info(request, "Audit rounds are drawn within a partnership; your account works in none.")
        return redirect("audit-round-list")
    auditors = services.auditors_of(membership.partnership_id)
    initial = {"closes_on": rules.closes_on_default(timezone.localdate())}
    form = RoundCreateForm(_posted(request), auditors=auditors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit_round = services.audit_round_create(
                partnership_id=membership.partnership_id, by=user, theme=data["theme"],
                sample_size=data["sample_size"], seed=data["seed"], closes_on=data["closes_on"],
                auditor_ids=[int(pk) for pk in data["auditors"]],
            )
        except ValidationError as error:
            form.service_errors(error)
        else:
            drawn = audit_round.cases.count()
            shortfall = rules.sample_shortfall(asked=audit_round.sample_size, drawn=drawn)
            messages.success(request, f"{audit_round.theme} audit drawn: {drawn} case{'s' if drawn != 1 else ''},"
                                      f" with seed {audit_round.seed}. {shortfall}".strip())
            return redirect(round_url(audit_round))
    return render(request, "audits/rounds/create.html", {"form": form, "has_auditors": bool(auditors)})


@login_required
@require_GET
def round_detail_page(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    audit_round = round_get_for(user, round_id)
    detail = selectors.round_detail(audit_round=audit_round)
    rows = [(row, *STATUS_TAGS[row.status]) for row in detail.cases]
    return render(request, "audits/rounds/detail.html", {
        "detail": detail, "audit_round": audit_round, "rows": rows,
        "sees_names": round_sees_names(user, audit_round),
        "reads_cases": round_open_for_auditors(audit_round),
        "may_close": round_may_close(user, audit_round),
        "may_review": round_may_review(user, audit_round),
    })


def _case_page(request: HttpRequest, user: User, audit_round: AuditRound, audit_case: AuditCase, *,
               review_form: ReviewForm | None = None, moderation_form: ModerationForm | None = None) -> HttpResponse:
    membership = membership_of(user)
    agency_id = membership.agency_id if membership is not None else None
    detail = selectors.audit_case_detail(audit_case=audit_case, agency_id=agency_id)
    may_review = round_may_review(user, audit_round)
    may_moderate = round_may_moderate(user, audit_round)
    draft = None
    if may_review and review_form is None:
        review_form = ReviewForm(initial=ReviewForm.initial_for(detail.own))
        draft = drafts.offered(request, _review_draft_key(audit_case))
        if draft is not None:
            review_form.initial = drafts.initial_from(review_form, draft)
    if may_moderate and moderation_form is None:
        moderation_form = ModerationForm(prefix=MODERATION, initial={
            "moderated_grade": audit_case.moderated_grade, "findings": audit_case.findings,
            "learning_points": audit_case.learning_points, "version": audit_case.version,
        })
    form_with_errors = next((f for f in (review_form, moderation_form) if f is not None and f.errors), None)
    return render(request, "audits/rounds/case.html", {
        "audit_round": audit_round, "audit_case": audit_case, "child": audit_case.case.child, "detail": detail,
        "sees_names": round_sees_names(user, audit_round),
        "review_form": review_form if may_review else None,
        "moderation_form": moderation_form if may_moderate else None,
        "form": form_with_errors, "agency": membership.agency if membership is not None else None,
        "reads_cases": round_open_for_auditors(audit_round),
        "may_moderate": may_moderate, "draft": draft,
        "action": reverse("audit-case-detail", args=[audit_round.pk, audit_case.pk]),
        # One query: whether the case itself opens for this user (an auditor's ends when the round closes).
        "opens_case": cases_visible(user).filter(pk=audit_case.case_id).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def audit_case_page(request: HttpRequest, round_id: int, audit_case_id: int) -> HttpResponse:
    """The audit tool for one sampled case: the agencies' reviews, this agency's review form, the moderation."""
    user = _user(request)
    audit_round = round_get_for(user, round_id)
    audit_case = audit_case_get_for(user, audit_round, audit_case_id)
    if request.method == "GET":
        # The page names the child only to those who may still see the sampled cases; that is a view of the case.
        if round_sees_names(user, audit_round):
            access_record(user=user, action="view", record_type="case", record_id=audit_case.case_id,
                          partnership_id=audit_case.partnership_id)
        return _case_page(request, user, audit_round, audit_case)
    round_review_check(user, audit_round)
    if (answered := drafts.handle(request, _review_draft_key(audit_case))) is not None:
        return answered
    membership = membership_of(user)
    assert membership is not None  # noqa: S101 - round_review_check: an auditor of the round
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.audit_review_submit(
                audit_case=audit_case, by=user, agency=membership.agency, grade=form.cleaned_data["grade"],
                answers=form.answers(), strengths=form.cleaned_data["strengths"],
                concerns=form.cleaned_data["concerns"], version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.service_errors(error)
            _offer_current_review(form, audit_case, membership.agency)
        else:
            drafts.discard(user, _review_draft_key(audit_case))
            messages.success(request, f"{membership.agency.name}'s review of this case is submitted.")
            return redirect(case_url(audit_case))
    return _case_page(request, user, audit_round, audit_case, review_form=form)


def _review_draft_key(audit_case: AuditCase) -> str:
    return drafts.key("audit-review", audit_case.pk)


def _offer_current_review(form: ReviewForm, audit_case: AuditCase, agency: Agency) -> None:
    """After a refusal because another reviewer submitted first, the form carries the version now saved, so
    submitting again knowingly replaces it; what this reviewer typed stays in the form."""
    current = audit_case.reviews.filter(agency=agency).values_list("version", flat=True).first()
    data = cast(QueryDict, form.data).copy()
    data["version"] = str(current or 0)
    form.data = data


@login_required
@require_POST
def audit_case_moderate_page(request: HttpRequest, round_id: int, audit_case_id: int) -> HttpResponse:
    user = _user(request)
    audit_round = round_get_for(user, round_id)
    audit_case = audit_case_get_for(user, audit_round, audit_case_id)
    round_moderate_check(user, audit_round)
    form = ModerationForm(request.POST, prefix=MODERATION)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.audit_case_moderate(audit_case=audit_case, by=user, grade=data["moderated_grade"],
                                         findings=data["findings"], learning_points=data["learning_points"],
                                         version=data["version"])
        except ValidationError as error:
            form.service_errors(error)
            audit_case.refresh_from_db()
            post = cast(QueryDict, form.data).copy()
            post[f"{MODERATION}-version"] = str(audit_case.version)
            form.data = post
        else:
            messages.success(request, "The moderation of this case is saved.")
            return redirect(case_url(audit_case, "moderation"))
    return _case_page(request, user, audit_round, audit_case, moderation_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def audit_action_page(request: HttpRequest, round_id: int, audit_case_id: int) -> HttpResponse:
    """Add an action the audit of this case found to the partnership's improvement plan."""
    user = _user(request)
    audit_round = round_get_for(user, round_id)
    audit_case = audit_case_get_for(user, audit_round, audit_case_id)
    round_moderate_check(user, audit_round)
    themes = services.action_themes(audit_round.partnership_id)
    agencies = list(Agency.objects.filter(partnerships=audit_round.partnership_id).order_by("name"))
    form = ActionForm(_posted(request), themes=themes, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = next((agency for agency in agencies if agency.pk == data["owner_agency"]), None)
        try:
            action = services.audit_action_raise(
                audit_case=audit_case, by=user, theme_id=data["theme"], description=data["description"],
                owner_agency=owner, timescale_months=data["timescale_months"],
                expected_impact=data["expected_impact"],
            )
        except ValidationError as error:
            form.service_errors(error)
        else:
            messages.success(request, f"Action added to the improvement plan under {action.theme.title}, due"
                                      f" {action.due_on:%-d %B %Y}.")
            return redirect(case_url(audit_case, "actions"))
    return render(request, "audits/rounds/action.html", {
        "form": form, "audit_round": audit_round, "audit_case": audit_case, "has_themes": bool(themes),
        "label": rules.case_label(audit_case.position),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_close_page(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    audit_round = round_get_for(user, round_id)
    round_close_check(user, audit_round)
    if not round_is_open(audit_round):
        messages.info(request, "This round is already closed.")
        return redirect(round_url(audit_round))
    form = CloseForm(_posted(request), initial={"summary": audit_round.summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_round_close(audit_round=audit_round, by=user, summary=form.cleaned_data["summary"])
        except ValidationError as error:
            form.service_errors(error)
        else:
            messages.success(request, "The round is closed: its auditors no longer see the sampled cases, and its"
                                      " report is published to the partnership's staff.")
            return redirect(round_url(audit_round))
    return render(request, "audits/rounds/close.html", {"form": form, "audit_round": audit_round})


@login_required
@require_GET
def round_report_page(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    audit_round = round_report_get_for(user, round_id)
    report = selectors.round_report(audit_round=audit_round)
    return render(request, "audits/rounds/report.html", {
        "report": report, "audit_round": audit_round,
        "opens_round": round_may_open(user, audit_round),
    })


def report_paragraphs(report: selectors.RoundReport) -> list[PdfText]:
    """The report as the PDF's paragraphs, in the page's order; cases by their place in the draw."""
    audit_round = report.audit_round
    closed = f"closed {audit_round.closed_at:%-d %B %Y}" if audit_round.closed_at else "open"
    out = [
        PdfText(f"Case-file audit: {audit_round.theme}", size=16, bold=True),
        PdfText(f"Drawn {audit_round.drawn_at:%-d %B %Y} with seed {audit_round.seed}: {report.drawn} of"
                f" {audit_round.sample_size} cases asked for. Round {closed}.", space_before=4),
    ]
    if audit_round.summary:
        out += [PdfText("Overall findings", size=12, bold=True, space_before=10), PdfText(audit_round.summary)]
    out.append(PdfText("Moderated grades", size=12, bold=True, space_before=10))
    out += [PdfText(f"{tally.label}: {tally.count}") for tally in report.moderated]
    out.append(PdfText("Grades given by each agency", size=12, bold=True, space_before=10))
    out += [PdfText(f"{row.agency}: " + ", ".join(f"{t.label} {t.count}" for t in row.tallies))
            for row in report.by_agency] or [PdfText("No agency has submitted a review yet.")]
    out.append(PdfText("Answers to each question across the sample", size=12, bold=True, space_before=10))
    for question in report.questions:
        out.append(PdfText(question.label, bold=True, space_before=4))
        out.append(PdfText(", ".join(f"{t.label} {t.count}" for t in question.tallies)))
    out.append(PdfText("Findings and learning points by case", size=12, bold=True, space_before=10))
    for case in report.cases:
        out.append(PdfText(f"{case.label}: {case.moderated_grade or 'not moderated'}", bold=True, space_before=6))
        if case.findings:
            out.append(PdfText(f"Findings: {case.findings}"))
        if case.learning_points:
            out.append(PdfText(f"Learning points: {case.learning_points}"))
    out.append(PdfText("Actions raised", size=12, bold=True, space_before=10))
    out += [PdfText(f"{rules.case_label(action.audit_case.position) if action.audit_case else 'The round'}:"
                    f" {action.description} (owner {action.owner_agency.name}, due {action.due_on:%-d %B %Y};"
                    f" theme {action.theme.title}). Expected impact: {action.expected_impact}")
            for action in report.actions] or [PdfText("No action was raised.")]
    return out


@login_required
@require_GET
@reauthentication_required
def round_report_pdf(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    audit_round = round_report_get_for(user, round_id)
    report = selectors.round_report(audit_round=audit_round)
    content = pdf_document(report_paragraphs(report), title=f"Case-file audit: {audit_round.theme}",
                           footer=f"Case-file audit: {audit_round.theme}. OFFICIAL.")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="audit-round-{audit_round.pk}-report.pdf"'
    return response
