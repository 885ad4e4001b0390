"""Hostile input against the API: bodies past their limit, bodies sent without a token,
numbers and strings that cannot be stored, huge ids, wildcard preconditions, answers
that would repeat all their input. Each is a 4xx that names what was wrong and changes
nothing; none is a 5xx.

The body tests speak raw HTTP to a real ``haken serve``: they declare a body and do
not send it, so a server that reads before it answers would keep them waiting."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from service.config import Settings
from tests.service_support import Api, example_document

JSON_LIMIT = Settings().max_json_bytes
UPLOAD_LIMIT = Settings().max_upload_bytes


def raw_exchange(api: Api, head: str, body: bytes = b"", timeout: float = 10) -> tuple[int, bytes]:
    """Send ``head`` (request line and headers) and ``body``, then read the answer until
    the server closes or ``timeout`` passes; the status and the answer's body."""
    address = urlsplit(str(api.client.base_url))
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or not _complete(answer):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            raise AssertionError(f"no answer within {timeout} s: {answer[:200]!r}") from None
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def declared_put(path: str, length: int, token: str | None = None,
                 content_type: str = "application/json") -> str:
    auth = f"Authorization: Bearer {token}\n" if token else ""
    return (f"PUT {path} HTTP/1.1\nHost: test\n{auth}Content-Type: {content_type}\n"
            f"Content-Length: {length}\n")


def test_nothing_is_read_before_the_token_is_checked(server: Api) -> None:
    # Declared, not sent: the answer comes at once, from the headers alone.
    status, body = raw_exchange(server, declared_put("/api/v1/scenario", JSON_LIMIT - 1))
    assert status == 401, body
    status, body = raw_exchange(server, declared_put("/api/v1/scenario", 51_000_000))
    assert status in (401, 413), body  # past the limit Starlette answers 413 for any route
    status, body = raw_exchange(server, declared_put(
        "/api/v1/scenario", 1000, token="hk_wrong"))
    assert status == 401, body
    upload = declared_put("/api/v1/spreadsheets/import", 5_000_000,
                          content_type="multipart/form-data; boundary=x").replace("PUT", "POST")
    status, body = raw_exchange(server, upload)
    assert status == 401, body


def test_a_body_past_its_limit_is_413_before_it_is_read(server: Api) -> None:
    token = server.tokens["admin"]
    status, body = raw_exchange(server, declared_put("/api/v1/scenario", JSON_LIMIT + 1, token))
    assert status == 413, body
    assert str(JSON_LIMIT) in json.loads(body)["detail"]  # JSON, as every API error
    upload = declared_put("/api/v1/spreadsheets/import", UPLOAD_LIMIT + 1, token,
                          "multipart/form-data; boundary=x").replace("PUT", "POST")
    status, body = raw_exchange(server, upload)
    assert status == 413, body
    assert str(UPLOAD_LIMIT) in json.loads(body)["detail"]
    # Without a length, a chunked body is cut off once it passes the limit.
    chunked = (f"PUT /api/v1/scenario HTTP/1.1\nHost: test\nAuthorization: Bearer {token}\n"
               "Content-Type: application/json\nTransfer-Encoding: chunked\n")
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20))
    count = JSON_LIMIT // (1 << 20) + 2
    status, body = raw_exchange(server, chunked, chunk * count + b"0\r\n\r\n", timeout=30)
    assert status == 413, body[:200]
    assert str(JSON_LIMIT) in json.loads(body)["detail"]
    assert server.get("/api/v1/programme").status_code == 409  # nothing was written


def test_numbers_that_are_not_finite_are_422_naming_the_field(api: Api) -> None:
    api.send("PUT", "/api/v1/scenario", body=example_document())
    headers = {**api.headers("staff"), "Content-Type": "application/json"}
    for text, field in (('{"time_limit": NaN}', "time_limit"),
                        ('{"time_limit": Infinity}', "time_limit"),
                        ('{"time_limit": -Infinity}', "time_limit"),
                        ('{"seed": 1e400}', "seed")):
        answer = api.client.post("/api/v1/jobs", content=text, headers=headers)
        assert answer.status_code == 422, (text, answer.text)
        assert [problem["loc"] for problem in answer.json()["detail"]] == [["body", field]]
    assert api.get("/api/v1/jobs").json() == []


def test_a_lone_surrogate_is_422_naming_the_field(api: Api) -> None:
    document = example_document()
    name = document["experts"][0]["name"]
    text = json.dumps(document, ensure_ascii=False).replace(f'"name": "{name}',
                                                            '"name": "\\ud800', 1)
    headers = {**api.headers("staff"), "Content-Type": "application/json"}
    answer = api.client.put("/api/v1/scenario", content=text.encode(), headers=headers)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["detail"][0]["loc"] == ["body", "experts", 0, "name"]
    assert api.get("/api/v1/programme").status_code == 409
    token = api.client.post("/api/v1/tokens", content='{"name": "x\\udfff", "role": "viewer"}',
                            headers={**api.headers("admin"), "Content-Type": "application/json"})
    assert token.status_code == 422, token.text
    assert token.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/jobs/{id}"), ("DELETE", "/api/v1/jobs/{id}"),
    ("POST", "/api/v1/plans/{id}/publish"), ("GET", "/api/v1/plans/{id}/document"),
    ("DELETE", "/api/v1/feeds/{id}"), ("GET", "/api/v1/sessions/{id}"),
    ("DELETE", "/api/v1/tokens/{id}")])
def test_ids_past_what_a_row_can_have_are_422_naming_the_id(api: Api, method: str,
                                                           path: str) -> None:
    answer = api.send(method, path.format(id=2**70), role="admin")
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][0] == "path"
    assert api.send(method, path.format(id=2**31 - 1), role="admin").status_code == 404


def test_a_422_lists_at_most_a_hundred_problems_each_with_a_short_excerpt(api: Api) -> None:
    document = example_document()
    long_name = "n" * 5_000
    document["experts"] = [{**e, "max_associations": "many", "name": long_name}
                           for e in document["experts"] * 20]
    answer = api.send("PUT", "/api/v1/scenario", body=document)
    assert answer.status_code == 422, answer.text[:300]
    problems = answer.json()
    assert len(problems["detail"]) == 100
    assert problems["omitted"] >= 2 * len(document["experts"]) - 100
    assert len(answer.content) < 100 * 1000
    assert all(len(json.dumps(p, ensure_ascii=False)) < 600 for p in problems["detail"])


def test_if_match_star_is_not_a_version(api: Api) -> None:
    api.send("PUT", "/api/v1/scenario", body=example_document())
    expert = api.get("/api/v1/experts/E001").json()
    for method, path, body in (("PUT", "/api/v1/experts/E001", {**expert, "name": "x"}),
                               ("PUT", "/api/v1/programme", example_document()["programme"]),
                               ("DELETE", "/api/v1/experts/E001", None),
                               ("PUT", "/api/v1/scenario", example_document())):
        answer = api.send(method, path, body=body, if_match="*")
        assert answer.status_code == 428, (method, path, answer.text)
        assert "*" in answer.json()["detail"]
    assert api.get("/api/v1/experts/E001").json() == expert


def test_replacing_the_whole_state_needs_its_etag(api: Api) -> None:
    first = api.send("PUT", "/api/v1/scenario", body=example_document())
    assert first.status_code == 200  # nothing to overwrite yet
    read = api.get("/api/v1/scenario")
    etag = read.headers["ETag"]
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 428
    expert = api.get("/api/v1/experts/E001")
    changed = api.send("PUT", "/api/v1/experts/E001", if_match=expert.headers["ETag"],
                       body={**expert.json(), "name": "名前を変えた"})
    assert changed.status_code == 200
    stale = api.send("PUT", "/api/v1/scenario", body=example_document(), if_match=etag)
    assert stale.status_code == 412, stale.text
    assert api.get("/api/v1/experts/E001").json()["name"] == "名前を変えた"
    current = api.get("/api/v1/scenario").headers["ETag"]
    assert current != etag
    replaced = api.send("PUT", "/api/v1/scenario", body=example_document(), if_match=current)
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["ETag"] == api.get("/api/v1/scenario").headers["ETag"] != current



def test_numbers_flags_and_times_are_taken_only_as_json_writes_them(api: Api) -> None:
    """schemathesis found these accepted: a seed of false, a date of 0, a number as an
    application's time, unknown fields beside the known ones."""
    api.send("PUT", "/api/v1/scenario", body=example_document())
    for body, where in (({"seed": False}, ["body", "seed"]),
                        ({"seed": "5"}, ["body", "seed"]),
                        ({"time_limit": True}, ["body", "time_limit"]),
                        ({"time_limit": 30, "surplus": 1}, ["body", "surplus"])):
        answer = api.send("POST", "/api/v1/jobs", body=body)
        assert answer.status_code == 422, (body, answer.text)
        assert [p["loc"] for p in answer.json()["detail"]] == [where], answer.text
    assert api.get("/api/v1/jobs").json() == []
    assert api.get("/api/v1/applications/calls-due?as_of=0").status_code == 422
    assert api.get("/api/v1/applications/calls-due?as_of=2025-07-01").status_code == 200
    document = example_document()
    document["associations"][0]["applied_at"] = 1_700_000_000
    document["experts"][0]["max_associations"] = "5"
    etag = api.get("/api/v1/scenario").headers["ETag"]
    answer = api.send("PUT", "/api/v1/scenario", body=document, if_match=etag)
    assert answer.status_code == 422, answer.text[:300]
    assert sorted(p["loc"] for p in answer.json()["detail"]) == [
        ["body", "associations", 0, "applied_at"], ["body", "experts", 0, "max_associations"]]
    assert api.get("/api/v1/scenario").headers["ETag"] == etag


def test_a_change_without_if_match_is_428_and_the_document_says_it_is_required(
        api: Api) -> None:
    api.send("PUT", "/api/v1/scenario", body=example_document())
    expert = api.get("/api/v1/experts/E001").json()
    answer = api.send("PUT", "/api/v1/experts/E001", body={**expert, "name": "x"})
    assert answer.status_code == 428, answer.text
    assert "If-Match" in answer.json()["detail"]
    assert api.get("/api/v1/experts/E001").json() == expert
    document = api.client.get("/openapi.json").json()
    put = document["paths"]["/api/v1/experts/{expert_id}"]["put"]
    assert {p["name"]: p["required"] for p in put["parameters"]}["if-match"] is True
