"""The standalone HTML page in headless Chromium: it renders, its math is MathML, and it
asks the network for nothing (checked in the file, and by watching a proxy while the
browser loads it). Skips when Chromium is absent; CI installs it."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from figures import missing_figures

import derive

#: hosts Chromium itself talks to (updates, time, accounts), whatever page it shows
BROWSER_SERVICES = re.compile(r"(^|\.)(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)$")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("Chromium is not installed")


def browse(page: Path, profile: Path, *options: str) -> subprocess.CompletedProcess:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *options,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


class Proxy:
    """A proxy that answers nothing and remembers the host of every request sent to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.hosts: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    request = connection.recv(4096).decode("latin-1")
                except OSError:
                    continue
                match = re.search(r"^\S+ (?:\w+://)?([^/:\s]+)", request)
                self.hosts.append(match[1] if match else "?")

    def page_requests(self) -> list[str]:
        self.server.close()
        return [host for host in self.hosts if not BROWSER_SERVICES.search(host)]


def requests_made(page: Path, profile: Path) -> list[str]:
    proxy = Proxy()
    browse(
        page,
        profile,
        f"--proxy-server=127.0.0.1:{proxy.port}",
        "--proxy-bypass-list=<-loopback>",
        "--dump-dom",
    )
    return proxy.page_requests()


@pytest.fixture(scope="module", params=["mazur", "russo"])
def page(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    path = folder / f"{request.param}.html"
    path.write_text(derive.explain(request.param).render("html"), "utf-8")
    return request.param, path


def test_the_page_renders_with_mathml_and_the_network(page, tmp_path):
    name, path = page
    shot = tmp_path / "page.png"
    done = browse(path, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,2000")
    assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
    dom = browse(path, tmp_path / "profile", "--dump-dom").stdout
    assert dom.count("<math") > 100 and "<svg" in dom and "<mfrac>" in dom
    assert not missing_figures(re.sub(r"<[^>]+>", " ", dom), name)


def test_the_page_fits_a_phone(page, tmp_path):
    """At phone width (Chromium's narrowest window) only equations, tables and the drawing,
    which scroll sideways on their own, may be wider than the screen — never the page."""
    _, path = page
    probe = tmp_path / "probe.html"
    script = (
        "<script>const w = document.documentElement.clientWidth; const wide = [];"
        "for (const e of document.querySelectorAll('main *')) {"
        " const scrolls = e.closest('.eq, .ieq, .table-wrap, .figure');"
        " if (e.getBoundingClientRect().right > w + 1 && !scrolls) wide.push(e.tagName); }"
        "document.body.dataset.wide = wide.length;</script></body>"
    )
    probe.write_text(path.read_text("utf-8").replace("</body>", script), "utf-8")
    dom = browse(probe, tmp_path / "profile", "--window-size=390,800", "--dump-dom").stdout
    assert 'data-wide="0"' in dom


def test_the_file_refers_to_nothing_outside_itself(page):
    _, path = page
    html = path.read_text("utf-8")
    # links only within the page (the table of contents, the skip link)
    assert not re.search(r'https?://|\bsrc=|\bhref="(?!#)|url\(|@import|<link|<script', html)


def test_loading_the_page_makes_no_network_request(page, tmp_path):
    _, path = page
    assert requests_made(path, tmp_path / "profile") == []


def test_the_network_watch_would_see_a_request(tmp_path):
    """The control for the test above: a page with a remote image is caught."""
    chromium()
    page = tmp_path / "remote.html"
    page.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png">', "utf-8")
    assert "example.invalid" in requests_made(page, tmp_path / "profile")


def test_the_page_is_navigable_by_keyboard(page):
    """A skip link to the table of contents, whose links reach every section, and every
    display that may scroll sideways on a phone focusable, with a visible focus ring and
    a shadow at the edge where it scrolls."""
    _, path = page
    html = path.read_text("utf-8")
    assert html.index('<a class="skip" href="#contents">') < html.index("<main")
    sections = re.findall(r'<li><a href="#([\w-]+)">\d+\. ', html)
    assert sections[:6] == ["network", "forward", "error", "backward", "summary", "again"]
    # the subsections of the backward pass are listed under it, numbered 4.1, 4.2, …
    subsections = re.findall(r'<li><a href="#([\w-]+)">4\.(\d+) ', html)
    assert [int(n) for _, n in subsections] == list(range(1, len(subsections) + 1))
    assert subsections[0][0] == "identities"
    targets = re.findall(r'<a href="#([\w-]+)">', html)
    for target in targets:
        assert f'id="{target}"' in html
    scrolling = re.findall(r'<div class="eq[^"]*" tabindex="0" role="group"', html)
    assert scrolling and len(scrolling) < html.count('<div class="eq')
    assert ":focus-visible" in html and "no-repeat local" in html
