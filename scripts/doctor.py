"""Says which Python, Dutch language pipeline and model this machine uses."""
import argparse
import glob
import os
import sys

sys.path.insert(0, os.getcwd())
from actions.lib.dutch_nlp import pipeline_info  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipeline-only", action="store_true")
    args = parser.parse_args()
    info = pipeline_info()
    print(f"Dutch language pipeline: {info.description}")
    if args.pipeline_only:
        return
    print(f"Pipeline id (stored in the model): {info.pipeline_id}")
    print(f"Python: {sys.version.split()[0]} ({sys.executable})")
    models = sorted(glob.glob("models/*.tar.gz"), key=os.path.getmtime)
    print(f"Latest model: {models[-1] if models else 'none (make train)'}")
    print(f"Telemetry: {'off' if os.environ.get('RASA_TELEMETRY_ENABLED') == 'false' else 'NOT disabled'}")


if __name__ == "__main__":
    main()
