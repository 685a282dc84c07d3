"""The connection options of every Kafka client of the project (worker, sink, serve, CLI tools,
benchmarks) from the ``MOMENTS_KAFKA_*`` settings: TLS (CA, optional client certificate,
hostname check) and SASL (PLAIN, SCRAM-SHA-256/512). One place, so no client is left on
plaintext by accident; the password stays a ``SecretStr`` until it is handed to the client.

>>> from config import Settings
>>> kafka_options(Settings(kafka_bootstrap="k1:9092"))
{'bootstrap_servers': 'k1:9092', 'security_protocol': 'PLAINTEXT'}
>>> opts = kafka_options(Settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="mm",
...                               kafka_sasl_password="s3cret", kafka_sasl_mechanism="SCRAM-SHA-256"))
>>> opts["sasl_mechanism"], opts["sasl_plain_username"], opts["sasl_plain_password"]
('SCRAM-SHA-256', 'mm', 's3cret')
>>> kafka_options(Settings(kafka_security_protocol="SASL_SSL"))
Traceback (most recent call last):
...
config.CLIError: MOMENTS_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs MOMENTS_KAFKA_SASL_USERNAME and MOMENTS_KAFKA_SASL_PASSWORD
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from typing import Any

from config import CLIError, Settings, get_settings


def kafka_options(settings: Settings | None = None, bootstrap: str | None = None) -> dict[str, Any]:
    """Keyword arguments for an aiokafka producer, consumer or admin client (``bootstrap``
    overrides the settings' servers, e.g. a benchmark's broker)."""
    s = settings or get_settings()
    protocol = s.kafka_security_protocol
    out: dict[str, Any] = {"bootstrap_servers": bootstrap or s.kafka_bootstrap, "security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        out["ssl_context"] = ssl_context(s.kafka_ssl_cafile, s.kafka_ssl_certfile, s.kafka_ssl_keyfile,
                                         s.kafka_ssl_check_hostname)
    if protocol.startswith("SASL_"):
        if not s.kafka_sasl_username or s.kafka_sasl_password is None:
            raise CLIError(f"MOMENTS_KAFKA_SECURITY_PROTOCOL={protocol} needs MOMENTS_KAFKA_SASL_USERNAME and "
                           "MOMENTS_KAFKA_SASL_PASSWORD")
        out.update(sasl_mechanism=s.kafka_sasl_mechanism, sasl_plain_username=s.kafka_sasl_username,
                   sasl_plain_password=s.kafka_sasl_password.get_secret_value())
    return out


@lru_cache(maxsize=8)
def ssl_context(cafile: Path | None, certfile: Path | None, keyfile: Path | None, check_hostname: bool) -> ssl.SSLContext:
    """A TLS client context: the given CA (else the system's), the client certificate if given."""
    try:
        ctx = ssl.create_default_context(cafile=str(cafile) if cafile else None)
        if certfile is not None:
            ctx.load_cert_chain(str(certfile), str(keyfile) if keyfile else None)
    except (OSError, ssl.SSLError) as exc:
        raise CLIError(f"Kafka TLS settings: {exc} (MOMENTS_KAFKA_SSL_CAFILE / _CERTFILE / _KEYFILE)") from exc
    ctx.check_hostname = check_hostname
    if not check_hostname:
        ctx.verify_mode = ssl.CERT_REQUIRED  # the chain is still checked; only the name is not
    return ctx
