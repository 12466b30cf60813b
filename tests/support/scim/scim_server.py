"""Test SCIM 2.0 server for sso-scim-wizard's integration tests.

Usage: python scim_server.py --tokens-file FILE [--port PORT]   (PORT 0 = a free port)

A thin WSGI wrapper around the PyPI package ``scim2-server`` (in-memory storage, the
RFC 7643 schemas, User and Group resource types) that:

- serves the SCIM endpoints only under ``/v2``: the base URL is
  ``http://127.0.0.1:PORT/v2``; any other path is a 404 with a SCIM Error body, as a
  wrong base URL would be on a real service;
- requires ``Authorization: Bearer <token>`` on every request except
  ``/v2/ServiceProviderConfig`` (open, RFC 7643 §5), and answers 401 with a SCIM Error
  body (``urn:ietf:params:scim:api:messages:2.0:Error``, ``"status": "401"``) and a
  ``WWW-Authenticate: Bearer`` header when the token is missing or wrong;
- reads the accepted tokens from ``--tokens-file`` (one per line, blank lines and
  ``#`` comments ignored) on every request, so a test rotates tokens by rewriting the
  file; a missing file accepts no token.

It listens on 127.0.0.1 only, prints ``listening http://127.0.0.1:PORT/v2`` on stdout
once it accepts connections, and logs one line per request on stderr.
See NOTES.md beside this file for what the server answers on each endpoint.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import signal
import sys
from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler

from scim2_models import NotFoundException
from scim2_models import ScimProvider
from scim2_models import UnauthorizedException
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.applications.wsgi import send_response
from scim2_server.memory import InMemoryStorage
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME
from scim2_server.testserver.cli import ThreadingWSGIServer
from scim2_server.utils import load_default_resource_types
from scim2_server.utils import load_default_schemas
from scim2_server.utils import load_default_service_provider_config

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

BASE_PATH = "/v2"


def read_tokens(path: Path) -> list[str]:
    """Return the tokens of the tokens file; none when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        logging.getLogger("scim_server").warning("tokens file unreadable: %s", err)
        return []
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


class TokenFileApplication(WSGIApplication):
    """The scim2-server WSGI application, with bearer tokens read from a file."""

    def __init__(self, provider: ScimProvider, tokens_file: Path):
        super().__init__(InMemoryStorage(), provider, ScimService(provider))
        self.tokens_file = tokens_file

    def check_auth(self, request: ScimRequest) -> None:
        """Refuse a request unless it carries one of the file's tokens, exactly."""
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthorizedException
        # Compare every token in constant time; a pasted space or quote is a mismatch.
        matches = [
            hmac.compare_digest(token.encode(), accepted.encode())
            for accepted in read_tokens(self.tokens_file)
        ]
        if not any(matches):
            raise UnauthorizedException


class OnlyUnderBasePath:
    """Serve the SCIM application under ``/v2`` only; 404 anywhere else."""

    def __init__(self, application: TokenFileApplication):
        self.application = application

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == BASE_PATH or path.startswith(f"{BASE_PATH}/"):
            return self.application(environ, start_response)
        error = NotFoundException(
            detail=f"no SCIM endpoint here; the base URL ends in {BASE_PATH}"
        ).to_error()
        return send_response(
            ScimResponse(HTTPStatus.NOT_FOUND, error.model_dump()), start_response
        )


def build_app(tokens_file: Path) -> OnlyUnderBasePath:
    """Build the WSGI application: default schemas, User and Group, bearer tokens."""
    config = load_default_service_provider_config()
    # Announcing the scheme makes 401 responses carry WWW-Authenticate: Bearer.
    config.authentication_schemes = [
        *(config.authentication_schemes or []),
        BEARER_TOKEN_SCHEME,
    ]
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(),
        load_default_resource_types().values(),
        config=config,
    )
    return OnlyUnderBasePath(TokenFileApplication(provider, tokens_file))


class _QuietHandler(WSGIRequestHandler):
    """Log each request on stderr, naming the client by address (no DNS look-up)."""

    def address_string(self) -> str:
        return self.client_address[0]


def main() -> None:
    """Parse the arguments and serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens-file", type=Path, required=True, metavar="FILE")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("port_positional", type=int, nargs="?", metavar="PORT")
    args = parser.parse_args()
    port = args.port_positional if args.port_positional is not None else args.port

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s"
    )
    server = ThreadingWSGIServer(("127.0.0.1", port), _QuietHandler)
    server.set_app(build_app(args.tokens_file))

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(
        f"listening http://127.0.0.1:{server.server_address[1]}{BASE_PATH}", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
