"""Calendar invitations by e-mail: a published plan in, one message per affected person
out through a real SMTP server, its iTIP parts read by icalendar and by vobject, and
METHOD, SEQUENCE and UIDs right across a publish, a move and a cancellation."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

import vobject
from icalendar import Calendar

from calendar_feeds import read_feed, session_uid
from domain.checker import check_plan
from domain.loading import parse_scenario, scenario_sha256
from domain.plan import Plan
from service.db.engine import transaction
from service.db.models import OutboxRow, PlanRow
from service.logic import mailer, plans
from tests.greedy_plans import greedy_plan
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api, settings_for
from tests.smtp_support import calendar_parts, smtp_server, text_of

SECRETARIAT = "jimukyoku@example.jp"


def document() -> dict[str, Any]:
    """Three experts with addresses, two associations with contacts, one without."""
    return {
        "programme": {**PROGRAMME, "secretariat_email": SECRETARIAT,
                      "secretariat_contact": "事務局 03-1234-5678"},
        "experts": [expert("E1", email="e1@example.jp"), expert("E2", email="e2@example.jp"),
                    expert("E3", email="e3@example.jp")],
        "associations": [
            association("A1", contact={"name": "佐藤 一郎", "email": "sato@example.jp",
                                       "phone": "03-0000-0001"}),
            association("A2", applied_day=2, contact={"name": "鈴木 花子",
                                                      "email": "suzuki@example.jp",
                                                      "phone": "03-0000-0002"}),
            association("A3", applied_day=3),  # no contact: only the feed
        ],
    }


def publish(api: Api, plan: Plan) -> dict[str, Any]:
    """Store ``plan`` (checked) as a draft of the current state and publish it over the API."""
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    assert check_plan(scenario, plan) == []
    with transaction(api.url) as db:
        row = PlanRow(status="draft", scenario=scenario.model_dump(mode="json", exclude_none=True),
                      scenario_sha256=scenario_sha256(scenario),
                      document=plan.model_dump(mode="json", exclude_none=True),
                      parameters={"method": "test"}, changes={}, created_by="test")
        db.add(row)
        db.flush()
        plan_id = row.id
    published = api.send("POST", f"/api/v1/plans/{plan_id}/publish")
    assert published.status_code == 200, published.text
    changes: dict[str, Any] = published.json()["changes"]
    return changes


def moved_plan(api: Api, plan: Plan) -> tuple[Plan, tuple[str, int]]:
    """``plan`` with one session of A1 an hour or a day later, as the checker allows."""
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    for index, session in enumerate(plan.sessions):
        if session.association_id != "A1":
            continue
        for shift_days, shift_minutes in ((0, 60), (1, 0), (2, 0), (0, 120), (7, 0)):
            moved = session.model_copy(update={
                "date": session.date + dt.timedelta(days=shift_days),
                "start": session.start + shift_minutes, "end": session.end + shift_minutes})
            sessions = [*plan.sessions[:index], moved, *plan.sessions[index + 1:]]
            candidate = plan.model_copy(update={"sessions": sessions})
            if check_plan(scenario, candidate) == []:
                return candidate, (session.association_id, session.number)
    raise AssertionError("no session of A1 could be moved")


Holdings = dict[str, dict[str, tuple[Any, ...]]]


def holdings(plan: Plan) -> Holdings:
    """Each person's sessions as they see them: address -> uid -> what the session is."""
    addresses = {"E1": "e1@example.jp", "E2": "e2@example.jp", "E3": "e3@example.jp",
                 "A1": "sato@example.jp", "A2": "suzuki@example.jp"}
    held: Holdings = {address: {} for address in addresses.values()}
    for s in plan.sessions:
        shown = (s.date, s.start, s.end, tuple(s.expert_ids), s.mode, s.phase)
        uid = session_uid(s.association_id, s.number)
        for person in (*s.expert_ids, s.association_id):
            if person in addresses:
                held[addresses[person]][uid] = shown
    return held


def expected_mail(before: Holdings, after: Holdings, sequences: dict[tuple[str, str], int]
                  ) -> dict[str, dict[str, dict[str, int]]]:
    """What each person must receive: method -> uid -> SEQUENCE (RFC 5546 §2.1.4)."""
    wanted: dict[str, dict[str, dict[str, int]]] = {}
    for address in after:
        old, new = before.get(address, {}), after[address]
        mail: dict[str, dict[str, int]] = {}
        for uid, shown in new.items():
            if uid not in old:
                key = (address, uid)
                sequences[key] = sequences[key] + 1 if key in sequences else 0
                mail.setdefault("REQUEST", {})[uid] = sequences[key]
            elif old[uid] != shown:
                sequences[(address, uid)] += 1
                mail.setdefault("REQUEST", {})[uid] = sequences[(address, uid)]
        for uid in old.keys() - new.keys():
            sequences[(address, uid)] += 1
            mail.setdefault("CANCEL", {})[uid] = sequences[(address, uid)]
        if mail:
            wanted[address] = mail
    return wanted


def read_calendar(method: str, data: bytes) -> dict[str, int]:
    """uid -> SEQUENCE, read by icalendar and by vobject, which must agree."""
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == method
    by_icalendar = {}
    for event in calendar.walk("VEVENT"):
        assert str(event["ORGANIZER"]) == f"mailto:{SECRETARIAT}"
        by_icalendar[str(event["UID"])] = int(event["SEQUENCE"])
        assert (str(event["STATUS"]) == "CANCELLED") == (method == "CANCEL")
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.method.value == method
    by_vobject = {e.uid.value: int(e.sequence.value) for e in parsed.vevent_list}
    assert by_vobject == by_icalendar
    return by_icalendar


def visible(message: EmailMessage) -> str:
    """Everything a recipient can read: the headers and every part decoded."""
    shown = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            shown.append(payload.decode("utf-8", "replace"))
    return "\n".join(shown)


def received_mail(messages: list[EmailMessage]) -> dict[str, dict[str, dict[str, int]]]:
    got: dict[str, dict[str, dict[str, int]]] = {}
    for message in messages:
        address = str(message["To"].addresses[0].addr_spec)
        assert address not in got, f"{address} received two messages for one change"
        got[address] = {}
        for method, data in calendar_parts(message):
            got[address][method] = read_calendar(method, data)
        attachments = {part.get_filename(): part.get_content_type()
                       for part in message.iter_attachments()}
        assert any(name.endswith(".ics") for name in attachments), attachments
    return got


def test_publish_move_and_cancel_reach_each_person_once(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    first = greedy_plan(scenario)
    assert {s.association_id for s in first.sessions} == {"A1", "A2", "A3"}
    sequences: dict[tuple[str, str], int] = {}
    with smtp_server() as smtp:
        settings = settings_for(api.url, smtp_url=smtp.url)

        def deliver(before: Plan | None, after: Plan) -> list[EmailMessage]:
            count = len(smtp.mailbox.received)
            assert mailer.deliver_due(settings, "test:1") >= 0
            messages = smtp.mailbox.messages()[count:]
            wanted = expected_mail(holdings(before) if before else {}, holdings(after),
                                   sequences)
            assert received_mail(messages) == wanted
            return messages

        publish(api, first)
        messages = deliver(None, first)
        assert len(messages) == len({*(e for s in first.sessions for e in s.expert_ids)}) + 2
        by_address = {str(m["To"].addresses[0].addr_spec): m for m in messages}
        association_mail = by_address["sato@example.jp"]
        # Japanese first, English below; the association's own name, nobody else's details.
        text = text_of(association_mail)
        assert text.index("佐藤 一郎 様") < text.index("Dear 佐藤 一郎")
        shown = visible(association_mail)
        for foreign in ("suzuki@example.jp", "e1@example.jp", "e2@example.jp", "03-0000-0002",
                        "03-0000-0001", "A2", "A3"):
            assert foreign not in shown
        for message in messages:
            address = str(message["To"].addresses[0].addr_spec)
            others = {"e1@example.jp", "e2@example.jp", "e3@example.jp", "sato@example.jp",
                      "suzuki@example.jp"} - {address}
            assert not any(other in visible(message) for other in others), address

        # A move: the people of that session get a REQUEST with SEQUENCE 1, nobody else.
        second, key = moved_plan(api, first)
        publish(api, second)
        messages = deliver(first, second)
        moved_uid = session_uid(*key)
        assert all(set(m) == {"REQUEST"} for m in received_mail(messages).values())
        assert all(received_mail(messages)[a]["REQUEST"] == {moved_uid: 1}
                   for a in received_mail(messages))

        # A cancellation: A2 withdraws; the new plan leaves it out.
        read = api.get("/api/v1/associations/A2")
        withdrawn = api.send("POST", "/api/v1/associations/A2/transitions",
                             body={"to": "withdrawn", "reason": "辞退の申し出"},
                             if_match=read.headers["ETag"])
        assert withdrawn.status_code == 200, withdrawn.text
        kept = [s for s in second.sessions if s.association_id != "A2"]
        third = second.model_copy(update={"sessions": kept, "stats": second.stats.model_copy(
            update={"served": second.stats.served - 1})})
        publish(api, third)
        messages = deliver(second, third)
        cancelled = received_mail(messages)
        assert set(cancelled["suzuki@example.jp"]) == {"CANCEL"}
        assert all(sequence == 1 for sequence in cancelled["suzuki@example.jp"]["CANCEL"]
                   .values())
        # Publishing the same schedule again sends nothing more.
        assert mailer.deliver_due(settings, "test:1") == 0
    with transaction(api.url) as db:
        rows = db.query(OutboxRow).all()
        assert {row.status for row in rows} == {"sent"}
        assert len({row.message_id for row in rows}) == len(rows)


def test_without_an_smtp_server_nothing_is_sent_and_the_outbox_shows_it(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    plan = greedy_plan(parse_scenario(api.get("/api/v1/scenario").json()))
    publish(api, plan)
    settings = settings_for(api.url)  # no HAKEN_SMTP_URL
    assert mailer.deliver_due(settings, "test:1") == 0
    listing = api.get("/api/v1/outbox", role="staff")
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["counts"]["queued"] == len(body["messages"]) > 0
    assert {m["kind"] for m in body["messages"]} == {"invitation"}
    failed = api.get("/api/v1/outbox?status=failed", role="staff")
    assert failed.status_code == 200 and failed.json()["messages"] == []
    assert api.get("/api/v1/outbox").status_code == 403  # addresses and texts: staff only


def test_a_person_who_chose_the_feed_gets_no_invitation(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=document()).status_code == 200
    chose = api.send("PUT", "/api/v1/associations/A1/delivery", body={"delivery": "feed"})
    assert chose.status_code == 200, chose.text
    assert chose.json() == {"delivery": "feed", "email": "sato@example.jp",
                            "invitations": False}
    assert api.get("/api/v1/experts/E1/delivery").json() == {
        "delivery": "invitations", "email": "e1@example.jp", "invitations": True}
    bad = api.send("PUT", "/api/v1/experts/E1/delivery", body={"delivery": "carrier pigeon"})
    assert bad.status_code == 422
    plan = greedy_plan(parse_scenario(api.get("/api/v1/scenario").json()))
    publish(api, plan)
    recipients = {m["recipient"] for m in api.get("/api/v1/outbox", role="staff").json()
                  ["messages"]}
    assert "sato@example.jp" not in recipients and "suzuki@example.jp" in recipients


def test_invitations_carry_the_feed_uids_and_follow_a_replacement(api: Api) -> None:
    spare = document()
    spare["experts"] += [expert("E4", email="e4@example.jp"),
                         expert("E5", email="e5@example.jp")]
    assert api.send("PUT", "/api/v1/scenario", body=spare).status_code == 200
    plan = greedy_plan(parse_scenario(api.get("/api/v1/scenario").json()))
    publish(api, plan)
    session = next(s for s in plan.sessions if s.association_id == "A1")
    lead = session.expert_ids[0]
    address = f"{lead.lower()}@example.jp"
    link = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": lead})
    feed = api.client.get("/feeds/" + link.json()["https"].rsplit("/", 1)[1])
    assert feed.status_code == 200
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.content
    assert b"X-PUBLISHED-TTL:PT1H" in feed.content
    # Contact details never reach a feed: no address or telephone number of anyone.
    assert b"@example.jp" not in feed.content and b"03-0000-000" not in feed.content
    feed_uids = {e.uid for e in read_feed(feed.content)}
    with smtp_server() as smtp:
        settings = settings_for(api.url, smtp_url=smtp.url)
        mailer.deliver_due(settings, "test:1")
        first = received_mail(smtp.mailbox.messages())
        assert set(first[address]["REQUEST"]) == feed_uids

        with transaction(api.url) as db:
            row_id = next(r.id for r in plans.schedule(db, "A1") if r.number == session.number)
        found = api.get(f"/api/v1/sessions/{row_id}/replacements?expert_id={lead}").json()
        assert found["candidates"], found
        joining = found["candidates"][0]["expert_id"]
        replaced = api.send("POST", f"/api/v1/sessions/{row_id}/replacement",
                            body={"expert_id": lead, "by": joining})
        assert replaced.status_code == 200, replaced.text
        changed = {(r["association_id"], r["number"]) for r in replaced.json()}
        count = len(smtp.mailbox.received)
        mailer.deliver_due(settings, "test:1")
        after = received_mail(smtp.mailbox.messages()[count:])
    uids = {session_uid(*key) for key in changed}
    assert set(after[address]) == {"CANCEL"} and set(after[address]["CANCEL"]) == uids
    joiner = f"{joining.lower()}@example.jp"
    assert after[joiner] == {"REQUEST": dict.fromkeys(uids, 0)}
    assert set(after["sato@example.jp"]["REQUEST"]) == uids
    assert all(sequence == 1 for sequence in after["sato@example.jp"]["REQUEST"].values())
