"""A real browser for the dashboard tests: headless Chromium (Debian's `chromium`) driven over the Chrome
DevTools Protocol, so pages are loaded, forms submitted, cookies kept and screenshots taken as a person's
browser would."""
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

from conftest import wait_until


class Browser:
    def __init__(self, width=1280, height=900):
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        assert executable, "chromium is not installed (ops/setup installs it for the tests)"
        self.profile = Path(tempfile.mkdtemp(prefix="goosey-chromium-"))
        self.process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        wait_until(lambda: port_file.exists() and len(port_file.read_text().splitlines()) >= 2, timeout=60, what="chromium to start")
        port = port_file.read_text().splitlines()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.document_status = None
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message.get("result", {})
            self._event(message)

    def _event(self, message):
        self.events.append(message)
        if message.get("method") == "Network.responseReceived" and message["params"]["type"] == "Document":
            self.document_status = message["params"]["response"]["status"]

    def _wait_for_load(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(event.get("method") == "Page.loadEventFired" for event in self.events):
                self.events.clear()
                return
            self._event(json.loads(self.socket.recv()))
        raise AssertionError("the page did not finish loading")

    def open(self, url):
        """Loads `url`; returns the final HTTP status of the document (after redirects)."""
        self.events.clear()
        self.document_status = None
        self.call("Page.navigate", url=url)
        self._wait_for_load()
        return self.status()

    def submit(self, script):
        """Runs `script` (which submits a form) and waits for the page it leads to."""
        self.events.clear()
        self.document_status = None
        self.evaluate(script)
        self._wait_for_load()
        return self.status()

    def status(self):
        """The HTTP status of the document on screen (the last one of a redirect chain)."""
        return self.document_status

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def url(self):
        return self.evaluate("location.href")

    def text(self, selector):
        return self.evaluate(f"document.querySelector({json.dumps(selector)})?.innerText ?? null")

    def value(self, selector):
        """The `data-value` of the element `selector` finds, as an int (the exact figure beside the readable one)."""
        raw = self.evaluate(f"document.querySelector({json.dumps(selector)})?.dataset.value ?? null")
        assert raw is not None, f"no data-value at {selector} on {self.url()}"
        return int(raw)

    def cookies(self):
        return self.call("Network.getCookies")["cookies"]

    def screenshot(self, path):
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1})
        Path(path).write_bytes(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)
