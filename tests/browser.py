"""Debian's Chromium driven by Playwright at a phone viewport (no browser download)."""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["PHONE", "chromium"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 "
        "MicroMessenger/8.0.43.2480 WeChat"
    ),
}


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
