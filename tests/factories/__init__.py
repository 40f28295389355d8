"""Every factory the tests use, in one package: one module per app, re-exported here."""

from tests.factories.core import *  # noqa: F403
from tests.factories.core import TEST_PASSWORD  # noqa: F401
from tests.factories.initiatives import *  # noqa: F403
from tests.factories.personas import *  # noqa: F403
from tests.factories.requests_queue import *  # noqa: F403
