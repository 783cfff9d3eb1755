"""A small OpenID Connect provider for tests: authorization-code flow with PKCE, RS256 id
tokens, on 127.0.0.1 only.

It auto-approves one configured test user (no login screen): /authorize answers at once
with a redirect carrying a one-time code. Tests start it as a subprocess with `running()`,
which waits for the port it bound and stops it afterwards.

Endpoints: /.well-known/openid-configuration, /authorize, /token, /jwks, /userinfo,
/logout, and POST /test/user to change the test user's claims (e.g. their groups).

Run by hand: python tests/support/oidc_provider.py --config '{"client_id": ...}'
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CODE_SECONDS = 60
TOKEN_SECONDS = 300
READY = "OIDC provider listening on "


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class Signer:
    """An RSA key that signs compact JWS tokens with RS256 and publishes itself as a JWK."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "n": _uint(numbers.n)}
        self.jwk["e"] = _uint(numbers.e)
        self.jwk["kid"] = hashlib.sha256(json.dumps(self.jwk, sort_keys=True).encode()).hexdigest()[
            :16
        ]

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.jwk["kid"]}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


class Provider:
    """The provider's state: its client, its test user, issued codes and access tokens."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.client_id: str = config["client_id"]
        self.client_secret: str = config["client_secret"]
        self.redirect_uris: list[str] = list(config["redirect_uris"])
        self.user: dict[str, Any] = dict(config["user"])
        self.signer = Signer()
        self.issuer = ""  # set once the port is known
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "jwks_uri": f"{i}/jwks",
            "userinfo_endpoint": f"{i}/userinfo",
            "end_session_endpoint": f"{i}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
        }

    def authorize(self, q: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) for an authorization request; approves the test user."""
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            # Never redirect to an address the client did not register.
            return 400, {}, "unknown client or redirect_uri"
        back: dict[str, str] = {"state": q["state"]} if "state" in q else {}
        # Only code flow with openid, and only S256 challenges, are accepted.
        valid = (
            q.get("response_type") == "code"
            and "openid" in q.get("scope", "").split()
            and q.get("code_challenge_method", "S256") == "S256"
        )
        if not valid:
            back["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.codes[code] = {
                    "redirect_uri": redirect_uri,
                    "nonce": q.get("nonce"),
                    "challenge": q.get("code_challenge"),
                    "user": dict(self.user),
                    "expires": time.time() + CODE_SECONDS,
                }
            back["code"] = code
        sep = "&" if urlsplit(redirect_uri).query else "?"
        return 302, {"Location": f"{redirect_uri}{sep}{urlencode(back)}"}, ""

    def _client_ok(self, form: dict[str, str], authorization: str | None) -> bool:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        return client_id == self.client_id and secret == self.client_secret

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        """(status, JSON body) for a token request: exchanges a code once."""
        if not self._client_ok(form, authorization):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or grant["expires"] < time.time()
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return 400, {"error": "invalid_grant"}
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            if b64url(hashlib.sha256(verifier).digest()) != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
            **grant["user"],
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[access] = grant["user"]
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": "openid email profile",
            "id_token": self.signer.sign(claims),
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            sys.stderr.write(f"oidc: {fmt % args}\n")

        def _send(self, status: int, body: Any = "", headers: dict[str, str] | None = None):
            data = json.dumps(body) if isinstance(body, dict) else str(body)
            self.send_response(status)
            kind = "application/json" if isinstance(body, dict) else "text/plain"
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data.encode())))
            self.end_headers()
            self.wfile.write(data.encode())

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.metadata())
            elif url.path == "/jwks":
                self._send(200, {"keys": [provider.signer.jwk]})
            elif url.path == "/authorize":
                status, headers, body = provider.authorize(q)
                self._send(status, body, headers)
            elif url.path == "/userinfo":
                auth = self.headers.get("Authorization", "")
                user = provider.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                self._send(200, user) if user else self._send(401, {"error": "invalid_token"})
            elif url.path == "/logout":
                target = q.get("post_logout_redirect_uri")
                if target in provider.redirect_uris:
                    self._send(302, "", {"Location": target})
                else:
                    self._send(200, "signed out")
            else:
                self._send(404, "not found")

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path == "/token":
                status, body = provider.token(self._form(), self.headers.get("Authorization"))
                self._send(status, body)
            elif path == "/test/user":
                with provider.lock:
                    provider.user = self._form()
                self._send(200, provider.user)
            else:
                self._send(404, "not found")

    return Handler


def serve(config: dict[str, Any], port: int = 0) -> None:
    """Serve on 127.0.0.1:`port` (0: any free port) until stopped; prints the issuer."""
    provider = Provider(config)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    print(READY + provider.issuer, flush=True)
    server.serve_forever()


@contextlib.contextmanager
def running(config: dict[str, Any], *, timeout: float = 20.0) -> Iterator[str]:
    """Start the provider in a subprocess; yields its issuer URL, stops it on exit."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--config", json.dumps(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        line = ""
        while not line.startswith(READY):
            line = proc.stdout.readline() if proc.stdout else ""
            if (not line and proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError("the test OIDC provider did not start")
        yield line[len(READY) :].strip()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON: client_id, client_secret, ...")
    parser.add_argument("--port", type=int, default=0)
    cli = parser.parse_args()
    serve(json.loads(cli.config), cli.port)
