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
def app(database_url, vapid):
    app = create_app(config_for_tests(database_url, vapid_private_key=vapid[0]))
    yield app
    app.extensions["cadence.engine"].dispose()


@pytest.fixture
def receiver(vapid):
    receiver = PushReceiver(vapid[1]).start()
    yield receiver
    receiver.stop()
