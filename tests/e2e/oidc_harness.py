"""Start the local ProConnect-like OpenID Connect provider for end-to-end tests.

The provider itself is ``tests/e2e/oidc_provider/server.js`` (npm package
``oidc-provider``, pinned in ``package-lock.json``). Usage, e.g. from a pytest
fixture::

    with run_oidc_provider(
        client_id="siao",
        client_secret="secret",
        redirect_uris=["http://127.0.0.1:8000/oidc/callback/"],
        post_logout_redirect_uris=["http://127.0.0.1:8000/"],
        accounts={"agent@example.fr": {"email": "agent@example.fr", "given_name": "Ada",
                                       "usual_name": "Lovelace", "uid": "1",
                                       "siret": "12345678900011", "idp_id": "fia1"}},
    ) as provider:
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.authorization_endpoint
        ...

Login page (GET ``provider.authorization_endpoint?...`` redirects to
``<issuer>/interaction/<uid>``): fill ``#login`` with a login of ``accounts``
(``#password``: anything), click ``#submit`` ("Se connecter"). No consent step.
``#cancel`` ("Annuler") returns ``error=access_denied`` to the redirect URI.
An unknown login re-displays the form with ``#error``.

The ``sub`` of an account is ``provider.sub_for(login)``: opaque, per client.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
READY_PREFIX = "ready "
DEFAULT_START_TIMEOUT = 20.0


class OIDCProviderError(RuntimeError):
    """The test OpenID Connect provider could not be installed or started."""


@dataclass(frozen=True)
class OIDCProvider:
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    discovery: dict = field(repr=False, default_factory=dict)
    log_path: Path | None = None

    def sub_for(self, login: str) -> str:
        """The opaque ``sub`` the provider gives ``login`` for this client."""
        return hashlib.sha256(f"{self.client_id}:{login}".encode()).hexdigest()

    def read_log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_node_modules(provider_dir: Path = PROVIDER_DIR) -> None:
    """Run ``npm ci`` once if ``node_modules`` is missing."""
    if (provider_dir / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise OIDCProviderError(
            "npm is not installed: it is needed to install the test OpenID Connect "
            f"provider in {provider_dir} (apt-get install nodejs npm, Node >= 20)."
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=provider_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise OIDCProviderError(
            f"`npm ci` failed in {provider_dir} (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def _read_discovery(issuer: str) -> dict:
    url = f"{issuer}/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@contextlib.contextmanager
def run_oidc_provider(
    *,
    client_id: str,
    client_secret: str,
    redirect_uris: Sequence[str],
    accounts: Mapping[str, Mapping[str, object]],
    post_logout_redirect_uris: Sequence[str] = (),
    port: int | None = None,
    start_timeout: float = DEFAULT_START_TIMEOUT,
) -> Iterator[OIDCProvider]:
    """Run the ProConnect-like provider on 127.0.0.1 for the duration of the block."""
    if isinstance(redirect_uris, str) or isinstance(post_logout_redirect_uris, str):
        raise TypeError("redirect_uris and post_logout_redirect_uris are sequences of URLs")
    ensure_node_modules()
    node = shutil.which("node")
    if node is None:
        raise OIDCProviderError("node is not installed: it runs the test OpenID Connect provider.")

    port = port or _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(accounts),
        "OIDC_EXIT_ON_STDIN_EOF": "1",
        "NO_COLOR": "1",
    }
    # Output goes to a file, not a pipe: nothing has to drain it while tests run.
    log_dir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    log_path = log_dir / "provider.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [node, "server.js"],
            cwd=PROVIDER_DIR,
            env=env,
            stdin=subprocess.PIPE,  # closed when this process dies: the provider then exits
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + start_timeout
        ready_line = f"{READY_PREFIX}{issuer}"
        while True:
            output = log_path.read_text(errors="replace")
            if any(line.strip() == ready_line for line in output.splitlines()):
                break
            if process.poll() is not None:
                raise OIDCProviderError(
                    f"the test OpenID Connect provider exited with code {process.returncode} "
                    f"before being ready; its output:\n{output}"
                )
            if time.monotonic() > deadline:
                raise OIDCProviderError(
                    f"the test OpenID Connect provider was not ready after {start_timeout:g} s; its output:\n{output}"
                )
            time.sleep(0.02)

        discovery = _read_discovery(issuer)
        yield OIDCProvider(
            issuer=discovery["issuer"],
            client_id=client_id,
            client_secret=client_secret,
            authorization_endpoint=discovery["authorization_endpoint"],
            token_endpoint=discovery["token_endpoint"],
            userinfo_endpoint=discovery["userinfo_endpoint"],
            jwks_uri=discovery["jwks_uri"],
            end_session_endpoint=discovery["end_session_endpoint"],
            discovery=discovery,
            log_path=log_path,
        )
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stdin is not None:
            process.stdin.close()
        shutil.rmtree(log_dir, ignore_errors=True)
