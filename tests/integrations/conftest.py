"""DeepEval reads these once, at its first import: set before any test module here imports it, they
keep it from sending telemetry, reading `.env` files and writing `.deepeval/` into the working tree."""

import os

for name, value in {"DEEPEVAL_TELEMETRY_OPT_OUT": "1", "DEEPEVAL_DISABLE_DOTENV": "1",
                    "DEEPEVAL_FILE_SYSTEM": "READ_ONLY"}.items():
    os.environ.setdefault(name, value)
