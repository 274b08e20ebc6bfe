"""Entry point of the Gradio UI: builds the services once and launches."""

import logging
import os

from assistant.ui.app_blocks import launch

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    launch(os.environ.get("QCA_HOST", "127.0.0.1"), int(os.environ.get("QCA_PORT", "7860")))
