import pytest


@pytest.fixture
def demo_mode(settings):
    """The /demo/ routes always exist; they answer 404 unless DEMO_MODE is on."""
    settings.DEMO_MODE = True
