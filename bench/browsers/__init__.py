"""End-to-end start spread in real headless Chromium pages with skewed clocks."""
