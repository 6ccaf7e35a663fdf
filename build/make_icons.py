"""Render the PNG app icons from the SVGs in assets/icons/ with Debian's Chromium (run by hand)."""

from pathlib import Path

from playwright.sync_api import sync_playwright

from browser import CHROMIUM, CHROMIUM_ARGS

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    for source, size, name in [("icon.svg", 192, "icon-192.png"), ("icon.svg", 512, "icon-512.png"),
                               ("icon-maskable.svg", 512, "icon-maskable-512.png"),
                               ("icon.svg", 180, "apple-touch-icon.png")]:
        page = browser.new_page(viewport={"width": size, "height": size})
        svg = (ICONS / source).read_text()
        page.set_content(f"<style>html,body{{margin:0;background:transparent}}svg{{width:{size}px;height:{size}px;display:block}}</style>{svg}")
        page.screenshot(path=str(ICONS / name), omit_background=True)
        page.close()
    browser.close()
