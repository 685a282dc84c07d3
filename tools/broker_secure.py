"""The local broker's secured listener (``micromoments broker start --secure``): SASL over TLS,
as managed Kafka services require, so that every client of the project is tested against one.

At the first secure start of a data dir this makes a private CA and a broker certificate for
127.0.0.1/localhost (``openssl``), one user with a random password for PLAIN and for
SCRAM-SHA-256/512 (SCRAM credentials are written into the KRaft storage when it is formatted),
and ``secure.env``: the ``MOMENTS_KAFKA_*`` settings a client needs (mode 0600). The plaintext
listener stays for the broker's own use and for local tools.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

USER = "micromoments"
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class SecureMaterial:
    dir: Path
    password: str

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.dir / "broker.pem"  # the broker's key and certificate (Kafka's PEM keystore)

    @property
    def env_file(self) -> Path:
        return self.dir / "secure.env"


def _openssl(*args: str, cwd: Path) -> None:
    from tools.broker import BrokerError  # the broker module imports this one

    openssl = shutil.which("openssl")
    if openssl is None:
        raise BrokerError("'openssl' not found: the secure listener needs it to make its certificates "
                          "(apt-get install openssl)")
    out = subprocess.run([openssl, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0:
        raise BrokerError(f"openssl {args[0]} failed: {out.stderr.strip()[-500:]}")


def material(broker_dir: Path) -> SecureMaterial:
    """The CA, broker certificate and password of this data dir (made once, kept)."""
    d = broker_dir / "secure"
    secret_file = d / "sasl.json"
    if secret_file.exists() and (d / "broker.pem").exists():
        return SecureMaterial(d, json.loads(secret_file.read_text())["password"])
    d.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
             "-subj", "/CN=micromoments local CA", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr",
             "-subj", "/CN=localhost", cwd=d)
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "broker.crt", "-days", "3650", "-extfile", "san.ext", cwd=d)
    (d / "broker.pem").write_text((d / "broker.key").read_text() + (d / "broker.crt").read_text())
    for name in ("ca.key", "broker.key", "broker.pem"):
        os.chmod(d / name, 0o600)
    password = secrets.token_urlsafe(24)
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"user": USER, "password": password}, f)
    return SecureMaterial(d, password)


def scram_format_args(m: SecureMaterial) -> list[str]:
    """``kafka-storage format`` arguments that store the user's SCRAM credentials."""
    out = []
    for mech in MECHANISMS[1:]:
        out += ["--add-scram", f"{mech}=[name={USER},password={m.password}]"]
    return out


def listener_properties(m: SecureMaterial) -> str:
    """The server.properties lines of the SASL_SSL listener (appended to the template's)."""
    jaas_plain = ("org.apache.kafka.common.security.plain.PlainLoginModule required "
                  f'user_{USER}="{m.password}";')
    lines = [
        f"sasl.enabled.mechanisms={','.join(MECHANISMS)}",
        f"listener.name.sasl_ssl.plain.sasl.jaas.config={jaas_plain}",
        "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "listener.name.sasl_ssl.ssl.keystore.type=PEM",
        f"listener.name.sasl_ssl.ssl.keystore.location={m.keystore}",
    ]
    return "\n".join(lines) + "\n"


def client_env(m: SecureMaterial, port: int, mechanism: str = "SCRAM-SHA-256") -> dict[str, str]:
    """The settings of a client of the secured listener."""
    return {"MOMENTS_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}", "MOMENTS_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "MOMENTS_KAFKA_SSL_CAFILE": str(m.ca), "MOMENTS_KAFKA_SASL_MECHANISM": mechanism,
            "MOMENTS_KAFKA_SASL_USERNAME": USER, "MOMENTS_KAFKA_SASL_PASSWORD": m.password}


def write_env(m: SecureMaterial, port: int) -> Path:
    fd = os.open(m.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in client_env(m, port).items())
    return m.env_file
