"""Run pytest in-process and leave with os._exit.

The Temporal SDK can abort at interpreter exit (temporalio/sdk-python#300) after
every test passed; ending with os._exit once output is flushed keeps the exit code
the one pytest reported.
"""

import os
import sys

import pytest

code = int(pytest.main(sys.argv[1:]))
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
