"""The page's server and links, without a browser: what is served, and what links carry."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from ferry.engine.web import PageServer, WebLink, make_secret
from ferry.engine.web.link import check_page_url
from ferry.errors import ConfigError


def fetch(server: PageServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_it_serves_the_three_files_and_nothing_else() -> None:
    with PageServer(rendezvous="ws://127.0.0.1:4000/v1") as server:
        for path, kind in [
            ("/", "text/html"),
            ("/ferry.js", "text/javascript"),
            ("/sw.js", "text/javascript"),
        ]:
            response = fetch(server, path)
            assert response.status == 200 and response.headers["Content-Type"].startswith(kind)
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        for path in [
            "/../pyproject.toml",
            "/static/ferry.js",
            "/%2e%2e/server.py",
            "/web.py",
            "//etc/passwd",
        ]:
            assert fetch(server, path).status == 404, path
        assert fetch(server, "/ferry.js?x=1").status == 200
        assert fetch(server, "/", "HEAD").body == b""  # type: ignore[attr-defined]


def test_the_rendezvous_is_written_into_the_page_escaped() -> None:
    with PageServer(rendezvous='ws://127.0.0.1:4000/v1"><script>') as server:
        page = fetch(server, "/").body.decode()  # type: ignore[attr-defined]
    assert 'content="ws://127.0.0.1:4000/v1&quot;&gt;&lt;script&gt;"' in page
    assert "<script>" not in page.replace('<script src="ferry.js"></script>', "")


def test_a_link_carries_its_secret_in_the_fragment_only() -> None:
    secret = make_secret()
    link = WebLink("http://127.0.0.1:8080/", "receive", "42", secret, "ws://127.0.0.1:4000/v1")
    text = str(link)
    parts = urlsplit(text)
    assert parts.fragment.startswith("receive-42-") and len(parts.fragment) == 11 + 43
    assert parts.query == "rendezvous=ws%3A%2F%2F127.0.0.1%3A4000%2Fv1"
    assert WebLink.parse(text) == WebLink(
        "http://127.0.0.1:8080/", "receive", "42", secret, "ws://127.0.0.1:4000/v1"
    )
    for damaged in [text[:-1], text.replace("receive-", "steal-"), text.split("#")[0]]:
        with pytest.raises(ConfigError):
            WebLink.parse(damaged)


def test_page_urls_are_checked() -> None:
    assert check_page_url("https://example.org/ferry/") == "https://example.org/ferry/"
    for bad in ["file:///tmp/index.html", "javascript:alert(1)", "https://x.org/#frag", "x"]:
        with pytest.raises(ConfigError):
            check_page_url(bad)
