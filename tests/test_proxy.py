"""Behind a reverse proxy (TOM_TRUSTED_PROXIES): the real client and scheme come from X-Forwarded-* only when
the connection comes from a trusted proxy. Rate limits, Secure cookies and HSTS follow; forged headers from
anyone else change nothing. (tests/test_deploy.py runs the same through a real nginx.)"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.proxy import ProxyHeaders, parse_networks
from api.services.hub import Hub
from api.settings import Settings
from tests.api_helpers import PASSWORD, jobseeker

PROXY = ("127.0.0.1", 41000)  # where the proxy connects from
STRANGER = ("198.51.100.9", 41000)  # a client connecting directly


@contextmanager
def app_client(hub: Hub, peer: tuple[str, int], trusted: str = "", web: bool = False,
               **extra: Any) -> Iterator[TestClient]:
    from api.main import create_app as create_api
    from web.app import create_app as create_web

    settings = Settings(TOM_HOME=hub.settings.home, DATABASE_URL=hub.settings.db_url,  # type: ignore[call-arg]
                        TOM_TRUSTED_PROXIES=trusted, **extra)
    factory = create_web if web else create_api
    with TestClient(factory(hub=Hub(settings, matching=hub.matching)), client=peer) as c:
        yield c


def via(client_ip: str, proto: str = "https") -> dict[str, str]:
    return {"X-Forwarded-For": client_ip, "X-Forwarded-Proto": proto}


# ----------------------------------------------------------------------------------- the setting
def test_the_setting_takes_addresses_and_networks_and_refuses_anything_else() -> None:
    assert parse_networks("") == ()
    nets = parse_networks(" 127.0.0.1, ::1 ,10.0.0.0/8")
    assert [str(n) for n in nets] == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]
    with pytest.raises(ValueError, match="'nginx'"):
        parse_networks("127.0.0.1, nginx")
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="TOM_TRUSTED_PROXIES"):
        Settings(TOM_TRUSTED_PROXIES="*")  # type: ignore[call-arg]


# ----------------------------------------------------------------------------------- choosing the client
ips = st.ip_addresses(v=4).map(str)
TRUSTED = parse_networks("127.0.0.1, 10.0.0.0/8")


def _untrusted(ip: str) -> bool:
    return not any(ipaddress.ip_address(ip) in n for n in TRUSTED)


@given(forged=st.lists(st.one_of(ips, st.text(max_size=12)), max_size=4), real=ips.filter(_untrusted),
       inner=st.lists(st.sampled_from(["10.1.2.3", "127.0.0.1", "10.0.0.1"]), max_size=3))
def test_the_client_is_the_first_untrusted_hop_from_the_right(forged: list[str], real: str, inner: list[str]) -> None:
    """Whatever a client writes into X-Forwarded-For itself (left of what the proxies appended), the address
    chosen is the one the outermost trusted proxy saw."""
    mw = ProxyHeaders(lambda *a: None, TRUSTED)  # type: ignore[arg-type,return-value]
    chain = [*[f.replace(",", "") for f in forged], real, *inner]
    assert mw.client_from("127.0.0.1", [", ".join(chain)]) == real
    # Split over several header lines, the same.
    assert mw.client_from("127.0.0.1", [", ".join(chain[:1]), ", ".join(chain[1:])]) == real


def test_ports_and_mapped_addresses_and_garbage() -> None:
    mw = ProxyHeaders(lambda *a: None, TRUSTED)  # type: ignore[arg-type,return-value]
    assert mw.client_from("127.0.0.1", ["203.0.113.5:4711"]) == "203.0.113.5"
    assert mw.client_from("127.0.0.1", ["[2001:db8::1]:443"]) == "2001:db8::1"
    assert mw.client_from("127.0.0.1", ["::ffff:203.0.113.5"]) == "203.0.113.5"
    assert mw.client_from("127.0.0.1", ["unknown"]) == "127.0.0.1"  # nothing usable: the proxy itself
    assert mw.is_trusted("::ffff:127.0.0.1") and not mw.is_trusted("testclient") and not mw.is_trusted(None)


# ----------------------------------------------------------------------------------- scheme: cookies, HSTS
def test_https_at_a_trusted_proxy_gives_secure_cookies_and_hsts(hub: Hub) -> None:
    with app_client(hub, PROXY, "127.0.0.1", web=True) as c:
        page = c.get("/inloggen", headers=via("203.0.113.5"))
        assert "Secure" in page.headers["set-cookie"]
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        jobseeker(c)
        r = c.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD},
                   headers=via("203.0.113.5"))
        assert r.status_code == 200 and "Secure" in r.headers["set-cookie"]
        # Plain http through the same proxy (a proxy that also serves port 80): no Secure, no HSTS.
        r = c.get("/inloggen", headers=via("203.0.113.5", "http"))
        assert "Secure" not in r.headers["set-cookie"] and "Strict-Transport-Security" not in r.headers


@pytest.mark.parametrize("peer, trusted", [(STRANGER, "127.0.0.1"), (PROXY, "")])
def test_forged_https_from_an_untrusted_peer_changes_nothing(hub: Hub, peer: tuple[str, int], trusted: str) -> None:
    with app_client(hub, peer, trusted, web=True) as c:
        page = c.get("/inloggen", headers=via("203.0.113.5"))
        assert "Secure" not in page.headers["set-cookie"] and "Strict-Transport-Security" not in page.headers
        # Redirects keep the scheme the app really saw.
        r = c.get("/api/v1/vacancies/", headers=via("203.0.113.5"), follow_redirects=False)
        assert not r.headers.get("location", "").startswith("https:")


def test_redirects_built_from_the_request_use_https_behind_the_proxy(hub: Hub) -> None:
    with app_client(hub, PROXY, "127.0.0.1") as c:
        r = c.get("/api/v1/vacancies/", headers=via("203.0.113.5"), follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"].startswith("https://testserver/api/v1/vacancies")


# ----------------------------------------------------------------------------------- rate limits
def _fail_logins(c: TestClient, n: int, headers: dict[str, str], first: int = 0) -> list[int]:
    # Another e-mail address each time: only the per-client limit (4 x 5 failures) can trip.
    return [c.post("/api/v1/auth/login", json={"email": f"niemand{i}@example.org", "password": "fout-fout-fout"},
                   headers=headers).status_code for i in range(first, first + n)]


def test_login_limit_counts_each_real_client_behind_a_trusted_proxy(hub: Hub) -> None:
    with app_client(hub, PROXY, "127.0.0.1") as c:
        jobseeker(c)
        assert set(_fail_logins(c, 20, via("203.0.113.5"))) == {401}
        assert _fail_logins(c, 1, via("203.0.113.5"), first=20) == [429]
        # One person guessing passwords does not lock out the class next door.
        r = c.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD},
                   headers=via("203.0.113.6"))
        assert r.status_code == 200


def test_login_limit_ignores_a_forged_header_from_an_untrusted_peer(hub: Hub) -> None:
    with app_client(hub, STRANGER, "127.0.0.1") as c:
        codes = [_fail_logins(c, 1, via(f"203.0.113.{i}"), first=i)[0] for i in range(21)]
        assert codes == [401] * 20 + [429]  # a new address in the header each time does not help


def test_suggestion_limit_per_real_client(hub: Hub) -> None:
    extra = {"TOM_SUGGEST_RATE": 0.01, "TOM_SUGGEST_BURST": 2}

    def codes(c: TestClient, ip: str, n: int = 3) -> list[int]:
        return [c.get("/api/v1/skills/suggest", params={"q": "koken"}, headers=via(ip)).status_code
                for _ in range(n)]

    with app_client(hub, PROXY, "127.0.0.1", **extra) as c:
        assert codes(c, "203.0.113.5") == [200, 200, 429]
        assert codes(c, "203.0.113.6") == [200, 200, 429]
    with app_client(hub, STRANGER, "127.0.0.1", **extra) as c:
        assert codes(c, "203.0.113.5", 2) + codes(c, "203.0.113.6", 1) == [200, 200, 429]


def test_ipv6_proxy_and_network(hub: Hub) -> None:
    with app_client(hub, ("::1", 41000), "::1, 10.0.0.0/8", TOM_SUGGEST_RATE=0.01, TOM_SUGGEST_BURST=1) as c:
        h = {"X-Forwarded-For": "2001:db8::7, 10.9.8.7"}  # client, then an inner proxy of the trusted network
        assert [c.get("/api/v1/skills/suggest", params={"q": "koken"}, headers=h).status_code
                for _ in range(2)] == [200, 429]
        h = {"X-Forwarded-For": "2001:db8::8, 10.9.8.7"}
        assert c.get("/api/v1/skills/suggest", params={"q": "koken"}, headers=h).status_code == 200
