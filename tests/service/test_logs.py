"""What a real server writes to its log: never a secret, wherever a client put it."""

from __future__ import annotations

from pathlib import Path

from tests.service_support import served_api


def test_no_secret_reaches_the_log(database_url: str, tmp_path: Path) -> None:
    secrets = {name: f"hk_{name}Secret0123456789abcdef" for name in
               ("query", "access", "header", "console", "feed", "other")}
    with served_api(database_url, tmp_path) as api:
        client = api.client
        client.get(f"/api/v1/experts?token={secrets['query']}&lang=en")
        client.get(f"/api/v1/experts?lang=en&access_token={secrets['access']}")
        client.get("/api/v1/experts", headers={"Authorization": f"Bearer {secrets['header']}"})
        client.get(f"/signin?next=/applications&token={secrets['console']}")
        client.get(f"/feeds/{secrets['feed']}.ics?token={secrets['feed']}")
        client.get(f"/api/v1/experts/{secrets['other']}")  # a token pasted in the wrong place
        assert api.server_log is not None
        log = api.server_log.read_text()
    assert "GET /api/v1/experts?token=[redacted]&lang=en" in log
    assert "GET /api/v1/experts?lang=en&access_token=[redacted]" in log
    assert "GET /feeds/[redacted]" in log
    for secret in secrets.values():
        assert secret not in log
