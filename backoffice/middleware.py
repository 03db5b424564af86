"""Transport hardening for every response: who may say a request came over TLS, and the
Content-Security-Policy (Django 5.2 has none built in).

The policy allows scripts, styles, fonts and frames from this origin only, never inline code or
eval: a page that a stored value manages to inject markup into still runs nothing. Pages that
need more (third-party documentation UIs) say so with `@content_security_policy(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

from backoffice.lib import client_address

HEADER = "Content-Security-Policy"


def directives() -> dict[str, str]:
    """The site-wide policy, directive by directive."""
    images = ["'self'", "data:"]
    tiles = urlsplit(settings.MAP_TILE_URL)
    if tiles.scheme and tiles.netloc:
        # A tile server's {s} subdomains (a.tile…, b.tile…) are allowed as a wildcard.
        images.append(f"{tiles.scheme}://{tiles.netloc.replace('{s}', '*')}")
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(images),
        # 'self' covers this host's ws:// and wss:// too (the live updates).
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def render(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def content_security_policy(**changes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view's own policy: the site-wide one with some directives replaced
    (`style_src="'self' 'unsafe-inline'"` replaces style-src)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            policy = directives()
            policy.update({name.replace("_", "-"): value for name, value in changes.items()})
            response[HEADER] = render(policy)
            return response

        return wrapped

    return decorate


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Sends the site-wide policy on every response that has none of its own."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if HEADER not in response:
            response[HEADER] = render(directives())
        return response


class ForwardedProtoMiddleware(MiddlewareMixin):
    """Drop X-Forwarded-Proto unless a trusted reverse proxy (TRUSTED_PROXIES) sent it.

    Django believes SECURE_PROXY_SSL_HEADER from anyone; only the TLS proxy in front may say
    the request came over TLS (client_address.py decides who that is).
    """

    def process_request(self, request: HttpRequest) -> None:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not client_address.is_trusted_proxy(
            request.META.get("REMOTE_ADDR", "")
        ):
            del request.META["HTTP_X_FORWARDED_PROTO"]
