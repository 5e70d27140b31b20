"""The production set-up with the real pieces, started here on loopback: Debian's nginx with a self-signed
certificate, using the repository's own deploy/nginx/talent-op-maat.conf, in front of two `tom serve`
processes on one database; the deploy/bin backup and restore-test scripts against a serving app; and
`systemd-analyze verify` on the deploy/systemd units. Each test is skipped, saying why, when a package
cannot be found or installed (`make test` installs nginx; see the Makefile)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from api.db import make_engine
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
sys.path.insert(0, str(REPO / "benchmarks"))

from liveserver import Server, free_port, tom_env  # noqa: E402


# ----------------------------------------------------------------------------------- the Debian packages
def _apt_install(package: str) -> str | None:
    """Install a Debian package (services are not started: RUNLEVEL=1); None when it worked, else why not."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not root with apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    for cmd in (["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                ["sh", "-c", f"apt-get update -qq && apt-get install -y -qq --no-install-recommends {package}"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            return None
    return (done.stderr.strip().splitlines() or ["apt-get failed"])[-1]


def _nginx() -> str:
    def find() -> str | None:
        return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)

    exe = find()
    if exe is None:
        why = _apt_install("nginx")
        exe = find()
        if exe is None:
            pytest.skip(f"nginx is not installed and could not be installed ({why}); `make test` installs it")
    return exe


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (Debian: openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class Nginx:
    """nginx in the foreground with the repository's site file, rewritten only for ports, paths and upstreams."""

    def __init__(self, folder: Path, certificate: tuple[Path, Path], upstreams: list[int]) -> None:
        self.folder, self.exe = folder, _nginx()
        self.https_port, self.http_port = free_port(), free_port()
        site = (DEPLOY / "nginx" / "talent-op-maat.conf").read_text(encoding="utf-8")
        site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # loopback IPv4 only here
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;")
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {certificate[0]};", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {certificate[1]};", site)
        site = re.sub(r"(access|error)_log\s+\S+;", lambda m: f"{m[1]}_log {folder}/{m[1]}.log;", site)
        servers = "".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n    " for p in upstreams)
        site, n = re.subn(r"server 127\.0\.0\.1:8000 [^;]*;\n\s*", servers, site)
        assert n == 1, "the upstream line in deploy/nginx/talent-op-maat.conf changed; update this test"
        (folder / "site.conf").write_text(site, encoding="utf-8")
        temp = "".join(f"{k}_temp_path {folder}/{k};\n  " for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n  {temp}access_log {folder}/access.log;\n"
            f"  include {folder}/site.conf;\n}}\n", encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def check(self) -> None:
        done = subprocess.run([self.exe, "-t", "-c", str(self.folder / "nginx.conf")], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    def __enter__(self) -> Nginx:
        self.check()
        self.proc = subprocess.Popen([self.exe, "-c", str(self.folder / "nginx.conf")], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{self.http_port}/", timeout=1)
                return self
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not start: {(self.folder / 'error.log').read_text(errors='replace')[-500:]}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # graceful: finish the open requests
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def client(self, certificate: tuple[Path, Path], source: str = "127.0.0.1") -> httpx.Client:
        """An https client connecting from ``source`` (any 127.x address is this machine)."""
        ctx = ssl.create_default_context(cafile=str(certificate[0]))
        return httpx.Client(base_url=f"https://127.0.0.1:{self.https_port}", timeout=20,
                            transport=httpx.HTTPTransport(verify=ctx, local_address=source))


@contextlib.contextmanager
def servers(envs: list[dict[str, str]]) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for env in envs:
            Path(env["TOM_HOME"]).mkdir(parents=True, exist_ok=True)
            started.append(Server(env).start(timeout=300))
        yield started
    finally:
        for s in started:
            s.stop()


def _register(http: httpx.Client, role: str, email: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD, "name": "Test", "accept_terms": True}
    if role == "employer":
        body |= {"role": "employer", "organisation_name": "Brasserie Test"}
    assert http.post("/api/v1/auth/register", json=body).status_code == 201
    r = http.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "name": "t"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _fail_login(http: httpx.Client, n: int, headers: dict[str, str] | None = None) -> int:
    r = http.post("/api/v1/auth/login", json={"email": f"niemand{n}@example.org", "password": "fout-fout-fout"},
                  headers=headers)
    return r.status_code


# ----------------------------------------------------------------------------------- nginx + two app servers
def test_two_app_servers_behind_nginx_with_tls(hub: Hub, tmp_path: Path, certificate: tuple[Path, Path]) -> None:
    """One nginx upstream, two `tom serve` on one database (SQLite and PostgreSQL): writes through one are
    matched through the other at the next request, a session made on one works on the other; through nginx
    cookies are Secure, HSTS is sent, redirects and mail links say https; the login limit counts each real
    client (their source addresses) and ignores what a client writes into X-Forwarded-For itself."""
    _nginx()  # skip early, before starting the servers, when nginx is missing
    port_hint = free_port()
    extra = {"TOM_TRUSTED_PROXIES": "127.0.0.1", "TOM_LOGIN_MAX_FAILURES": "2",
             "TOM_PUBLIC_URL": f"https://localhost:{port_hint}"}
    envs = [tom_env(tmp_path / name, hub.settings.db_url, **extra) for name in ("a", "b")]
    with servers(envs) as (a, b), Nginx(tmp_path, certificate, [a.port, b.port]) as nginx:
        direct_a, direct_b = httpx.Client(base_url=a.url, timeout=20), httpx.Client(base_url=b.url, timeout=20)
        # --- the index follows writes of the other process, at the next request
        emp = _register(direct_a, "employer", "hr@brasserie.example")
        me = _register(direct_b, "jobseeker", "amira@example.org")
        assert direct_b.put("/api/v1/me/profile", json=cook_profile(hub), headers=me).status_code == 200
        first = direct_a.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
        assert [m["vacancy"]["id"] for m in direct_b.get("/api/v1/me/matches", headers=me).json()["items"]] == [first]
        second = direct_b.post("/api/v1/vacancies", json=cook_vacancy(hub, title="Zelfstandig kok"),
                               headers=emp).json()["id"]
        ids = {m["vacancy"]["id"] for m in direct_a.get("/api/v1/me/matches", headers=me).json()["items"]}
        assert ids == {first, second}
        # --- a browser session made on one server works on the other
        login = direct_a.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
        assert login.status_code == 200
        cookie = {"Cookie": f"tom_session={login.cookies['tom_session']}"}
        assert httpx.get(f"{b.url}/api/v1/auth/me", headers=cookie).json()["email"] == "amira@example.org"
        assert httpx.get(f"{b.url}/profiel", headers=cookie).status_code == 200

        with nginx.client(certificate, "127.0.0.2") as web, nginx.client(certificate, "127.0.0.3") as other:
            # --- TLS ends at nginx, yet the app knows: Secure cookies, HSTS
            page = web.get("/inloggen")  # the form's double-submit cookie, before login
            assert "tom_csrf" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
            r = web.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
            assert r.status_code == 200 and "Secure" in r.headers["set-cookie"]
            assert r.headers["Strict-Transport-Security"].startswith("max-age=")
            # The session works through nginx whichever server answers (round robin: both do).
            def me_lines() -> list[int]:
                return [s.log_tail(1_000_000).count("GET /api/v1/auth/me") for s in (a, b)]

            seen = me_lines()
            assert all(web.get("/api/v1/auth/me").status_code == 200 for _ in range(4))
            assert all(now > before for now, before in zip(me_lines(), seen, strict=True))
            # --- redirects: absolute ones say https, relative ones stay on https
            r = web.get("/api/v1/vacancies/", follow_redirects=False)
            assert r.status_code == 307 and r.headers["location"].startswith("https://")
            web.cookies.clear()
            r = web.get("/mijn", follow_redirects=False)
            assert r.status_code == 303 and not r.headers["location"].startswith("http:")
            r = httpx.get(f"http://127.0.0.1:{nginx.http_port}/mijn", follow_redirects=False)
            assert r.status_code == 301 and r.headers["location"].startswith("https://")
            # --- mail links say https (TOM_PUBLIC_URL)
            assert web.post("/api/v1/auth/password-reset", json={"email": "amira@example.org"}).status_code == 202
            mails = [p.read_text() for home in ("a", "b") for p in (tmp_path / home / "mail").glob("*.eml")]
            assert len(mails) == 1 and f"https://localhost:{port_hint}/wachtwoord/nieuw?token=" in mails[0]
            assert "http://" not in mails[0]
            # --- the access log shows the real client, not nginx
            assert any(re.search(r"127\.0\.0\.2:\d+ - \"POST /api/v1/auth/login", s.log_tail(100_000))
                       for s in (a, b))
            # --- the login limit (4 x 2 failures per client, counted in the database: both servers share it)
            codes = [_fail_login(web, i, {"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(8)]
            assert codes == [401] * 8  # a forged header: still the same client, 127.0.0.2
            assert _fail_login(web, 8, {"X-Forwarded-For": "198.51.100.99"}) == 429
            assert _fail_login(other, 9) == 401  # the person next door is not locked out
    for s in (a, b):
        assert "Traceback" not in s.log_tail(100_000), s.log_tail()


def test_behind_an_untrusted_proxy_forwarded_headers_change_nothing(tmp_path: Path,
                                                                    certificate: tuple[Path, Path]) -> None:
    """Without TOM_TRUSTED_PROXIES the app believes no header: everyone is nginx's address and http (which is
    why docs/operations.md sets it); a client cannot pick its address with X-Forwarded-For either."""
    _nginx()
    env = tom_env(tmp_path / "c", f"sqlite:///{tmp_path / 'c.sqlite'}", TOM_LOGIN_MAX_FAILURES="2")
    with servers([env]) as (c,), Nginx(tmp_path, certificate, [c.port]) as nginx, \
            nginx.client(certificate, "127.0.0.2") as web, nginx.client(certificate, "127.0.0.3") as other:
        assert "Secure" not in web.get("/inloggen").headers["set-cookie"]
        assert [_fail_login(web, i) for i in range(8)] == [401] * 8
        assert _fail_login(other, 8, {"X-Forwarded-For": "203.0.113.9"}) == 429
        # Straight at the app from loopback, a forged https + address: not believed either.
        r = httpx.get(f"{c.url}/inloggen", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert "Secure" not in r.headers["set-cookie"] and "Strict-Transport-Security" not in r.headers
        assert "203.0.113.9" not in c.log_tail(100_000)


# ----------------------------------------------------------------------------------- backup while serving
def _tom_wrapper(folder: Path) -> Path:
    """A `tom` executable for the deploy scripts: this interpreter with this checkout."""
    exe = folder / "tom"
    path = f'"{REPO}${{PYTHONPATH:+:$PYTHONPATH}}"'
    exe.write_text(f'#!/bin/sh\nPYTHONPATH={path} exec "{sys.executable}" -m api.cli "$@"\n')
    exe.chmod(0o755)
    return exe


def test_a_backup_taken_while_serving_restores_to_a_database_the_app_starts_on(hub: Hub, tmp_path: Path) -> None:
    """deploy/bin/tom-backup while an employer writes through the running app, then deploy/bin/tom-restore-test
    (the monthly job): the backup restores into a scratch database, the app starts on it and answers, and it
    holds a consistent state between what was acknowledged before and after the backup."""
    url = hub.settings.db_url
    env = tom_env(hub.settings.home, url, TOM="", TOM_PYTHON=sys.executable)
    env |= {"TOM": str(_tom_wrapper(tmp_path)), "TOM_RESTORE_TEST_PORT": str(free_port())}
    if not url.startswith("sqlite"):
        scratch = url.rsplit("/", 1)[0] + "/tom_restore_test"
        engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS tom_restore_test"))
            conn.execute(text("CREATE DATABASE tom_restore_test"))
        engine.dispose()
        env["TOM_RESTORE_TEST_URL"] = scratch
    acked: list[int] = []
    stop = threading.Event()
    with servers([env]) as (app,):
        http = httpx.Client(base_url=app.url, timeout=20)
        emp = _register(http, "employer", "hr@brasserie.example")

        def write() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                r = http.post("/api/v1/vacancies", json=cook_vacancy(hub, title=f"Kok {n}"), headers=emp)
                if r.status_code == 201:
                    acked.append(r.json()["id"])

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(acked) < 5:
                time.sleep(0.05)
            before = len(acked)
            done = subprocess.run([str(DEPLOY / "bin" / "tom-backup"), str(tmp_path / "backups")], env=env,
                                  capture_output=True, text=True, timeout=300)
            after_backup = len(acked)
            time.sleep(0.3)  # and the app keeps writing after the backup
        finally:
            stop.set()
            writer.join()
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("tom-backup: ") and len(acked) > after_backup
        assert http.get("/api/v1/health").status_code == 200
    files = list((tmp_path / "backups").glob("tom-*.backup"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0  # personal data: only the owner reads it
    done = subprocess.run([str(DEPLOY / "bin" / "tom-restore-test"), str(tmp_path / "backups")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    m = re.fullmatch(r'restore test passed: .* health \{"status":"ok","database":"ok".*\}, vacancies=(\d+)\n',
                     done.stdout)
    assert m, done.stdout
    assert before <= int(m[1]) <= after_backup
    # A restore test of something that is not a backup fails, with the reason in one line.
    (tmp_path / "junk").write_bytes(b"geen backup")
    done = subprocess.run([str(DEPLOY / "bin" / "tom-restore-test"), str(tmp_path / "junk")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "not a Talent op Maat" in done.stderr


# ----------------------------------------------------------------------------------- systemd units
def test_systemd_accepts_the_unit_files(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd); the units are checked where it is")
    tom = shutil.which("tom") or str(Path(sys.executable).parent / "tom")
    if not os.access(tom, os.X_OK):
        tom = str(_tom_wrapper(tmp_path))
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.suffix for u in units} == {".service", ".timer"} and len(units) >= 11
    for unit in units:  # the same files with this checkout's paths, since verify checks the programs exist
        body = unit.read_text(encoding="utf-8").replace("/opt/talent-op-maat/.venv/bin/tom", tom)
        (tmp_path / unit.name).write_text(body.replace("/opt/talent-op-maat", str(REPO)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", "--man=no", *[u.name for u in units]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    for timer in (u for u in units if u.suffix == ".timer"):
        spec = re.search(r"^OnCalendar=(.+)$", timer.read_text(), re.M)
        assert spec and subprocess.run([analyze, "calendar", spec[1]], capture_output=True).returncode == 0
        assert (DEPLOY / "systemd" / timer.name.replace(".timer", ".service")).exists()


def test_the_cron_file_runs_the_same_jobs_as_the_timers() -> None:
    cron = (DEPLOY / "cron" / "talent-op-maat").read_text(encoding="utf-8")
    names = dict(re.findall(r"^([A-Z]+)=(\S+)$", cron, re.M))
    jobs = set()
    for line in cron.splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z]+=", line):
            continue
        fields = re.split(r"\s+", line, maxsplit=6)
        assert fields[5] == "tom", line  # minute hour day month weekday USER command
        command = fields[6].rsplit(";", 1)[-1].strip()
        jobs.add(re.sub(r"\$([A-Z]+)", lambda m: names[m[1]], command))
    timers = {re.search(r"^ExecStart=(.+)$", u.read_text(), re.M)[1]  # type: ignore[index]
              for u in (DEPLOY / "systemd").glob("talent-op-maat-*.service")}
    assert jobs == timers and len(jobs) == 5
    for script in ("tom-backup", "tom-restore-test", "tom-import-feeds"):
        assert os.access(DEPLOY / "bin" / script, os.X_OK)
        assert subprocess.run(["bash", "-n", str(DEPLOY / "bin" / script)]).returncode == 0


def test_the_feed_job_imports_what_it_can_and_fails_loudly_on_the_rest(tmp_path: Path) -> None:
    if not shutil.which("curl"):
        pytest.skip("curl is not installed (Debian: curl)")
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"@type": "JobPosting", "title": "Kok", "description": "Koken volgens recept.", '
                    '"hiringOrganization": {"name": "Brasserie"}, "jobLocation": {"address": '
                    '{"addressLocality": "Leiden"}}}\n', encoding="utf-8")
    (tmp_path / "feeds").write_text(f"# the feeds\n{feed}   # a local file\n\nhttps://127.0.0.1:1/down.jsonl\n")
    env = tom_env(tmp_path / "home", f"sqlite:///{tmp_path / 'tom.sqlite'}", TOM=str(_tom_wrapper(tmp_path)))
    done = subprocess.run([str(DEPLOY / "bin" / "tom-import-feeds"), str(tmp_path / "feeds")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1  # the job shows as failed, after importing the feed it could read
    assert done.stdout.strip() == "imported=1 updated=0 skipped=0 rejected=0"
    assert "could not download https://127.0.0.1:1/down.jsonl" in done.stderr
    assert list((tmp_path / "home" / "feeds").glob("report-*.jsonl"))


# ----------------------------------------------------------------------------------- reload (upgrades)
def test_reload_replaces_every_worker_without_refusing_a_request(tmp_path: Path) -> None:
    """`systemctl reload` sends SIGHUP: each worker is replaced by a new process (new code after an upgrade),
    the new one ready before the old one stops; requests during the reload are all answered."""
    (tmp_path / "home").mkdir()
    server = Server(tom_env(tmp_path / "home", f"sqlite:///{tmp_path / 'tom.sqlite'}"), workers=2)
    answers: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        # A new connection per request: a kept-alive connection that the old worker closes at the moment the
        # client reuses it is a race of HTTP/1.1 that nginx retries on another connection (deploy/nginx:
        # proxy_next_upstream error); what must hold is that every request the app receives is answered.
        with httpx.Client(base_url=server.url, timeout=30, headers={"Connection": "close"}) as http:
            while not stop.is_set():
                try:
                    answers.append(str(http.get("/api/v1/vacancies").status_code))
                except httpx.HTTPError as exc:
                    answers.append(type(exc).__name__)

    askers = [threading.Thread(target=ask) for _ in range(2)]
    with server:
        for t in askers:
            t.start()
        try:
            time.sleep(1)
            assert server.proc is not None
            os.kill(server.proc.pid, signal.SIGHUP)
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and server.log.read_text().count("Terminated child process") < 2:
                assert "aborting the restart" not in server.log.read_text()
                time.sleep(0.5)
            time.sleep(1)
        finally:
            stop.set()
            for t in askers:
                t.join()
        log = server.log.read_text()
    assert log.count("Terminated child process") == 2, log[-2000:]
    assert answers and set(answers) == {"200"}, {a: answers.count(a) for a in set(answers)}
