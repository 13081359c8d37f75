"""Browser tests: the real site in Debian's headless Chromium (pytest -m browser)."""
