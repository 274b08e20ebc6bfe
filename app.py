"""Composition root of the Gradio app: settings, plugins (the evals' panel), the services, launch."""

import logging

from assistant.app.ui.app_blocks import launch
from assistant.config import get_settings
from assistant.plugins import load_plugins

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    launch(get_settings(), load_plugins())
