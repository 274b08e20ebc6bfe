"""The Gradio UI: the only package besides app.py that imports gradio; callbacks call into assistant/."""
