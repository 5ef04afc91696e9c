"""The synthetic partnership's records, written set by set in PostgreSQL (see ``agencies.synthetic``).

Each kind of record is one ``INSERT ... SELECT`` over ``generate_series``, its random choices made by
PostgreSQL's ``random()`` after ``setseed``, so a seed gives the same partnership again. Ids are reserved from
each table's sequence first, so one set can name another by arithmetic (adult ``h`` is the first adult of
household ``h``) rather than by a lookup. Temporary tables (``syn_*``) carry what a later set needs and the
tables do not hold (a child's household, a referral's decision).

The change-capture triggers are off while this runs (``session_replication_role = replica``, where the
database user may set it): the change log records what people did, and nobody did this.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from agencies.models import Partnership
    from agencies.synthetic import Size, Staff


@dataclass(frozen=True)
class Ids:
    """The agencies the records name."""

    csc: int
    police: list[int]
    schools: list[int]
    gps: list[int]
    health_visiting: int
    partners: list[int]
    sources: list[str]
    names: list[str]


# Heavy households: one in 400 has 5% of all incidents, so its children have chronologies of several hundred
# events at every size (SPEC 7.1's "a child's chronology (up to 500 events)").
HEAVY_SHARE = 0.05
HEAVY_EVERY = 400


def records_generate(
    *, partnership: Partnership, size: Size, now: datetime, seed: int, agencies: Ids, staff: Staff,
    say: Callable[[str], None],
) -> None:
    """Every record of the synthetic partnership, in one transaction (the caller's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 1000) / 1000 - 0.5])
        cursor.execute(_NHS_FUNCTION)
        p = _Params(cursor, partnership.pk, size, now, agencies, staff)
        for name, step in _STEPS:
            count = step(p)
            say(f"{count:>10,} {name}")


class _Params:
    """What every statement is given: sizes, reserved id ranges, agencies, staff and the word lists."""

    def __init__(
        self, cursor: CursorWrapper, partnership_id: int, size: Size, now: datetime, agencies: Ids, staff: Staff
    ) -> None:
        self.cursor = cursor
        self.values: dict[str, Any] = {
            "p": partnership_id, "now": now, "H": size.households, "A": size.adults, "C": size.children,
            "I": size.incidents, "R": size.referrals, "Q": size.queue,
            "heavy": max(1, size.households // HEAVY_EVERY), "heavy_share": HEAVY_SHARE,
            "csc": agencies.csc, "police": agencies.police, "schools": agencies.schools, "gps": agencies.gps,
            "hv": agencies.health_visiting, "partners": agencies.partners, "sources": agencies.sources,
            "mash": staff.mash, "social_workers": staff.social_workers, "team_managers": staff.team_managers,
            "officers": staff.police, "teams": staff.csc_teams,
            "answerers": [staff.answerers[a] for a in agencies.partners],
            "dash": json.dumps([_dash_answers(score) for score in range(28)]),
            **{key: list(words) for key, words in _WORDS.items()},
        }
        for table, key, count in (
            ("cases_household", "hh0", size.households), ("cases_person", "a0", size.adults),
            ("cases_incident", "i0", size.incidents),
            ("referrals_referral", "r0", size.referrals + size.queue),
            ("referrals_decision", "d0", size.referrals),
        ):
            self.values[key] = self.reserve(table, count)
        # Children after the adults, in the same sequence.
        self.values["c0"] = self.reserve("cases_person", size.children)

    def reserve(self, table: str, count: int) -> int:
        """The first of ``count`` ids taken from the table's sequence for this generator's explicit use."""
        self.cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT nextval(%s)", [sequence])
        first = int(self.cursor.fetchone()[0])
        self.cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def run(self, sql: str) -> int:
        self.cursor.execute(sql, self.values)
        return int(self.cursor.rowcount)

    def reserve_for(self, key: str, table: str, count_sql: str) -> None:
        self.cursor.execute(count_sql)
        count = int(self.cursor.fetchone()[0])
        self.values[key] = self.reserve(table, max(count, 1))


# A valid NHS number (modulus 11 check digit) from a serial, or '' for the one serial in eleven that has none.
_NHS_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.syn_nhs(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN c = 10 THEN '' ELSE b || (CASE WHEN c = 11 THEN 0 ELSE c END)::text END
    FROM (SELECT b, 11 - mod((SELECT sum(substr(b, i, 1)::int * (11 - i)) FROM generate_series(1, 9) i)::int, 11) AS c
            FROM (SELECT '9' || lpad(mod(n, 100000000)::text, 8, '0') AS b) x) y
$$
"""

# Shared column values: every record is a CaseRecord (created_at, updated_at, version, created_by_id,
# partnership_id).
_STAMP = "%(now)s, %(now)s, 1"


def _pick(array: str, index: str) -> str:
    """An element of a list parameter, chosen by a number in [0, 1)."""
    return f"(%({array})s::text[])[1 + floor({index} * cardinality(%({array})s::text[]))::int]"


def _pick_id(array: str, index: str) -> str:
    return f"(%({array})s::bigint[])[1 + floor({index} * cardinality(%({array})s::bigint[]))::int]"


def _households(p: _Params) -> int:
    return p.run("""
        INSERT INTO cases_household (id, created_at, updated_at, version, address, postcode, partnership_id)
        SELECT %(hh0)s + g, %(now)s - r * interval '3650 days', %(now)s, 1,
               (1 + mod(g, 180)) || ' ' || (%(streets)s::text[])[1 + mod(g / 180, cardinality(%(streets)s::text[]))]
                 || ', ' || (%(towns)s::text[])[1 + mod(g / (180 * cardinality(%(streets)s::text[])),
                                                      cardinality(%(towns)s::text[]))],
               'WM' || (1 + mod(g / 180, 19)) || ' ' || (1 + mod(g, 9)) || chr(65 + mod(g, 23))
                 || chr(65 + mod(g / 23, 23)),
               %(p)s
          FROM (SELECT g, random() AS r FROM generate_series(0, %(H)s - 1) g) s
    """)  # noqa: S608 (no outside text: the parts are this module's constants)


def _adults(p: _Params) -> int:
    # Adult g lives in household g mod H: adult h is a household's first adult (a woman, the victim in its
    # incidents), adult h + H its second (a man, the alleged perpetrator).
    return p.run(f"""
        INSERT INTO cases_person (id, created_at, updated_at, version, given_name, family_name, other_names,
               date_of_birth, date_of_birth_estimated, sex, ethnicity, religion, first_language, interpreter_needed,
               disabilities, nhs_number, upn, search_name, restricted, gp_practice_id, partnership_id)
        SELECT %(a0)s + g, %(now)s - r1 * interval '3650 days', %(now)s, 1, given, family, '{{}}',
               (%(now)s::date - (6570 + floor(r2 * 16000))::int), false, sex, {_pick("ethnicities", "r3")}, '',
               CASE WHEN r4 < 0.9 THEN 'English' ELSE {_pick("languages", "r5")} END,
               CASE WHEN r4 < 0.9 THEN NULL ELSE r5 < 0.7 END, '',
               CASE WHEN r6 < 0.85 THEN pg_temp.syn_nhs(%(a0)s + g) ELSE '' END, '',
               replace(lower(given || ' ' || family), '''', ''), false, {_pick_id("gps", "r7")}, %(p)s
          FROM (SELECT g, r1, r2, r3, r4, r5, r6, r7, sex,
                       CASE WHEN sex = 'female' THEN {_pick("women", "r8")} ELSE {_pick("men", "r8")} END AS given,
                       (%(families)s::text[])[1 + mod(CASE WHEN g >= %(H)s AND r9 < 0.5 THEN g ELSE h END * 7 + 3,
                                                      cardinality(%(families)s::text[]))] AS family
                  FROM (SELECT g, mod(g, %(H)s) AS h, random() AS r1, random() AS r2, random() AS r3,
                               random() AS r4, random() AS r5, random() AS r6, random() AS r7, random() AS r8,
                               random() AS r9,
                               CASE WHEN g < %(H)s THEN 'female' WHEN g < 2 * %(H)s THEN 'male'
                                    WHEN random() < 0.5 THEN 'female' ELSE 'male' END AS sex
                          FROM generate_series(0, %(A)s - 1) g) s) t
    """)  # noqa: S608


def _children(p: _Params) -> int:
    # The first heavy households have two children each; every other child is in a household at random, so
    # sibling groups of one to five or more arise as they do in life.
    p.run("""
        CREATE TEMP TABLE syn_child ON COMMIT DROP AS
        SELECT %(c0)s + g AS id,
               CASE WHEN g < 2 * %(heavy)s THEN g / 2 ELSE floor(random() * %(H)s)::int END AS h,
               (%(now)s::date - floor(random() * 6570)::int) AS dob
          FROM generate_series(0, %(C)s - 1) g
    """)
    p.run("CREATE INDEX ON syn_child (h)")
    return p.run(f"""
        INSERT INTO cases_person (id, created_at, updated_at, version, given_name, family_name, other_names,
               date_of_birth, date_of_birth_estimated, sex, ethnicity, religion, first_language, disabilities,
               nhs_number, upn, search_name, restricted, gp_practice_id, health_visiting_id, school_id,
               partnership_id)
        SELECT id, greatest(dob::timestamptz, %(now)s - interval '3650 days'), %(now)s, 1, given, family, '{{}}',
               dob, false, sex, {_pick("ethnicities", "r3")}, '', 'English', CASE WHEN r4 < 0.05 THEN
               'Autism spectrum condition' ELSE '' END,
               CASE WHEN r6 < 0.95 THEN pg_temp.syn_nhs(id) ELSE '' END, '',
               replace(lower(given || ' ' || family), '''', ''), false, {_pick_id("gps", "r7")},
               CASE WHEN age < 5 THEN %(hv)s END,
               CASE WHEN age BETWEEN 4 AND 16 THEN {_pick_id("schools", "r5")} END, %(p)s
          FROM (SELECT c.*,
                       CASE WHEN sex = 'female' THEN {_pick("girls", "r8")} ELSE {_pick("boys", "r8")} END AS given,
                       (%(families)s::text[])[1 + mod(h * 7 + 3, cardinality(%(families)s::text[]))] AS family,
                       (%(now)s::date - dob) / 365 AS age
                  FROM (SELECT c.*, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
                               random() AS r7, random() AS r8,
                               CASE WHEN random() < 0.5 THEN 'female' ELSE 'male' END AS sex
                          FROM syn_child c) c) t
    """)  # noqa: S608


def _members(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO cases_householdmember (created_at, updated_at, version, joined_on, household_id, person_id,
                                           partnership_id)
        SELECT {_STAMP}, NULL, %(hh0)s + mod(g, %(H)s), %(a0)s + g, %(p)s FROM generate_series(0, %(A)s - 1) g
        UNION ALL
        SELECT {_STAMP}, dob, %(hh0)s + h, id, %(p)s FROM syn_child
    """)  # noqa: S608


def _relationships(p: _Params) -> int:
    # Each child's parents (the household's first two adults), and the adults' own relationship.
    return p.run(f"""
        INSERT INTO cases_relationship (created_at, updated_at, version, kind, poses_risk, person_id, other_id,
                                        partnership_id)
        SELECT {_STAMP}, 'parent', false, %(a0)s + h, id, %(p)s FROM syn_child
        UNION ALL
        SELECT {_STAMP}, CASE WHEN random() < 0.6 THEN 'parent' ELSE 'step_parent' END, false,
               %(a0)s + h + %(H)s, id, %(p)s FROM syn_child WHERE h + %(H)s < %(A)s
        UNION ALL
        SELECT {_STAMP}, CASE WHEN r < 0.6 THEN 'partner' ELSE 'ex_partner' END, r < 0.35, %(a0)s + g + %(H)s,
               %(a0)s + g, %(p)s
          FROM (SELECT g, random() AS r FROM generate_series(0, least(%(H)s, %(A)s - %(H)s) - 1) g) s
    """)  # noqa: S608


def _incidents(p: _Params) -> int:
    # 8% of incidents fall in the heavy households; DASH is done for 70%, which set the risk level.
    p.run("""
        CREATE TEMP TABLE syn_incident ON COMMIT DROP AS
        SELECT id, h, at, r1, r2, CASE WHEN NOT dash THEN 'standard' WHEN rr < 0.6 THEN 'standard'
                                       WHEN rr < 0.88 THEN 'medium' ELSE 'high' END AS risk, dash
          FROM (SELECT %(i0)s + g AS id,
                       CASE WHEN random() < %(heavy_share)s THEN floor(random() * %(heavy)s)
                            ELSE floor(random() * %(H)s) END::int AS h,
                       %(now)s - random() * interval '3650 days' AS at, random() AS rr, random() < 0.7 AS dash,
                       random() AS r1, random() AS r2
                  FROM generate_series(0, %(I)s - 1) g) s
    """)
    p.run("CREATE INDEX ON syn_incident (id)")
    return p.run(f"""
        INSERT INTO cases_incident (id, created_at, updated_at, version, occurred_at, reference, location, summary,
                                    risk_level, created_by_id, household_id, partnership_id, reported_by_id)
        SELECT id, at + interval '2 hours', at + interval '2 hours', 1, at,
               'WM/' || to_char(at, 'YYYY') || '/' || id, {_pick("locations", "r1")}, {_pick("summaries", "r2")},
               risk, {_pick_id("officers", "r1")}, %(hh0)s + h, %(p)s,
               CASE WHEN r2 < 0.85 THEN (%(police)s::bigint[])[1] ELSE (%(police)s::bigint[])[2] END
          FROM syn_incident
    """)  # noqa: S608


def _parties(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO cases_incidentparty (created_at, updated_at, version, role, incident_id, person_id,
                                         partnership_id)
        SELECT {_STAMP}, 'victim', id, %(a0)s + h, %(p)s FROM syn_incident
        UNION ALL
        SELECT {_STAMP}, 'perpetrator', id, perpetrator, %(p)s
          FROM (SELECT id, h, r1, CASE WHEN h + %(H)s < %(A)s THEN %(a0)s + h + %(H)s
                                       ELSE %(a0)s + mod(h * 7919 + 1, %(A)s) END AS perpetrator
                  FROM syn_incident) s
         WHERE r1 < 0.85 AND perpetrator <> %(a0)s + h
    """)  # noqa: S608


def _incident_children(p: _Params) -> int:
    # Every child of the household born by then; most present, some seen, some of those spoken to.
    return p.run(f"""
        INSERT INTO cases_incidentchild (created_at, updated_at, version, resident, present, seen, spoken_to,
                                         incident_id, child_id, partnership_id)
        SELECT {_STAMP}, r1 < 0.92, r2 < 0.6, r2 < 0.45, r2 < 0.45 AND r3 < 0.5, i, c, %(p)s
          FROM (SELECT i.id AS i, c.id AS c, random() AS r1, random() AS r2, random() AS r3
                  FROM syn_incident i JOIN syn_child c ON c.h = i.h AND c.dob <= i.at::date) s
    """)  # noqa: S608


def _dash(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO cases_dashassessment (created_at, updated_at, version, answers, score, level,
                                          professional_judgement_level, professional_judgement_reason, answered_at,
                                          answered_by_id, incident_id, partnership_id)
        SELECT {_STAMP}, %(dash)s::jsonb -> score, score, risk, '', '', at + interval '1 hour',
               {_pick_id("officers", "r1")}, id, %(p)s
          FROM (SELECT id, at, risk, r1,
                       CASE risk WHEN 'high' THEN 14 + floor(r2 * 9) WHEN 'medium' THEN 10 + floor(r2 * 4)
                                 ELSE floor(r2 * 10) END::int AS score
                  FROM syn_incident WHERE dash) s
    """)  # noqa: S608


def _marac(p: _Params) -> int:
    # A high-risk victim is referred to the MARAC; within 12 months of an earlier referral it is a repeat case.
    return p.run(f"""
        INSERT INTO cases_maracreferral (created_at, updated_at, version, referred_at, repeat, incident_id,
                                         victim_id, partnership_id)
        SELECT {_STAMP}, CASE WHEN at + interval '2 days' < %(now)s THEN at + interval '2 days' END,
               coalesce(at - lag(at) OVER (PARTITION BY h ORDER BY at) < interval '365 days', false), id,
               %(a0)s + h, %(p)s
          FROM syn_incident WHERE risk = 'high'
    """)  # noqa: S608


def _flags(p: _Params) -> int:
    # Children with three or more incidents in the last 12 months are flagged escalating; older flags reviewed.
    return p.run(f"""
        INSERT INTO cases_personflag (created_at, updated_at, version, kind, raised_at, incident_count, reason,
                                      reviewed_at, reviewed_by_id, person_id, partnership_id)
        SELECT {_STAMP}, 'escalating', raised, least(n, 32767),
               n || ' domestic-abuse incidents in the last 12 months.',
               CASE WHEN raised < %(now)s - interval '2 days' THEN raised + interval '1 day' END,
               CASE WHEN raised < %(now)s - interval '2 days' THEN (%(mash)s::bigint[])[1] END, child, %(p)s
          FROM (SELECT c.id AS child, count(*) AS n, max(i.at) AS raised
                  FROM syn_incident i JOIN syn_child c ON c.h = i.h AND c.dob <= i.at::date
                 WHERE i.at > %(now)s - interval '365 days'
                 GROUP BY c.id HAVING count(*) >= 3) s
    """)  # noqa: S608


def _referrals(p: _Params) -> int:
    # 45% of the history follows a police incident (two days or more old); the rest come from partner agencies.
    # The last Q arrived in the last 30 hours and wait for a decision: the front door today.
    p.run("""
        CREATE TEMP TABLE syn_referral ON COMMIT DROP AS
        SELECT s.*, CASE WHEN queued THEN NULL ELSE received + (0.5 + r4 * 30) * interval '1 hour' END AS decided,
               CASE WHEN queued THEN NULL WHEN r6 < 0.25 THEN 'no_further_action' WHEN r6 < 0.40
                    THEN 'advice_signposting' WHEN r6 < 0.58 THEN 'early_help' WHEN r6 < 0.78
                    THEN 'child_and_family_assessment' WHEN r6 < 0.93 THEN 'strategy_discussion' WHEN r6 < 0.95
                    THEN 'immediate_protection' ELSE 'already_open' END AS outcome
          FROM (SELECT %(r0)s + g AS id, g >= %(R)s AS queued, i.id AS incident_id,
                       coalesce(i.at + (1 + s.r3 * 47) * interval '1 hour',
                                CASE WHEN g >= %(R)s THEN %(now)s - s.r3 * interval '30 hours'
                                     ELSE %(now)s - interval '40 hours' - s.r3 * interval '3648 days' END) AS received,
                       %(c0)s + floor(s.r2 * %(C)s)::bigint AS child,
                       CASE WHEN i.id IS NULL THEN 1 + floor(s.r2 * cardinality(%(partners)s::bigint[]))::int END
                         AS source,
                       s.r1, s.r2, s.r3, s.r4, s.r5, s.r6
                  FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                               random() AS r6
                          FROM generate_series(0, %(R)s + %(Q)s - 1) g) s
                  LEFT JOIN syn_incident i
                    ON s.g < %(R)s AND s.r1 < 0.45 AND i.id = %(i0)s + floor(s.r5 * %(I)s)::bigint
                   AND i.at < %(now)s - interval '3 days') s
    """)  # noqa: S608
    return p.run(f"""
        INSERT INTO referrals_referral (id, created_at, updated_at, version, received_at, referrer_name,
               referrer_contact, source_code, concerns, categories, urgency, family_told, consent, consent_reason,
               lawful_basis, decision_due_at, status, rag, allocated_to_id, incident_id, partnership_id, rag_by_id,
               referrer_agency_id)
        SELECT id, received, received, 1, received, {_pick("women", "r4")} || ' ' || {_pick("families", "r5")},
               '01632 960' || lpad(mod(id, 1000)::text, 3, '0'),
               CASE WHEN source IS NULL THEN '3A' ELSE (%(sources)s::text[])[source] END,
               CASE WHEN source IS NULL THEN {_pick("incident_concerns", "r6")} ELSE {_pick("concerns", "r6")} END,
               CASE WHEN source IS NULL THEN ARRAY['domestic_abuse']
                    ELSE ARRAY[{_pick("categories", "r1")}] END,
               CASE WHEN r3 < 0.1 THEN 'immediate' WHEN r3 < 0.35 THEN 'urgent' ELSE 'standard' END,
               'The family were told of the referral by phone.',
               CASE WHEN r2 < 0.75 THEN 'given' ELSE 'not_sought' END,
               CASE WHEN r2 < 0.75 THEN ''
                    ELSE 'Telling the family could place the child at risk of significant harm.' END,
               'public_task', received + interval '24 hours',
               CASE WHEN queued THEN 'awaiting_decision'
                    WHEN received > %(now)s - interval '5 days' AND r5 < 0.3 THEN 'decided' ELSE 'fed_back' END,
               CASE WHEN queued AND r4 < 0.4 THEN '' WHEN r3 < 0.2 THEN 'red' WHEN r3 < 0.6 THEN 'amber'
                    ELSE 'green' END,
               CASE WHEN NOT queued OR r5 < 0.5 THEN {_pick_id("mash", "r5")} END, incident_id, %(p)s,
               CASE WHEN queued AND r4 < 0.4 THEN NULL ELSE {_pick_id("mash", "r4")} END,
               CASE WHEN source IS NULL THEN (%(police)s::bigint[])[1] ELSE (%(partners)s::bigint[])[source] END
          FROM syn_referral
    """)  # noqa: S608


def _referral_children(p: _Params) -> int:
    # The incident's children, else the one child referred; a repeat referral is a child's second within a year.
    return p.run(f"""
        INSERT INTO referrals_referralchild (created_at, updated_at, version, repeat, child_id, referral_id,
                                             partnership_id)
        SELECT {_STAMP},
               coalesce(received - lag(received) OVER (PARTITION BY child ORDER BY received) < interval '365 days',
                        false),
               child, id, %(p)s
          FROM (SELECT DISTINCT r.id, r.received, coalesce(ic.child_id, r.child) AS child
                  FROM syn_referral r LEFT JOIN cases_incidentchild ic ON ic.incident_id = r.incident_id) s
    """)  # noqa: S608


def _decisions(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO referrals_decision (id, created_at, updated_at, version, outcome, rationale, decided_at,
                                        decided_by_id, referral_id, partnership_id)
        SELECT %(d0)s + (id - %(r0)s), {_STAMP}, outcome, {_pick("rationales", "r1")}, decided,
               {_pick_id("mash", "r2")}, id, %(p)s
          FROM syn_referral WHERE NOT queued
    """)  # noqa: S608


def _feedback(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO referrals_feedback (created_at, updated_at, version, method, shared_at, note, shared_by_id,
                                        referral_id, partnership_id)
        SELECT {_STAMP}, CASE WHEN r1 < 0.6 THEN 'secure_email' ELSE 'phone' END,
               least(decided + (1 + r3 * 30) * interval '1 hour', %(now)s - interval '1 hour'),
               'The referrer was told the outcome and what happens next.', {_pick_id("mash", "r2")}, id, %(p)s
          FROM syn_referral
         WHERE NOT queued AND NOT (received > %(now)s - interval '5 days' AND r5 < 0.3)
    """)  # noqa: S608


def _checks(p: _Params) -> int:
    # For 30% of referrals, two partner agencies were asked what they know; each answered within hours.
    return p.run(f"""
        INSERT INTO referrals_agencycheck (created_at, updated_at, version, question, requested_at, due_at,
                                           information, answered_at, agency_id, answered_by_id, partnership_id,
                                           referral_id)
        SELECT {_STAMP}, 'What do you know of this child and family?', received + interval '30 minutes',
               received + interval '4 hours 30 minutes', 'Known to us; no current concerns beyond the referral.',
               received + (0.6 + r * 6) * interval '1 hour', (%(partners)s::bigint[])[k], (%(answerers)s::bigint[])[k],
               %(p)s, id
          FROM (SELECT id, received, random() AS r,
                       1 + mod(floor(r2 * 1000)::int + step * 7, cardinality(%(partners)s::bigint[])) AS k
                  FROM syn_referral, (VALUES (0), (1)) AS steps (step)
                 WHERE NOT queued AND r1 < 0.3) s
    """)  # noqa: S608


def _meetings(p: _Params) -> int:
    # Every strategy discussion decided: a meeting due within 24 hours; held for 90%, considered and not held
    # with a rationale for 7%, cancelled for 3%. Those decided in the last day are still due.
    p.reserve_for("m0", "strategy_meetings_strategymeeting",
                  "SELECT count(*) FROM syn_referral WHERE outcome = 'strategy_discussion'")
    p.run("""
        CREATE TEMP TABLE syn_meeting ON COMMIT DROP AS
        SELECT %(m0)s + row_number() OVER (ORDER BY id) - 1 AS id, id AS referral_id, decided AS threshold,
               decided > %(now)s - interval '1 day' AS due, random() AS r1, random() AS r2, random() AS r3,
               random() AS r4, random() AS r5
          FROM syn_referral WHERE outcome = 'strategy_discussion'
    """)
    return p.run(f"""
        INSERT INTO strategy_meetings_strategymeeting (id, created_at, updated_at, version, reason, threshold_met_at,
               due_by, status, partnership_id, referral_id, chair_id, held_at, icpc_due_by, icpc_at, minutes,
               minutes_distributed_at, missing_agency_reason, not_held_instead, not_held_rationale, outcome,
               scheduled_for)
        SELECT id, {_STAMP},
               'Reasonable cause to suspect the child is suffering, or likely to suffer, significant harm.', threshold,
               threshold + interval '24 hours', status, %(p)s, referral_id,
               {_pick_id("team_managers", "r4")}, held,
               CASE WHEN s47 THEN held::date + 21 END,
               CASE WHEN s47 AND held + interval '14 days' < %(now)s THEN held + (7 + r5 * 14) * interval '1 day' END,
               CASE WHEN status = 'held' THEN 'Information shared by each agency; risks and actions agreed.' ELSE ''
               END,
               CASE WHEN status = 'held' AND r5 < 0.95
                    THEN least(held + (1 + r5 * 40) * interval '1 hour', %(now)s - interval '1 minute') END,
               '', CASE WHEN status = 'considered_not_held' THEN 'Single-agency child and family assessment.' ELSE ''
                   END,
               CASE WHEN status = 'considered_not_held'
                    THEN 'Further information showed the threshold for a strategy meeting was not met.' ELSE '' END,
               outcome, NULL
          FROM (SELECT m.*, CASE WHEN status = 'held' THEN threshold + (2 + r2 * 30) * interval '1 hour' END AS held,
                       outcome IN ('section_47_single_agency', 'section_47_joint') AS s47
                  FROM (SELECT m.*,
                               CASE WHEN due THEN 'due' WHEN r1 < 0.9 THEN 'held' WHEN r1 < 0.97
                                    THEN 'considered_not_held' ELSE 'cancelled' END AS status,
                               CASE WHEN due OR r1 >= 0.9 THEN '' WHEN r3 < 0.15 THEN 'no_further_action'
                                    WHEN r3 < 0.4 THEN 'section_47_single_agency' WHEN r3 < 0.55
                                    THEN 'section_47_joint' WHEN r3 < 0.85 THEN 'child_and_family_assessment'
                                    WHEN r3 < 0.97 THEN 'further_strategy_meeting' ELSE 'immediate_protection'
                               END AS outcome
                          FROM syn_meeting m) m) s
    """)  # noqa: S608


def _meeting_children(p: _Params) -> int:
    return p.run(f"""
        INSERT INTO strategy_meetings_strategymeetingchild (created_at, updated_at, version, child_id, meeting_id,
                                                            partnership_id)
        SELECT {_STAMP}, rc.child_id, m.id, %(p)s
          FROM syn_meeting m JOIN referrals_referralchild rc ON rc.referral_id = m.referral_id
    """)  # noqa: S608


def _invitations(p: _Params) -> int:
    # The police and three partner agencies; most attended or sent information.
    return p.run(f"""
        INSERT INTO strategy_meetings_invitation (created_at, updated_at, version, required, proposed_because,
                                                  response, invited_at, agency_id, meeting_id, partnership_id)
        SELECT {_STAMP}, step = 0, 'Knows the family.',
               CASE WHEN due THEN '' WHEN r < 0.8 THEN 'attended' WHEN r < 0.88 THEN 'sent_information'
                    WHEN r < 0.95 THEN 'apologies' ELSE 'no_response' END,
               threshold + interval '1 hour', agency, id, %(p)s
          FROM (SELECT DISTINCT ON (m.id, agency) m.id, m.due, m.threshold, step, random() AS r,
                       CASE WHEN step = 0 THEN (%(police)s::bigint[])[1]
                            ELSE (%(partners)s::bigint[])[1 + mod(floor(m.r2 * 1000)::int + step * 5,
                                                                  cardinality(%(partners)s::bigint[]))] END AS agency
                  FROM syn_meeting m, generate_series(0, 3) AS step
                 ORDER BY m.id, agency, step) s
    """)  # noqa: S608


def _cases(p: _Params) -> int:
    # A child's latest assessment, strategy discussion or immediate protection opened their case; cases opened in
    # the last year are mostly still open, older ones closed.
    p.reserve_for("k0", "cases_case", """
        SELECT count(DISTINCT rc.child_id) FROM syn_referral r JOIN referrals_referralchild rc ON rc.referral_id = r.id
         WHERE r.outcome IN ('child_and_family_assessment', 'strategy_discussion', 'immediate_protection')
    """)
    p.run("""
        CREATE TEMP TABLE syn_case ON COMMIT DROP AS
        SELECT %(k0)s + row_number() OVER (ORDER BY child) - 1 AS id, child, decision, opened,
               CASE WHEN opened > %(now)s::date - 365 AND r1 < 0.85 THEN NULL
                    ELSE least(opened + 30 + floor(r2 * 330)::int, greatest(opened, %(now)s::date - 1)) END AS closed,
               r1, r2, r3
          FROM (SELECT DISTINCT ON (rc.child_id) rc.child_id AS child, %(d0)s + (r.id - %(r0)s) AS decision,
                       r.decided::date AS opened, random() AS r1, random() AS r2, random() AS r3
                  FROM syn_referral r JOIN referrals_referralchild rc ON rc.referral_id = r.id
                 WHERE r.outcome IN ('child_and_family_assessment', 'strategy_discussion', 'immediate_protection')
                 ORDER BY rc.child_id, r.decided DESC) s
    """)
    count = p.run(f"""
        INSERT INTO cases_case (id, created_at, updated_at, version, status, opened_on, closed_on, primary_need,
               factors, category_of_abuse, closure_reason, allocated_team_id, lead_professional_id, partnership_id,
               child_id, assessment_started_on, assessment_completed_on)
        SELECT id, {_STAMP}, status, opened, closed, 'N1', ARRAY['3B'],
               CASE WHEN status = 'child_protection' THEN 'EMO' ELSE '' END,
               CASE WHEN closed IS NULL THEN '' ELSE 'RC8' END,
               (%(teams)s::bigint[])[2 + mod(id, cardinality(%(teams)s::bigint[]) - 1)::int],
               {_pick_id("social_workers", "r3")}, %(p)s, child, opened,
               CASE WHEN opened + 5 + floor(r2 * 55)::int <= %(now)s::date THEN opened + 5 + floor(r2 * 55)::int END
          FROM (SELECT c.*, CASE WHEN closed IS NOT NULL THEN 'closed' WHEN r3 < 0.3 THEN 'assessment'
                                 WHEN r3 < 0.65 THEN 'child_in_need' ELSE 'child_protection' END AS status
                  FROM syn_case c) s
    """)  # noqa: S608
    p.run("""
        INSERT INTO referrals_decision_cases (decision_id, case_id) SELECT decision, id FROM syn_case
    """)
    return count


def _voice(p: _Params) -> int:
    # Seen every six weeks while the case is open; a child under four is observed, older children speak.
    return p.run(f"""
        INSERT INTO cases_childvoice (created_at, updated_at, version, recorded_at, method, tool, seen_alone,
               seen_with, interpreter_used, childs_words, observations, analysis, not_spoken_reason,
               not_spoken_detail, agency_id, case_id, child_id, partnership_id, practitioner_id)
        SELECT at, at, 1, at, CASE WHEN young THEN 'observation' WHEN r < 0.6 THEN 'direct_conversation'
                                   WHEN r < 0.8 THEN 'play' ELSE 'drawing' END,
               '', NOT young AND r < 0.7, CASE WHEN young OR r >= 0.7 THEN 'Mother' ELSE '' END, false,
               CASE WHEN young THEN '' ELSE {_pick("words", "r")} END,
               CASE WHEN young THEN 'Settled and responsive; looked to their mother for comfort.' ELSE '' END,
               'The child''s experience is shaped by the adults'' conflict; the plan keeps them safe at home.',
               CASE WHEN young THEN 'too_young' ELSE '' END, '', %(csc)s, id, child, %(p)s, practitioner
          FROM (SELECT c.id, c.child, k.lead AS practitioner, at, random() AS r,
                       (at::date - sc.dob) < 4 * 365 AS young
                  FROM syn_case c JOIN syn_child sc ON sc.id = c.child
                  JOIN (SELECT id, lead_professional_id AS lead FROM cases_case) k ON k.id = c.id,
                       LATERAL (SELECT least((c.opened + 3 + n * 42)::timestamptz + interval '10 hours',
                                             %(now)s - interval '1 hour') AS at
                                  FROM generate_series(0, least(40, (coalesce(c.closed, %(now)s::date) - c.opened)
                                                                    / 42)) n) v) s
    """)  # noqa: S608


_STEPS: Sequence[tuple[str, Callable[[_Params], int]]] = (
    ("households", _households), ("adults", _adults), ("children", _children),
    ("household memberships", _members), ("relationships", _relationships), ("incidents", _incidents),
    ("incident parties", _parties), ("children at incidents", _incident_children), ("DASH checklists", _dash),
    ("MARAC referrals", _marac), ("escalating flags", _flags), ("referrals", _referrals),
    ("referred children", _referral_children), ("decisions", _decisions), ("feedback", _feedback),
    ("agency checks", _checks), ("strategy meetings", _meetings), ("children at meetings", _meeting_children),
    ("invitations", _invitations), ("cases", _cases), ("voice records", _voice),
)


def _dash_answers(score: int) -> dict[str, str]:
    """A DASH checklist with ``score`` answers yes (the first ones), the rest no or not known."""
    return {f"q{n}": "yes" if n <= score else ("not_known" if n % 5 == 0 else "no") for n in range(1, 28)}


_WORDS: dict[str, tuple[str, ...]] = {
    "women": ("Amelia", "Bethany", "Chantelle", "Danielle", "Emma", "Fatima", "Gemma", "Hayley", "Jade", "Kayleigh",
              "Laura", "Megan", "Natalie", "Paige", "Rebecca", "Sadia", "Stacey", "Toni", "Vicky", "Zara"),
    "men": ("Aaron", "Bradley", "Callum", "Darren", "Dean", "Gary", "Imran", "Jamie", "Kieran", "Lee", "Liam",
            "Marcus", "Nathan", "Paul", "Ryan", "Scott", "Shane", "Tyler", "Wayne", "Yusuf"),
    "girls": ("Ava", "Ellie", "Evie", "Freya", "Grace", "Isla", "Lily", "Maisie", "Mia", "Olivia", "Poppy", "Ruby",
              "Sophia", "Willow", "Aisha", "Amira", "Hannah", "Leah", "Maya", "Zainab"),
    "boys": ("Alfie", "Archie", "Charlie", "Finley", "Freddie", "George", "Harry", "Jack", "Jacob", "Leo", "Logan",
             "Mason", "Noah", "Oliver", "Oscar", "Riley", "Theo", "Tommy", "Ibrahim", "Musa"),
    "families": ("Ashworth", "Barker", "Bennett", "Bibi", "Carter", "Chapman", "Cooper", "Dawson", "Ellis", "Fletcher",
                 "Gallagher", "Hall", "Harris", "Hussain", "Jackson", "Kaur", "Kowalski", "Lloyd", "Marshall",
                 "Mason", "Morris", "Murphy", "O'Brien", "Osei", "Parker", "Pearson", "Price", "Rahman", "Reid",
                 "Shaw", "Simpson", "Stevens", "Thompson", "Turner", "Walsh", "Ward", "Watson", "Webb", "Wilson",
                 "Wood", "Wright", "Young", "Adeyemi", "Begum", "Campbell", "Doherty", "Evans", "Farrell",
                 "Grant", "Hughes"),
    "streets": ("Acacia Avenue", "Albert Road", "Ash Grove", "Beech Close", "Birch Way", "Bridge Street",
                "Brook Lane", "Castle Road", "Cedar Drive", "Chapel Street", "Church Lane", "Clifton Road",
                "Coronation Street", "Derwent Road", "Elm Street", "Fern Close", "Field Lane", "Forest Road",
                "Garden Street", "George Street", "Glebe Road", "Green Lane", "Grove Road", "Hawthorn Close",
                "High Street", "Hill Road", "Holly Road", "Ivy Lane", "Jubilee Close", "King Street", "Larch Way",
                "Lime Grove", "Manor Road", "Maple Drive", "Market Street", "Meadow Way", "Mill Lane",
                "Moor Lane", "Newton Road", "Oak Avenue", "Orchard Way", "Park Road", "Pine Close",
                "Poplar Avenue", "Princes Street", "Queens Road", "Railway Terrace", "Rose Lane",
                "Rowan Close", "School Lane", "Silver Street", "Spring Gardens", "Station Road", "Swan Lane",
                "Victoria Road", "Water Lane", "West Street", "Willow Way", "Windsor Road", "York Road"),
    "towns": ("Westmere", "Ashby Cross", "Brackenford", "Calderbridge", "Dunmore", "Eastwick", "Fallowfield",
              "Greystone", "Harrowgate", "Kingsbury", "Lowther", "Millhaven"),
    "ethnicities": ("WBRI",) * 12 + ("WOTH", "WIRI", "WROM", "MWBC", "MWAS", "AIND", "APKN", "ABAN", "BAFR",
                                     "BCRB", "CHNE", "OOTH", "NOBT"),
    "languages": ("Polish", "Urdu", "Punjabi", "Romanian", "Arabic", "Bengali", "Somali", "Portuguese"),
    "locations": ("The family home", "The family home", "The family home", "Outside the family home",
                  "A relative's home", "A public street", "A car park"),
    "summaries": (
        "Verbal argument escalating to pushing; children in the next room.",
        "Partner threatened to kill the victim; children present and distressed.",
        "Victim assaulted (punched) during an argument about money; children asleep upstairs.",
        "Criminal damage to the home during an argument; children witnessed it.",
        "Breach of a non-molestation order; ex-partner attended the address.",
        "Victim reports coercive control: phone taken, money withheld.",
        "Strangulation disclosed; victim declined to support a prosecution.",
        "Neighbours called police about shouting and banging; both adults intoxicated.",
    ),
    "incident_concerns": (
        "Police attended a domestic incident at the family home; the child was present.",
        "Repeat domestic abuse at the address; the child witnessed the assault.",
        "High-risk DASH; the child lives with the victim and the alleged perpetrator has returned.",
    ),
    "concerns": (
        "The child disclosed at school that dad hits mum when he is angry.",
        "The child arrived at school with unexplained bruising to the arm.",
        "Mother disclosed low mood and drinking daily; she is the child's sole carer.",
        "The child has missed twelve school days this term and appears hungry.",
        "Health visitor concerned about the home conditions and the baby's weight.",
        "The young person was found by police with older males, far from home, late at night.",
        "The child said they are frightened to go home.",
    ),
    "categories": ("physical_abuse", "emotional_abuse", "neglect", "parental_mental_health",
                   "parental_substance_misuse", "exploitation", "going_missing", "domestic_abuse"),
    "rationales": (
        "The information shows a child in need; an assessment will establish the family's needs and risks.",
        "Threshold not met for statutory services; the family have agreed to early help.",
        "Reasonable cause to suspect significant harm: a strategy discussion is needed today.",
        "Known to the allocated social worker; passed to them to consider with the current plan.",
        "No further action: the concern was resolved and the family have support in place.",
    ),
    "words": (
        "I don't like it when they shout. I go upstairs and put my headphones on.",
        "Mum is sad a lot. I make her cups of tea.",
        "I want to stay with my nan at weekends. It's quiet there.",
        "Dad said if I tell anyone we'll get taken away.",
        "School is the best bit. I like Miss and my friends.",
        "I worry about mum when I'm at school.",
    ),
}
