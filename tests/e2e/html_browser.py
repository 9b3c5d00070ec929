#!/usr/bin/env python3
"""Open HTML files in one headless Chromium and say what happened, as JSON.

usage: html_browser.py WORKDIR FILE...

Starts Debian's chromium once, drives it over the DevTools protocol
(python3-websocket) and loads each FILE from disk in a tab of its own.  For
each it records, from the protocol's events:
  errors    uncaught exceptions, console.error/assert calls, and the
            browser's own error log (a Content-Security-Policy refusal, a
            failed load), each as text
  requests  every request but the page's own file: URL
  ready     the page's body[data-ready] after the load event (its script ran
            to the end)
  figures   {data-fig: data-value} of every element the page marks as a
            figure (what a person reads there, exactly)
  zoom      the heap map's caption before and after a click on its first cell
  title     the document's title
  load_ms   from the navigation to the end of the load event (the page's
            script runs before it), in milliseconds
It also opens every <details> and moves the mouse over and clicks each
canvas, so the handlers run: an exception there is an error too.

Waits are on protocol events with a deadline, never sleeps.  Prints
{"pages": [{"file": ..., ...}, ...]} on stdout.
"""
import json
import os
import select
import subprocess
import sys
import time

import websocket

DEADLINE = 120  # seconds for any one wait: a loaded machine is slow, a hung one fails


class Browser:
    def __init__(self, workdir):
        self.proc = subprocess.Popen(
            ['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
             '--no-default-browser-check', '--disable-extensions', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--metrics-recording-only',
             '--user-data-dir=' + os.path.join(workdir, 'chromium-profile'),
             '--remote-debugging-port=0', '--window-size=1280,1600', 'about:blank'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = self._devtools_url()
        self.ws = websocket.create_connection(url, timeout=DEADLINE, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def _devtools_url(self):
        """The browser's endpoint, from the line chromium prints on stderr when it listens."""
        end = time.monotonic() + DEADLINE
        buf = b''
        fd = self.proc.stderr.fileno()
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], end - time.monotonic())
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
            for line in buf.decode(errors='replace').splitlines():
                if line.startswith('DevTools listening on '):
                    return line.split(' ', 3)[3].strip()
        raise SystemExit('chromium did not start its DevTools endpoint: ' + buf.decode(errors='replace')[-500:])

    def send(self, method, params=None, session=None):
        """Sends one command and returns its result; events meanwhile are kept."""
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        self.ws.send(json.dumps(msg))
        while True:
            m = json.loads(self.ws.recv())
            if m.get('id') == self.next_id:
                if 'error' in m:
                    raise SystemExit(f'{method}: {m["error"]}')
                return m.get('result', {})
            if 'method' in m:
                self.events.append(m)

    def wait_event(self, method, session):
        for i, m in enumerate(self.events):
            if m['method'] == method and m.get('sessionId') == session:
                return self.events.pop(i)
        while True:
            m = json.loads(self.ws.recv())  # the socket's timeout is the deadline
            if 'method' not in m:
                continue
            if m['method'] == method and m.get('sessionId') == session:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.send('Browser.close')
        except Exception:
            pass
        self.ws.close()
        try:
            self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


FIGURES_JS = """JSON.stringify({
  ready: document.body.dataset.ready === '1',
  figures: Object.fromEntries([...document.querySelectorAll('[data-fig]')].map(e => [e.dataset.fig, e.dataset.value])),
  title: document.title,
  load_ms: Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd),
})"""

# Runs the handlers a person would: open every details, move over and click every canvas.
INTERACT_JS = """(() => {
  const caption = () => { const s = document.querySelector('#heap .toolbar span'); return s ? s.textContent : null; };
  const before = caption();
  document.querySelectorAll('details').forEach(d => { d.open = true; d.dispatchEvent(new Event('toggle')); });
  for (const c of document.querySelectorAll('canvas')) {
    const r = c.getBoundingClientRect();
    const at = { clientX: r.left + 2, clientY: r.top + 2, bubbles: true };
    c.dispatchEvent(new MouseEvent('mousemove', at));
    c.dispatchEvent(new WheelEvent('wheel', Object.assign({ deltaY: -100, cancelable: true }, at)));
    c.dispatchEvent(new MouseEvent('click', at));
    c.dispatchEvent(new MouseEvent('mouseleave', at));
  }
  return JSON.stringify({ before, after: caption() });
})()"""


def describe(ev):
    """The text of an error event, or None for an event that is no error."""
    m, p = ev['method'], ev.get('params', {})
    if m == 'Runtime.exceptionThrown':
        d = p['exceptionDetails']
        return 'exception: ' + (d.get('exception', {}).get('description') or d.get('text', '?'))
    if m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'assert'):
        return 'console.%s: %s' % (p['type'], ' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', [])))
    if m == 'Log.entryAdded' and p['entry'].get('level') == 'error':
        return 'log (%s): %s' % (p['entry'].get('source'), p['entry'].get('text'))
    return None


def check_page(b, path):
    url = 'file://' + os.path.abspath(path)
    target = b.send('Target.createTarget', {'url': 'about:blank'})['targetId']
    session = b.send('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
    for domain in ('Runtime', 'Log', 'Network', 'Page'):
        b.send(domain + '.enable', session=session)
    b.events = [e for e in b.events if e.get('sessionId') != session]  # about:blank's own
    b.send('Page.navigate', {'url': url}, session=session)
    b.wait_event('Page.loadEventFired', session)

    def evaluate(js):
        r = b.send('Runtime.evaluate', {'expression': js, 'returnByValue': True}, session=session)
        if 'exceptionDetails' in r:
            return {'error': r['exceptionDetails'].get('text')}
        return json.loads(r['result']['value'])

    page = evaluate(FIGURES_JS)
    page['zoom'] = evaluate(INTERACT_JS)
    evaluate('"1"')  # a round trip after the handlers: their events are in
    mine = [e for e in b.events if e.get('sessionId') == session]
    page['file'] = path
    page['errors'] = [t for t in (describe(e) for e in mine) if t]
    page['requests'] = [e['params']['request']['url'] for e in mine
                        if e['method'] == 'Network.requestWillBeSent' and e['params']['request']['url'] != url]
    b.events = [e for e in b.events if e.get('sessionId') != session]
    b.send('Target.closeTarget', {'targetId': target})
    return page


def main():
    workdir, files = sys.argv[1], sys.argv[2:]
    b = Browser(workdir)
    try:
        pages = [check_page(b, f) for f in files]
    finally:
        b.close()
    json.dump({'pages': pages}, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
