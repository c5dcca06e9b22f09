"""The DeepEval suite runs under `deepeval test run tests/deepeval/test_deepeval_rules.py`.

DeepEval must be told before its first import to send no telemetry, read no `.env` and write no
files (`deepeval test run` imports it before this file: its environment needs the same variables;
tests/integrations/test_deepeval.py runs it so). The normal `pytest` run does not collect this
folder itself: that test runs it through `deepeval test run`, which is how users run it.
"""

import os

for name, value in {"DEEPEVAL_TELEMETRY_OPT_OUT": "1", "DEEPEVAL_DISABLE_DOTENV": "1",
                    "DEEPEVAL_FILE_SYSTEM": "READ_ONLY"}.items():
    os.environ.setdefault(name, value)


def pytest_ignore_collect(collection_path, config):
    # Named on the command line (as `deepeval test run` does) it always runs; found by walking
    # tests/ it runs only when DeepEval's plugin is active.
    if collection_path.name == "test_deepeval_rules.py" and not config.pluginmanager.has_plugin("deepeval"):
        return True
    return None
