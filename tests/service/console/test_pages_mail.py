"""The console's contact and notification pages and the outbox, in process: a bad address
is named beside its field and nothing is saved, a good one is saved with the choice of
delivery, and the outbox shows what waits, what failed and why, and sends it again."""

from __future__ import annotations

import re

from sqlalchemy import update

from service.db.engine import transaction
from service.db.models import OutboxRow
from service.logic.outbox import queue_message
from tests.service.console.test_pages_experts import sign_in
from tests.service.logic.test_invitations import document
from tests.service_support import Api


def version_of(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None
    return found[1]


def test_an_association_contact_is_saved_or_refused_whole(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    client, token = sign_in(api, "staff")
    page = client.get("/contacts/association/A3")
    assert page.status_code == 200 and "連絡先と日程の通知" in page.text
    before = api.get("/api/v1/associations/A3").json()
    refused = client.post("/contacts/association/A3", data={
        "csrf_token": token, "version": version_of(page.text), "contact_name": "高橋 次郎",
        "email": "takahashi at example", "phone": "03-1111-2222", "delivery": "both"})
    assert refused.status_code == 422
    assert 'id="field-email"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'id="email-error"' in refused.text and "e-mail address" in refused.text
    assert 'value="高橋 次郎"' in refused.text  # what was entered stays in the form
    assert api.get("/api/v1/associations/A3").json() == before
    assert api.get("/api/v1/associations/A3/delivery").json()["delivery"] == "feed"

    saved = client.post("/contacts/association/A3", data={
        "csrf_token": token, "version": version_of(page.text), "contact_name": "高橋 次郎",
        "email": "takahashi@example.jp", "phone": "03-1111-2222", "delivery": "both"})
    assert saved.status_code == 303, saved.text
    assert api.get("/api/v1/associations/A3").json()["contact"] == {
        "name": "高橋 次郎", "email": "takahashi@example.jp", "phone": "03-1111-2222"}
    assert api.get("/api/v1/associations/A3/delivery").json() == {
        "delivery": "both", "email": "takahashi@example.jp", "invitations": True}
    shown = client.get("/contacts/association/A3?lang=en")
    assert "Both" in shown.text and "Invitations are e-mailed" in shown.text

    # The same form again is stale: nothing changes, the page says so.
    stale = client.post("/contacts/association/A3", data={
        "csrf_token": token, "version": version_of(page.text), "contact_name": "別人",
        "email": "other@example.jp", "phone": "", "delivery": "feed"})
    assert stale.status_code == 412
    assert api.get("/api/v1/associations/A3").json()["contact"]["name"] == "高橋 次郎"

    viewer, viewer_token = sign_in(api, "viewer")
    forbidden = viewer.post("/contacts/association/A3", data={
        "csrf_token": viewer_token, "version": "1", "email": "x@example.jp"})
    assert forbidden.status_code == 403
    assert client.get("/contacts/nobody/A3").status_code == 404


def test_an_expert_email_and_choice_from_the_console(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    client, token = sign_in(api, "staff")
    assert 'href="/contacts/expert/E1"' in client.get("/experts/E1").text
    page = client.get("/contacts/expert/E1")
    saved = client.post("/contacts/expert/E1", data={
        "csrf_token": token, "version": version_of(page.text), "email": "new-e1@example.jp",
        "delivery": "feed"})
    assert saved.status_code == 303, saved.text
    assert api.get("/api/v1/experts/E1").json()["email"] == "new-e1@example.jp"
    assert api.get("/api/v1/experts/E1/delivery").json()["invitations"] is False
    forged = client.post("/contacts/expert/E1", data={
        "csrf_token": token, "version": version_of(client.get("/contacts/expert/E1").text),
        "email": "new-e1@example.jp", "delivery": "pigeon"})
    assert forged.status_code == 422 and 'id="delivery-error"' in forged.text


def test_the_outbox_page_shows_failures_and_sends_again(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    with transaction(api.url) as db:
        queue_message(db, to="a@example.jp", subject="届いた件名", text="本文", key="k:1")
        failed = queue_message(db, to="b@example.jp", subject="失敗した件名", text="本文",
                               key="k:2")
        db.flush()
        db.execute(update(OutboxRow).where(OutboxRow.id == failed.id).values(
            status="failed", attempts=10, last_error="SMTP 550 5.1.1 No such user"))
    client, token = sign_in(api, "staff")
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "HAKEN_SMTP_URL is not set" in page.text  # nothing is sent: staff are told
    assert "失敗した件名" in page.text and "SMTP 550 5.1.1 No such user" in page.text
    only_failed = client.get("/outbox?status=failed")
    assert "失敗した件名" in only_failed.text and "届いた件名" not in only_failed.text
    assert client.get(f"/outbox/{failed.id}").status_code == 200
    retried = client.post(f"/outbox/{failed.id}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    assert api.get(f"/api/v1/outbox/{failed.id}", role="staff").json()["status"] == "queued"
    again = client.post(f"/outbox/{failed.id}/retry", data={"csrf_token": token})
    assert again.status_code == 409
    viewer, _ = sign_in(api, "viewer")
    assert viewer.get("/outbox").status_code == 403
