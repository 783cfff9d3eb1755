"""The test OIDC provider behaves like a real one where the app relies on it: discovery,
PKCE, one-time codes, client authentication and RS256 id tokens that verify against its
JWKS (checked with joserfc, the library Authlib itself verifies with)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from support import oidc_provider  # tests/ is on the path: pytest puts conftest dirs there

REDIRECT = "http://127.0.0.1:9/oauth2callback"
USER = {"sub": "u-1", "email": "ann@acme.test", "groups": ["lr-viewers"]}
CONFIG = {
    "client_id": "label-radar",
    "client_secret": "s3cret",
    "redirect_uris": [REDIRECT],
    "user": USER,
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with OPENER.open(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post(url: str, form: dict[str, str], auth: tuple[str, str] | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    request = urllib.request.Request(url, urlencode(form).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider.running(CONFIG) as url:
        yield url


def authorize(issuer: str, verifier: str, **extra: str) -> dict[str, str]:
    challenge = oidc_provider.b64url(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": "label-radar",
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    status, headers, _ = get(f"{issuer}/authorize?{urlencode(query)}")
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def test_discovery_names_the_endpoints(issuer: str) -> None:
    status, _, body = get(f"{issuer}/.well-known/openid-configuration")
    meta = json.loads(body)
    assert status == 200 and meta["issuer"] == issuer
    assert meta["token_endpoint"] == f"{issuer}/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert issuer.startswith("http://127.0.0.1:")


def test_code_flow_gives_a_verifiable_id_token(issuer: str) -> None:
    verifier = secrets.token_urlsafe(40)
    back = authorize(issuer, verifier)
    assert back["state"] == "st-1"
    form = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT}
    status, token = post(
        f"{issuer}/token", {**form, "code_verifier": verifier}, ("label-radar", "s3cret")
    )
    assert status == 200, token
    _, _, jwks = get(f"{issuer}/jwks")
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(json.loads(jwks)))
    assert decoded.header["alg"] == "RS256"
    claims = decoded.claims
    assert claims["iss"] == issuer and claims["aud"] == "label-radar"
    assert claims["nonce"] == "n-1" and claims["groups"] == ["lr-viewers"]
    assert claims["exp"] > claims["iat"]
    # the access token reads the same user from /userinfo
    request = urllib.request.Request(
        f"{issuer}/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    with urllib.request.urlopen(request, timeout=5) as r:
        assert json.loads(r.read())["email"] == "ann@acme.test"
    # a code works once
    status, again = post(
        f"{issuer}/token", {**form, "code_verifier": verifier}, ("label-radar", "s3cret")
    )
    assert status == 400 and again["error"] == "invalid_grant"


def test_wrong_verifier_or_client_secret_is_refused(issuer: str) -> None:
    back = authorize(issuer, "the-right-verifier-" + "x" * 30)
    form = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT}
    status, body = post(
        f"{issuer}/token", {**form, "code_verifier": "wrong"}, ("label-radar", "s3cret")
    )
    assert status == 400 and body["error"] == "invalid_grant"
    back = authorize(issuer, "v" * 43)
    form["code"] = back["code"]
    status, body = post(
        f"{issuer}/token",
        {**form, "code_verifier": "v" * 43, "client_id": "label-radar", "client_secret": "no"},
    )
    assert status == 401 and body["error"] == "invalid_client"


def test_unregistered_redirect_is_never_followed(issuer: str) -> None:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": "label-radar",
            "redirect_uri": "http://127.0.0.1:9/elsewhere",
            "scope": "openid",
        }
    )
    status, headers, _ = get(f"{issuer}/authorize?{query}")
    assert status == 400 and "Location" not in headers


def test_changed_user_is_approved_next(issuer: str) -> None:
    request = urllib.request.Request(
        f"{issuer}/test/user",
        json.dumps({**USER, "groups": ["staff"]}).encode(),
        {"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5):
        pass
    verifier = "w" * 43
    back = authorize(issuer, verifier)
    form = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT}
    _, token = post(
        f"{issuer}/token", {**form, "code_verifier": verifier}, ("label-radar", "s3cret")
    )
    payload = token["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["groups"] == ["staff"]
