"""For the push and reminder tests: a VAPID key pair, an app that signs with it,
and a real push receiver on loopback that checks the signature and decrypts payloads."""

import pytest

from api import create_app
from api.config import config_for_tests
from api.services import push
from tests.push_receiver import PushReceiver


@pytest.fixture
def vapid():
    return push.generate_pair()


@pytest.fixture
def receiver(vapid):
    receiver = PushReceiver(vapid[1]).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def app(database_url, vapid, receiver):
    # The loopback receiver is reachable only because its exact origin is configured.
    config = config_for_tests(
        database_url, vapid_private_key=vapid[0], push_test_receiver=receiver.origin
    )
    app = create_app(config)
    yield app
    app.extensions["cadence.engine"].dispose()
