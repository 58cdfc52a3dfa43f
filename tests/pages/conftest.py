import pytest


@pytest.fixture
def login(client, world):
    """Sign the test client in as one of the world's users by name (None: anonymous)."""

    def _login(name: str | None):
        client.logout()
        if name is None:
            return client
        user = world.admin if name == "admin" else (world.maya.user if name == "maya" else getattr(world, name).user)
        client.force_login(user)
        return client

    return _login
