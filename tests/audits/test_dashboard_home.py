"""A senior manager's home shows their dashboard's headline figures, named for whose figures they are."""

from __future__ import annotations

from agencies.models import Role
from tests.factories import UserFactory


def test_the_senior_manager_of_childrens_social_care_sees_the_partnerships_performance(world, client_for):
    html = client_for(world.sm).get("/").content.decode()
    assert "Partnership performance" in html and "Go to the partnership dashboard" in html


def test_a_partner_agencys_senior_manager_sees_their_agencys_performance_not_the_partnerships(world, client_for):
    police_lead = UserFactory.create(username="police.lead", agency=world.police, role=Role.SENIOR_MANAGER,
                                     partnership=world.north)
    html = client_for(police_lead).get("/").content.decode()
    assert "Your agency&#x27;s performance" in html or "Your agency's performance" in html
    assert "Partnership performance" not in html and "Go to the partnership dashboard" not in html
