"""leadstore_client — call a leadstore server (`leadstore serve`) from Python.

Standard library only (urllib).  The same API and retry rule as clients/js:

    from leadstore_client import Client
    ls = Client("http://127.0.0.1:8080", key)          # key from `leadstore keys`
    reply = ls.rpc("create_campaign_with_coverage_tx",
                   {"p_campaign_data": {"name": "Dentists"}, "p_request_id": "import-42"})
    if reply.error:            # a protocol error (401, 403, 404, 400, 413, 503...) or no server
        ...
    elif reply.data["success"]:
        campaign_id = reply.data["campaign_id"]

rpc() returns a Reply(data, error, status, status_text) shaped like
supabase-js's answer: `data` is the operation's result object (check
data["success"]), `error` a PostgREST error dict {code, message, details,
hint} for a protocol error, or {"code": "", "message": ...} with status 0
when the server could not be reached.

The retry rule (the same in the C engine and clients/js): a request is sent
again only when that is known to be safe --
  - the result says retry_recommended (the failure wrote nothing);
  - the server answered 503 (it did not run the call), after its Retry-After;
  - the connection could not be made (nothing was sent);
  - the connection was lost after sending, only for a read sent with
    get=True or a call that carries p_request_id (the server then replays the
    stored result instead of running it twice).
A write without p_request_id is never repeated after it may have run: the
client does not invent ids.  Waits grow from 50 ms, doubling, up to 2 s each,
with jitter (uniform in [d/2, d]); at most `attempts` tries (5) within
`max_seconds` (10).  Every try sends the same body, so the same p_request_id.
"""

import errno
import http
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import namedtuple

__all__ = ["Client", "Reply"]

Reply = namedtuple("Reply", "data error status status_text")

# errno values of a connection that was never made: nothing reached the server
_NOT_SENT = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH}


def _not_sent(exc):
    """True when a transport failure happened before the request left."""
    while exc is not None:
        if isinstance(exc, socket.gaierror):
            return True
        if isinstance(exc, OSError) and exc.errno in _NOT_SENT:
            return True
        exc = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else exc.__cause__
    return False


def _query_value(v):
    """A query-string value as supabase-js writes it (arrays as {a,b})."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "{" + ",".join(_query_value(x) for x in v) + "}"
    return str(v)


class Client:
    """A client of the leadstore server at `url`, calling with `key`.

    attempts / max_seconds bound the retries; timeout is one request's limit;
    on_try(attempt, method, url) is called before every try (logs, tests);
    opener replaces urllib's (tests inject failures with it).
    """

    FIRST_WAIT = 0.05
    LONGEST_WAIT = 2.0

    def __init__(self, url, key, attempts=5, max_seconds=10.0, timeout=300.0, on_try=None, opener=None):
        self.base = url.rstrip("/") + "/rest/v1/rpc/"
        self.key = key
        self.attempts = attempts
        self.max_seconds = max_seconds
        self.timeout = timeout
        self.on_try = on_try
        self.opener = opener or urllib.request.build_opener()

    def _wait(self, n):
        d = min(self.LONGEST_WAIT, self.FIRST_WAIT * 2 ** (n - 1))
        return d / 2 + random.random() * d / 2

    def _send(self, method, url, body):
        """One try: (status, headers, text) of an HTTP answer; raises on transport failure."""
        headers = {"apikey": self.key, "Authorization": "Bearer " + self.key, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=self.timeout) as res:
                return res.status, res.headers, res.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, e.read().decode("utf-8", "replace")

    def rpc(self, fn, params=None, get=False):
        """Calls operation `fn` with `params` (a dict); get=True sends a read as GET."""
        params = {} if params is None else params
        if get:
            query = urllib.parse.urlencode({k: _query_value(v) for k, v in params.items() if v is not None})
            method, url, body = "GET", self.base + urllib.parse.quote(fn) + ("?" + query if query else ""), None
        else:
            method, url = "POST", self.base + urllib.parse.quote(fn)
            body = json.dumps(params).encode("utf-8")
        repeatable = get or isinstance(params.get("p_request_id"), str)
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            wait = self._wait(attempt)
            if self.on_try:
                self.on_try(attempt, method, url)
            reply, again = None, False
            try:
                status, headers, text = self._send(method, url, body)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                reply = Reply(None, {"code": "", "message": "fetch failed", "details": str(reason), "hint": ""}, 0, "")
                again = _not_sent(exc) or repeatable
            else:
                reply = self._reply(status, text)
                if status == 503:
                    again = True
                    after = headers.get("Retry-After") if headers else None
                    if after and after.strip().isdigit():
                        wait = float(after)
                elif status == 200 and isinstance(reply.data, dict):
                    again = reply.data.get("success") is False and reply.data.get("retry_recommended") is True
            if not again or attempt >= self.attempts or time.monotonic() - start + wait > self.max_seconds:
                return reply
            time.sleep(wait)

    @staticmethod
    def _reply(status, text):
        """An HTTP answer read the way supabase-js reads it."""
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        if 200 <= status < 300:
            if not text:
                return Reply(None, None, status, reason)
            try:
                return Reply(json.loads(text), None, status, reason)
            except ValueError:
                return Reply(None, {"message": text}, status, reason)
        try:
            error = json.loads(text)
        except ValueError:
            error = {"message": text}
        return Reply(None, error, status, reason)

