import pytest

from modules.helpers import make_ctx


@pytest.fixture
def ctx():
    return make_ctx()
