from __future__ import annotations

from individuate.core import privacy
from individuate.mediation import actions
from individuate.mediation.models import Agreement, Case, Comment, PrivateNote


def test_export_holds_a_parents_case_records(case, alice):
    actions.comment(alice, case, "review", "Once a year is good.")
    actions.add_private_note(alice, case, "Just for the mediator.")
    actions.set_contact(alice, case, details="1 Example Road", share=False)
    records = privacy.export_records(alice)
    assert records["mediation_cases"][0]["contact_details"] == "1 Example Road"
    assert records["mediation_comments"][0]["text"] == "Once a year is good."
    assert records["mediation_notes"][0]["text"] == "Just for the mediator."


def test_deleting_a_parent_keeps_the_other_parents_plan_but_not_the_deleted_persons_words(case, alice, jordan):
    actions.set_contact(alice, case, details="1 Example Road", share=True)
    actions.comment(alice, case, "review", "Once a year is good.")
    actions.comment(jordan, case, "review", "Agreed.")
    actions.add_private_note(alice, case, "Just for the mediator.")
    number = actions.draft(case).number
    actions.agree(alice, case, number, typed_name="Alice Example")
    actions.agree(jordan, case, number, typed_name="Jordan Example")
    privacy.delete_account(alice)
    case = Case.objects.get(pk=case.pk)
    party = case.parties.get(role="A")
    assert (party.name, party.user, party.contact_details, party.share_contact) == ("Alex", None, "", False)
    assert [c.text for c in Comment.objects.all()] == ["Agreed."]
    assert not PrivateNote.objects.exists()
    assert list(Agreement.objects.values_list("typed_name", flat=True)) == ["Jordan Example"]
    assert case.versions.count() == number
