from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from holidays.countries.united_kingdom import UK
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from agencies.rules import WorkingCalendar, english_bank_holidays, is_bank_holiday

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def london(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


@cache
def oracle_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(UK(subdiv="ENG", years=year).keys())


def is_closed(d: date, closures: frozenset[date]) -> bool:
    return d.weekday() >= 5 or d in oracle_bank_holidays(d.year) or d in closures


def to_utc(moment: datetime) -> datetime:
    """Compare instants, not wall clocks: same-tzinfo comparisons ignore the offset."""
    return moment.astimezone(UTC)


def in_working_hours(cal: WorkingCalendar, at: datetime) -> bool:
    local = at.astimezone(cal.tz)
    if not cal.is_working_day(local.date()):
        return False
    return cal.day_start <= local.time() < cal.day_end


# --------------------------------------------------------------- strategies

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - bounds must be naive for hypothesis
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(LONDON),
)
naive_moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
)
day_counts = st.integers(min_value=0, max_value=40)
hour_amounts = st.one_of(
    st.integers(min_value=0, max_value=120),
    st.floats(min_value=0, max_value=120, allow_nan=False, allow_infinity=False),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120)),
)


@st.composite
def calendar_and_moment(draw: st.DrawFn) -> tuple[WorkingCalendar, datetime]:
    """A moment plus closures and school days off clustered near it, so they matter."""
    at = draw(moments)
    offsets = st.integers(min_value=-2, max_value=45)
    near = offsets.map(lambda k: at.date() + timedelta(days=k))
    closures = draw(st.frozensets(near, max_size=12))
    school_off = draw(st.frozensets(near, max_size=12))
    return WorkingCalendar(closures=closures, school_days_off=school_off), at


@st.composite
def calendar_and_working_moment(draw: st.DrawFn) -> tuple[WorkingCalendar, datetime]:
    """A moment inside working hours, built directly rather than filtered."""
    cal, at = draw(calendar_and_moment())
    d = at.date() if cal.is_working_day(at.date()) else cal.next_working_day(at.date())
    offset = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=8)))
    assume(offset < timedelta(hours=8))
    moment = datetime.combine(d, cal.day_start, tzinfo=LONDON) + offset
    assert in_working_hours(cal, moment)
    return cal, moment


# ---------------------------------------------------------- bank holidays


def test_english_bank_holidays_2026_and_2027_come_from_the_package() -> None:
    assert english_bank_holidays(2026) == oracle_bank_holidays(2026)
    for d in (
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 12, 25),
        date(2026, 12, 26),  # Saturday
        date(2026, 12, 28),  # substitute for Boxing Day
        date(2027, 3, 26),  # Good Friday
        date(2027, 12, 27),  # substitute for Christmas Day (Saturday)
        date(2027, 12, 28),  # substitute for Boxing Day (Sunday)
    ):
        assert is_bank_holiday(d), d
    assert not is_bank_holiday(date(2026, 4, 2))
    assert not is_bank_holiday(date(2026, 12, 29))


def test_scottish_only_holidays_are_not_english() -> None:
    assert not is_bank_holiday(date(2026, 1, 2))  # 2 January is Scotland only
    assert not is_bank_holiday(date(2026, 11, 30))  # St Andrew's Day


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 4, 2), True),
        (date(2026, 4, 3), False),
        (date(2026, 4, 4), False),
        (date(2026, 4, 6), False),
        (date(2026, 4, 7), True),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),
    ],
)
def test_is_working_day(d: date, expected: bool) -> None:
    assert CAL.is_working_day(d) is expected


def test_next_working_day_skips_easter_and_christmas() -> None:
    assert CAL.next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert CAL.next_working_day(date(2026, 4, 7)) == date(2026, 4, 8)


def test_partnership_closures_are_skipped() -> None:
    shutdown = WorkingCalendar(
        closures=frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    )
    assert not shutdown.is_working_day(date(2026, 12, 30))
    # 1 Jan 2027 is a Friday bank holiday, then the weekend.
    assert shutdown.next_working_day(date(2026, 12, 24)) == date(2027, 1, 4)


# --------------------------------------------------------- calendar object


def test_calendar_is_frozen_and_hashable() -> None:
    cal = WorkingCalendar(closures=frozenset({date(2026, 12, 29)}))
    assert hash(cal) == hash(WorkingCalendar(closures=frozenset({date(2026, 12, 29)})))
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.day_start = time(8)  # type: ignore[misc]


def test_calendar_defaults() -> None:
    assert CAL.tz == LONDON
    assert (CAL.day_start, CAL.day_end) == (time(9), time(17))
    assert CAL.closures == frozenset()
    assert CAL.school_days_off == frozenset()


def test_calendar_rejects_inverted_day() -> None:
    with pytest.raises(ValueError, match="before"):
        WorkingCalendar(day_start=time(17), day_end=time(9))


# -------------------------------------------------------- add_working_days


def test_referral_decision_skips_easter() -> None:
    # Thursday before Good Friday 2026: next working day is Tuesday 7 April.
    assert CAL.add_working_days(london(2026, 4, 2, 10), 1) == london(2026, 4, 7, 10)


def test_weekend_receipt_starts_at_next_working_day_start() -> None:
    saturday = london(2026, 6, 6, 14)
    assert CAL.add_working_days(saturday, 0) == london(2026, 6, 8, 9)
    assert CAL.add_working_days(saturday, 1) == london(2026, 6, 9, 9)


def test_out_of_hours_receipt_on_working_day_is_normalised() -> None:
    assert CAL.add_working_days(london(2026, 6, 8, 6), 1) == london(2026, 6, 9, 9)
    assert CAL.add_working_days(london(2026, 6, 8, 17), 1) == london(2026, 6, 10, 9)
    last_minute = london(2026, 6, 8, 16, 59)
    assert CAL.add_working_days(last_minute, 1) == london(2026, 6, 9, 16, 59)


def test_zero_days_within_hours_returns_at() -> None:
    at = london(2026, 6, 8, 11, 15)
    assert CAL.add_working_days(at, 0) == at


def test_icpc_fifteen_working_days_over_christmas() -> None:
    strategy_meeting = london(2026, 12, 14, 10)
    assert CAL.add_working_days(strategy_meeting, 15) == london(2027, 1, 7, 10)
    shutdown = WorkingCalendar(
        closures=frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    )
    assert shutdown.add_working_days(strategy_meeting, 15) == london(2027, 1, 12, 10)


def test_add_working_days_keeps_wall_clock_over_spring_forward() -> None:
    # Clocks go forward 01:00 GMT on Sunday 29 March 2026.
    result = CAL.add_working_days(london(2026, 3, 27, 10), 1)
    assert result == london(2026, 3, 30, 10)
    assert result.utcoffset() == timedelta(hours=1)
    assert result - datetime(2026, 3, 27, 10, tzinfo=UTC) == timedelta(hours=71)
    # Weekend receipt: Monday 30 March 09:00 BST, due Tuesday 09:00 BST (08:00 UTC).
    due = CAL.add_working_days(london(2026, 3, 28, 14), 1)
    assert due.astimezone(UTC) == datetime(2026, 3, 31, 8, tzinfo=UTC)


def test_add_working_days_keeps_wall_clock_over_fall_back() -> None:
    # Clocks go back 02:00 BST on Sunday 25 October 2026.
    result = CAL.add_working_days(london(2026, 10, 23, 10), 1)
    assert result == london(2026, 10, 26, 10)
    assert result.utcoffset() == timedelta(0)


def test_add_working_days_converts_other_zones() -> None:
    at = datetime(2026, 6, 1, 8, tzinfo=UTC)  # 09:00 BST, Monday
    result = CAL.add_working_days(at, 1)
    assert result.tzinfo is LONDON
    assert result == london(2026, 6, 2, 9)


def test_add_working_days_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_days(datetime(2026, 6, 1, 10), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_days(london(2026, 6, 1, 10), -1)
    with pytest.raises(TypeError):
        CAL.add_working_days(london(2026, 6, 1, 10), 1.5)  # type: ignore[arg-type]


# ------------------------------------------------------- add_working_hours


def test_red_agency_check_over_bank_holiday_weekend() -> None:
    # Monday 31 August 2026 is the Late Summer bank holiday.
    assert CAL.add_working_hours(london(2026, 8, 28, 15), 4) == london(2026, 9, 1, 11)


def test_working_hours_that_end_at_close_stay_on_that_day() -> None:
    assert CAL.add_working_hours(london(2026, 6, 8, 13), 4) == london(2026, 6, 8, 17)
    assert CAL.add_working_hours(london(2026, 6, 8, 13), 5) == london(2026, 6, 9, 10)


def test_working_hours_out_of_hours_start() -> None:
    assert CAL.add_working_hours(london(2026, 6, 8, 7), 1) == london(2026, 6, 8, 10)
    assert CAL.add_working_hours(london(2026, 6, 8, 18), 1) == london(2026, 6, 9, 10)
    assert CAL.add_working_hours(london(2026, 6, 6, 12), 0) == london(2026, 6, 8, 9)


def test_working_hours_accepts_floats_and_timedeltas() -> None:
    at = london(2026, 6, 8, 9)
    assert CAL.add_working_hours(at, 1.5) == london(2026, 6, 8, 10, 30)
    ninety_minutes = timedelta(minutes=90)
    assert CAL.add_working_hours(at, ninety_minutes) == london(2026, 6, 8, 10, 30)


def test_working_hours_over_spring_forward_count_working_time_only() -> None:
    start = london(2026, 3, 27, 16)
    end = CAL.add_working_hours(start, 2)
    assert end == london(2026, 3, 30, 10)
    assert CAL.working_hours_between(start, end) == timedelta(hours=2)


def test_add_working_hours_rejects_bad_input() -> None:
    at = london(2026, 6, 8, 9)
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_hours(datetime(2026, 6, 8, 9), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_hours(at, -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_hours(at, timedelta(hours=-1))
    with pytest.raises(ValueError, match="finite"):
        CAL.add_working_hours(at, float("nan"))
    with pytest.raises(TypeError):
        CAL.add_working_hours(at, True)


# --------------------------------------------------- working_hours_between


def test_working_hours_between_week_and_easter_week() -> None:
    ordinary_week = CAL.working_hours_between(
        london(2026, 6, 8, 9), london(2026, 6, 15, 9)
    )
    assert ordinary_week == timedelta(hours=40)
    # Week containing Good Friday; Easter Monday follows.
    easter_week = CAL.working_hours_between(
        london(2026, 3, 30, 9), london(2026, 4, 7, 9)
    )
    assert easter_week == timedelta(hours=32)


def test_working_hours_between_empty_and_reversed() -> None:
    at = london(2026, 6, 8, 12)
    assert CAL.working_hours_between(at, at) == timedelta(0)
    assert CAL.working_hours_between(at, at - timedelta(hours=2)) == timedelta(0)
    weekend = CAL.working_hours_between(london(2026, 6, 6, 9), london(2026, 6, 7, 20))
    assert weekend == timedelta(0)


def test_working_hours_between_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.working_hours_between(datetime(2026, 6, 8, 9), london(2026, 6, 8, 10))  # noqa: DTZ001


# --------------------------------------------------- next_school_day_start


def test_operation_encompass_over_easter() -> None:
    incident = london(2026, 4, 2, 22)
    assert CAL.next_school_day_start(incident) == london(2026, 4, 7, 8, 30)
    easter_break = frozenset(date(2026, 3, 30) + timedelta(days=k) for k in range(12))
    with_term_dates = WorkingCalendar(school_days_off=easter_break)
    assert with_term_dates.next_school_day_start(incident) == london(2026, 4, 13, 8, 30)


def test_school_day_is_strictly_after_incident_date() -> None:
    assert CAL.next_school_day_start(london(2026, 6, 8, 2)) == london(2026, 6, 9, 8, 30)


def test_partnership_closure_does_not_close_schools() -> None:
    cal = WorkingCalendar(closures=frozenset({date(2026, 6, 2)}))
    assert not cal.is_working_day(date(2026, 6, 2))
    assert cal.is_school_day(date(2026, 6, 2))
    incident = london(2026, 6, 1, 20)
    assert cal.next_school_day_start(incident) == london(2026, 6, 2, 8, 30)


def test_school_start_override_and_dst() -> None:
    incident = london(2026, 3, 27, 20)
    result = CAL.next_school_day_start(incident, school_start=time(8, 45))
    assert result == london(2026, 3, 30, 8, 45)
    assert result.utcoffset() == timedelta(hours=1)


# ------------------------------------------------------------ properties


@PROPERTY_SETTINGS
@given(calendar_and_moment(), day_counts)
def test_prop_add_working_days_lands_on_open_day(
    cal_at: tuple[WorkingCalendar, datetime], n: int
) -> None:
    cal, at = cal_at
    result = cal.add_working_days(at, n)
    local = result.astimezone(LONDON)
    assert not is_closed(local.date(), cal.closures)
    assert cal.day_start <= local.time() < cal.day_end
    assert result.astimezone(UTC) >= at.astimezone(UTC)


@PROPERTY_SETTINGS
@given(calendar_and_moment(), day_counts, day_counts)
def test_prop_add_working_days_monotone_in_n(
    cal_at: tuple[WorkingCalendar, datetime], a: int, b: int
) -> None:
    cal, at = cal_at
    lo, hi = sorted((a, b))
    assert to_utc(cal.add_working_days(at, lo)) <= to_utc(cal.add_working_days(at, hi))
    if lo < hi:
        assert cal.add_working_days(at, lo) < cal.add_working_days(at, hi)


@PROPERTY_SETTINGS
@given(
    calendar_and_moment(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    day_counts,
)
def test_prop_add_working_days_monotone_in_at(
    cal_at: tuple[WorkingCalendar, datetime], gap: timedelta, n: int
) -> None:
    cal, earlier = cal_at
    later = (earlier.astimezone(UTC) + gap).astimezone(LONDON)
    assert cal.add_working_days(earlier, n).astimezone(UTC) <= cal.add_working_days(
        later, n
    ).astimezone(UTC)


@PROPERTY_SETTINGS
@given(calendar_and_working_moment(), day_counts, day_counts)
def test_prop_add_working_days_composes(
    cal_at: tuple[WorkingCalendar, datetime], a: int, b: int
) -> None:
    cal, at = cal_at
    stepwise = cal.add_working_days(cal.add_working_days(at, a), b)
    assert stepwise == cal.add_working_days(at, a + b)


@PROPERTY_SETTINGS
@given(calendar_and_working_moment(), day_counts)
def test_prop_add_working_days_keeps_clock_time_within_hours(
    cal_at: tuple[WorkingCalendar, datetime], n: int
) -> None:
    cal, at = cal_at
    result = cal.add_working_days(at, n).astimezone(LONDON)
    start = at.astimezone(LONDON)
    assert result.time() == start.time()
    assert result.date() >= start.date()


@PROPERTY_SETTINGS
@given(calendar_and_moment(), hour_amounts)
def test_prop_add_working_hours_lands_in_working_time(
    cal_at: tuple[WorkingCalendar, datetime], hours: float | timedelta
) -> None:
    cal, at = cal_at
    result = cal.add_working_hours(at, hours)
    local = result.astimezone(LONDON)
    assert result.astimezone(UTC) >= at.astimezone(UTC)
    assert not is_closed(local.date(), cal.closures)
    assert cal.day_start <= local.time() <= cal.day_end


@PROPERTY_SETTINGS
@given(calendar_and_moment(), hour_amounts, hour_amounts)
def test_prop_add_working_hours_monotone_in_hours(
    cal_at: tuple[WorkingCalendar, datetime],
    a: float | timedelta,
    b: float | timedelta,
) -> None:
    cal, at = cal_at
    da = a if isinstance(a, timedelta) else timedelta(hours=a)
    db = b if isinstance(b, timedelta) else timedelta(hours=b)
    lo, hi = sorted((da, db))
    assert cal.add_working_hours(at, lo).astimezone(UTC) <= cal.add_working_hours(
        at, hi
    ).astimezone(UTC)


@PROPERTY_SETTINGS
@given(calendar_and_moment(), hour_amounts)
def test_prop_working_hours_between_inverts_add_working_hours(
    cal_at: tuple[WorkingCalendar, datetime], hours: float | timedelta
) -> None:
    cal, at = cal_at
    expected = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    assert cal.working_hours_between(at, cal.add_working_hours(at, hours)) == expected


@PROPERTY_SETTINGS
@given(calendar_and_working_moment(), hour_amounts)
def test_prop_inverse_within_working_time(
    cal_at: tuple[WorkingCalendar, datetime], hours: float | timedelta
) -> None:
    cal, at = cal_at
    expected = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    end = cal.add_working_hours(at, hours)
    assert cal.working_hours_between(at, end) == expected
    assert end - at >= expected


@PROPERTY_SETTINGS
@given(
    calendar_and_moment(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15)),
)
def test_prop_working_hours_between_is_additive(
    cal_at: tuple[WorkingCalendar, datetime], ab: timedelta, bc: timedelta
) -> None:
    cal, a = cal_at
    b = a.astimezone(UTC) + ab
    c = b + bc
    assert cal.working_hours_between(a, c) == cal.working_hours_between(
        a, b
    ) + cal.working_hours_between(b, c)
    assert cal.working_hours_between(a, c) <= c - a.astimezone(UTC)


@PROPERTY_SETTINGS
@given(
    calendar_and_moment(),
    hour_amounts,
    st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(hours=100)),
)
def test_prop_add_working_hours_composes_for_positive_second_step(
    cal_at: tuple[WorkingCalendar, datetime],
    first: float | timedelta,
    second: timedelta,
) -> None:
    cal, at = cal_at
    first_td = first if isinstance(first, timedelta) else timedelta(hours=first)
    assert cal.add_working_hours(cal.add_working_hours(at, first_td), second) == (
        cal.add_working_hours(at, first_td + second)
    )


@PROPERTY_SETTINGS
@given(calendar_and_moment())
def test_prop_next_school_day_start(cal_at: tuple[WorkingCalendar, datetime]) -> None:
    cal, at = cal_at
    result = cal.next_school_day_start(at)
    local = result.astimezone(LONDON)
    assert local.date() > at.astimezone(LONDON).date()
    assert local.time() == time(8, 30)
    assert local.weekday() < 5
    assert local.date() not in oracle_bank_holidays(local.year)
    assert local.date() not in cal.school_days_off
    assert cal.is_school_day(local.date())
    skipped = local.date() - timedelta(days=1)
    while skipped > at.astimezone(LONDON).date():
        assert not cal.is_school_day(skipped)
        skipped -= timedelta(days=1)


@PROPERTY_SETTINGS
@given(naive_moments, day_counts)
def test_prop_naive_datetimes_are_refused(at: datetime, n: int) -> None:
    aware = at.replace(tzinfo=LONDON)
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_days(at, n)
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_hours(at, n)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_hours_between(at, aware)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_hours_between(aware, at)
    with pytest.raises(ValueError, match="aware"):
        CAL.next_school_day_start(at)
