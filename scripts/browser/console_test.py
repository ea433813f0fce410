#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by Playwright against a live `reactor serve`.

Run by ConsoleBrowserTests (swift test) when REACTOR_BROWSER_PYTHON names a Python with Playwright, or by hand:

    python3 scripts/browser/console_test.py --reactor .build/debug/reactor --screenshots .build/console-screenshots

It starts the server itself (and restarts it on the same port and data directory half way), signs in with the local
admin token, creates a to-do list from the generated form, adds items, watches a second tab update live, moves the
revision slider, provokes validation errors shown by field, reloads after the restart, opens a document with 10,000
operations, and checks what the first page load transfers. Screenshots of the main pages go to --screenshots.
Prints one JSON line of measurements at the end; exits non-zero with the failed check otherwise.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import expect, sync_playwright

TIMEOUT_MS = 15_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`reactor serve` on a fixed loopback port and data directory, started and stopped by the test."""

    def __init__(self, binary, data, port):
        self.binary, self.data, self.port, self.process = binary, data, port, None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        log = open(os.path.join(self.data, "..", f"serve-{time.time_ns()}.log"), "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("REACTOR_")}
        self.process = subprocess.Popen(
            [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--data-dir", self.data, "--json"],
            stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit(f"reactor serve exited with {self.process.wait()}")
            try:
                if json.loads(line).get("event") == "listening":
                    return
            except ValueError:
                pass
        raise SystemExit("reactor serve did not start within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")


def local_file(path, content_type):
    """A route handler answering with a file from disk (Playwright passes the request too when a handler takes it)."""
    def handler(route):
        route.fulfill(path=path, content_type=content_type)
    return handler


def local_assets(context, directory):
    """While editing the console: its files come from `directory` instead of the binary (no rebuild per change)."""
    if not directory:
        return
    types = {"js": "text/javascript", "css": "text/css", "html": "text/html"}
    for name, pattern in [("console.js", "**/console/console.js"), ("console.css", "**/console/console.css"), ("console.html", "**/console")]:
        context.route(pattern, local_file(os.path.join(directory, name), types[name.rsplit(".", 1)[1]]))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reactor", required=True, help="the reactor binary")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--screenshots", default=None, help="where to write the screenshots")
    parser.add_argument("--large-operations", type=int, default=10_000)
    parser.add_argument("--assets", default=None,
                        help="while editing the console: serve console.js/css/html from this directory instead of the binary's")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="reactor-console-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    shots = args.screenshots
    if shots:
        os.makedirs(shots, exist_ok=True)
    server = Server(args.reactor, data, free_port())
    server.start()
    measurements = {}

    def shot(page, name):
        if shots:
            page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)

    page = None
    try:
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.set_default_timeout(TIMEOUT_MS)
                local_assets(context, args.assets)
                page = context.new_page()
                console_errors = []
                page.on("pageerror", lambda error: console_errors.append(str(error)))

                # What the first load transfers: the page, its script and its style sheet (no CDN, nothing else).
                transferred = {}
                page.on("response", lambda r: transferred.__setitem__(r.url, len(r.body()))
                        if r.request.resource_type in ("document", "script", "stylesheet") and r.status < 300 else None)
                page.goto(server.base + "/")
                expect(page).to_have_url(server.base + "/console")
                expect(page.locator("h1")).to_have_text("Overview")
                total = sum(transferred.values())
                measurements["first_load_bytes"] = total
                check(total <= 200_000, f"the first load transferred {total} bytes (limit 200 KB)")
                check(all(url.startswith(server.base) for url in transferred), f"everything comes from the server: {list(transferred)}")

                # Sign in with the local admin token.
                token = open(os.path.join(data, "admin.token")).read().strip()
                page.click("#account")
                page.fill("#token", token)
                page.click("text=Sign in with the token")
                expect(page.locator("h1")).to_have_text("Overview")
                expect(page.locator("#account")).to_have_text("Signed in")
                shot(page, "overview")

                # Create a to-do list from the form; a bad slug is shown beside the slug field.
                page.click("text=Create a document")
                page.select_option("#new-type", "reactor/todo-list")
                page.fill("#new-name", "Groceries")
                page.fill("#new-slug", "not a slug!")
                page.click("button:has-text('Create')")
                expect(page.locator("#new-slug-error")).not_to_be_empty()
                check(page.get_attribute("#new-slug", "aria-invalid") == "true", "the slug field is marked invalid")
                shot(page, "create-validation-error")
                page.fill("#new-slug", "groceries")
                page.click("button:has-text('Create')")
                expect(page.locator("h1")).to_have_text("Groceries")
                document_url = page.url

                def dispatch(target, action, fields):
                    target.select_option("#action-type", action)
                    for name, value in fields.items():
                        target.fill(f"#f-input-{name}", value)
                    target.click("#action-form button[type=submit]")

                # Add an item from the generated ADD_TODO form.
                dispatch(page, "ADD_TODO", {"id": "t1", "text": "milk"})
                expect(page.locator("#state")).to_contain_text('"milk"')

                # A second tab on the same document follows it live.
                second = context.new_page()
                second.on("pageerror", lambda error: console_errors.append(str(error)))
                second.goto(document_url)
                expect(second.locator("#live")).to_have_text("live")
                expect(second.locator("#state")).to_contain_text('"milk"')
                dispatch(page, "ADD_TODO", {"id": "t2", "text": "bread"})
                expect(second.locator("#state")).to_contain_text('"bread"')

                # A missing required field is the server's validation error, shown beside that field.
                page.select_option("#action-type", "ADD_TODO")
                page.fill("#f-input-text", "eggs")
                page.click("#action-form button[type=submit]")
                expect(page.locator("#f-input-id-error")).not_to_be_empty()
                shot(page, "action-validation-error")

                # The revision slider (by keyboard): one step back shows the list before "bread".
                page.focus("#revision")
                page.keyboard.press("ArrowLeft")
                expect(page.locator("#revision-label")).to_have_text("revision 1 of 2")
                expect(page.locator("#state-label")).to_contain_text("as of revision 1")
                expect(page.locator("#state")).to_contain_text('"milk"')
                expect(page.locator("#state")).not_to_contain_text('"bread"')
                shot(page, "document-time-travel")
                page.keyboard.press("ArrowRight")
                expect(page.locator("#state")).to_contain_text('"bread"')
                # What one operation changed: the JSON Patch of the second ADD_TODO.
                page.locator("#ops-h + div table tbody tr", has_text='"bread"').locator("button", has_text="changes").click()
                expect(page.locator("#changes")).to_contain_text("/items/1")
                shot(page, "document")

                # A restart of the server: the live tab reconnects, a change made afterwards reaches it, a reload works.
                server.stop()
                expect(second.locator("#live")).to_have_text("reconnecting…")
                server.start()
                expect(second.locator("#live")).to_have_text("live", timeout=30_000)
                server.call("POST", "/reactor/v1/documents/groceries/actions?wait=true",
                            {"actions": [{"id": "after-restart", "type": "ADD_TODO", "input": {"id": "t3", "text": "butter"}}]})
                expect(second.locator("#state")).to_contain_text('"butter"')
                page.reload()
                expect(page.locator("h1")).to_have_text("Groceries")
                expect(page.locator("#state")).to_contain_text('"butter"')

                # The other pages render.
                for route, heading, name in [("#/documents", "Documents", "documents"), ("#/models", "Models", "models"),
                                             ("#/jobs", "Jobs", "jobs"), ("#/sync", "Sync", "sync"), ("#/vault", "Vault", "vault"),
                                             ("#/functions", "Functions", "functions"), ("#/metrics", "Metrics", "metrics")]:
                    page.goto(server.base + "/console" + route)
                    expect(page.locator("h1")).to_have_text(heading)
                    page.wait_for_load_state("networkidle")
                    shot(page, name)
                page.goto(server.base + "/console#/jobs")
                expect(page.locator("table")).to_contain_text("READ_READY")
                page.goto(server.base + "/console#/models")
                expect(page.locator("main")).to_contain_text("ADD_TODO")

                # Phone width: the document page still shows its state and the form (no horizontal page scroll).
                phone = browser.new_context(viewport={"width": 375, "height": 800})
                phone.set_default_timeout(TIMEOUT_MS)
                local_assets(phone, args.assets)
                small = phone.new_page()
                small.goto(document_url)
                expect(small.locator("#state")).to_contain_text('"butter"')
                width = small.evaluate("document.documentElement.scrollWidth")
                check(width <= 380, f"the page is {width} px wide at a 375 px viewport")
                shot(small, "document-phone")
                phone.close()

                # A document with many operations opens at once: the log is paged, the state tree built lazily.
                n = args.large_operations
                server.call("POST", "/reactor/v1/documents?wait=true", {"documentType": "reactor/todo-list", "slug": "long", "name": "Long"})
                batch = 500
                for start in range(0, n, batch):
                    actions = [{"id": f"a{i}", "type": "SET_TITLE", "input": {"title": f"title {i}"}} for i in range(start, min(n, start + batch))]
                    server.call("POST", "/reactor/v1/documents/long/actions?wait=true", {"actions": actions})
                # The baseline in the same run: the 3-operation list, opened the same way.
                page.goto(server.base + "/console#/models")
                expect(page.locator("h1")).to_have_text("Models")
                started = time.time()
                page.goto(server.base + "/console#/doc/groceries")
                expect(page.locator("#state")).to_contain_text('"butter"')
                expect(page.locator("#ops-h + div table tbody tr")).to_have_count(3)
                measurements["small_document_ms"] = round((time.time() - started) * 1000)
                started = time.time()
                page.goto(server.base + "/console#/doc/long")
                expect(page.locator("#state")).to_contain_text(f'"title {n - 1}"')
                expect(page.locator("#ops-h + div table tbody tr")).to_have_count(50)
                measurements["large_document_ms"] = round((time.time() - started) * 1000)
                page.focus("#revision")
                page.keyboard.press("Home")
                expect(page.locator("#state-label")).to_contain_text("as of revision 0")
                started = time.time()
                page.keyboard.press("End")
                expect(page.locator("#state-label")).to_contain_text(f"latest (revision {n})")
                page.keyboard.press("ArrowLeft")
                expect(page.locator("#state-label")).to_contain_text(f"as of revision {n - 1}")
                measurements["time_travel_step_ms"] = round((time.time() - started) * 1000)
                shot(page, "large-document")

                check(not console_errors, f"the page threw: {console_errors}")
                browser.close()
            except Exception:
                if page is not None and not page.is_closed():
                    print("the page showed:", page.inner_text("main")[:2000], file=sys.stderr)
                    shot(page, "failure")
                raise
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"ok": True, **measurements}))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
