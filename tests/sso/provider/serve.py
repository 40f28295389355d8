"""Start the test provider: migrate its SQLite database, create its accounts and the portal's client,
serve on a free port of 127.0.0.1 and print that port on the first line of stdout.

    PROVIDER_DB=… PROVIDER_KEY=… PROVIDER_CLAIMS=… PROVIDER_ACCOUNTS=… PROVIDER_SECRET_KEY=…
    PROVIDER_CLIENT_ID=… PROVIDER_CLIENT_SECRET=… PROVIDER_REDIRECT_URI=… python -m tests.sso.provider.serve
"""

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for username, password in json.loads(Path(os.environ["PROVIDER_ACCOUNTS"]).read_text()).items():
        User.objects.create_user(username=username, password=password)
    Application.objects.create(
        name="PMM Portal",
        client_id=os.environ["PROVIDER_CLIENT_ID"],
        client_secret=os.environ["PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["PROVIDER_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=QuietHandler
    )
    sys.stdout.write(f"{server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
