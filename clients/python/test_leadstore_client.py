"""End-to-end test of leadstore_client against a running `leadstore serve`.

Every operation, failure results, protocol errors, organizations and the retry
rule.  The server and its keys come from the environment (tests/t_clients.sh
starts a server per engine and mints the keys with `leadstore keys`):
LEADSTORE_URL, LEADSTORE_SERVICE_KEY, LEADSTORE_ORG_A_KEY, LEADSTORE_ORG_B_KEY,
LEADSTORE_ANON_KEY, LEADSTORE_ORG_A.
"""

import errno
import io
import json
import os
import socket
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from leadstore_client import Client  # noqa: E402

URL = os.environ.get("LEADSTORE_URL", "")
ENV = os.environ.get
NOBODY = "00000000-0000-4000-8000-000000000000"


def client(key_var="LEADSTORE_SERVICE_KEY", **kw):
    return Client(URL, ENV(key_var), **kw)


class Scripted:
    """An opener that answers from a script (one entry per try) and records the bodies."""

    def __init__(self, script):
        self.script, self.bodies = script, []
        self.real = urllib.request.build_opener()

    def open(self, req, timeout=None):
        self.bodies.append(req.data)
        step = self.script[min(len(self.bodies) - 1, len(self.script) - 1)]
        if step == "real":
            return self.real.open(req, timeout=timeout)
        if isinstance(step, BaseException):
            raise step
        status, body = step
        hdrs = {"Content-Type": "application/json", "Retry-After": "0"}
        raise urllib.error.HTTPError(req.full_url, status, "scripted", hdrs, io.BytesIO(body.encode()))


BUSY = (503, '{"code":"PGRST000","message":"busy","details":null,"hint":null}')
RESET = urllib.error.URLError(ConnectionResetError(errno.ECONNRESET, "reset by peer"))
REFUSED = urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))


@unittest.skipUnless(URL, "LEADSTORE_URL is not set (tests/t_clients.sh sets it)")
class EndToEnd(unittest.TestCase):
    def ok(self, reply):
        self.assertIsNone(reply.error, reply)
        self.assertEqual(reply.status, 200)
        self.assertTrue(reply.data["success"], reply.data)
        return reply.data

    def result(self, reply):
        self.assertIsNone(reply.error, reply)
        self.assertEqual(reply.status, 200)
        return reply.data

    def protocol_error(self, reply, status):
        self.assertIsNone(reply.data)
        self.assertEqual(reply.status, status, reply)
        for k in ("code", "message", "details", "hint"):
            self.assertIn(k, reply.error)
        self.assertTrue(reply.error["message"])

    def test_every_operation(self):
        ls = client()
        params = {"p_campaign_data": {"name": "Python lifecycle"}, "p_coverage_data": [{"zip_code": "20001"}],
                  "p_request_id": "py-create-1"}
        created = self.ok(ls.rpc("create_campaign_with_coverage_tx", params))
        cid = created["campaign_id"]
        self.assertTrue(self.ok(ls.rpc("create_campaign_with_coverage_tx", params))["replayed"])
        self.assertTrue(self.ok(ls.rpc("is_valid_status_transition", {"p_current": "draft", "p_new": "running"}, get=True))["valid"])
        self.ok(ls.rpc("update_campaign_status_tx", {"p_campaign_id": cid, "p_new_status": "running"}))
        self.ok(ls.rpc("update_coverage_status_tx", {"p_campaign_id": cid, "p_zip_code": "20001",
                                                     "p_results": {"businesses_found": 1}}))
        batch = self.ok(ls.rpc("batch_upsert_businesses_tx", {"p_campaign_id": cid, "p_zip_code": "20001",
                                                               "p_businesses": [{"place_id": "py-1", "name": "Oak Dental"},
                                                                                {"place_id": "py-2", "name": "Ash Dental"}]}))
        b1, b2 = (r["business_id"] for r in batch["results"])
        fb = self.ok(ls.rpc("save_facebook_enrichment_tx", {"p_business_id": b1,
                                                            "p_enrichment_data": {"emails": ["a@oak.example"], "success": True}}))
        self.assertEqual(fb["email_source"], "facebook")
        li = self.ok(ls.rpc("save_linkedin_enrichment_tx", {"p_business_id": b2,
                                                            "p_enrichment_data": {"emails_found": ["b@ash.example"]}}))
        self.assertEqual(li["email_source"], "linkedin")
        self.ok(ls.rpc("update_email_verification_tx", {"p_source": "facebook", "p_target_id": fb["enrichment_id"],
                                                        "p_verification_data": {"email": "a@oak.example", "status": "deliverable"}}))
        cost = {"p_campaign_id": cid, "p_service": "bouncer", "p_cost_data": {"cost_usd": 0.004}, "p_request_id": "py-cost"}
        self.assertEqual(self.ok(ls.rpc("track_api_cost_tx", cost))["service_cost"], 0.004)
        self.assertTrue(self.ok(ls.rpc("track_api_cost_tx", cost))["replayed"])
        self.assertEqual(self.ok(ls.rpc("update_campaign_statistics_tx", {"p_campaign_id": cid}))["statistics"]["total_businesses"], 2)
        for get in (False, True):
            self.assertEqual(self.ok(ls.rpc("get_campaign", {"p_campaign_id": cid}, get=get))["campaign"]["actual_cost"], 0.004)
            self.assertGreaterEqual(self.ok(ls.rpc("list_campaigns", {"p_status": "running", "p_limit": 5}, get=get))["total"], 1)
            todo = self.ok(ls.rpc("get_businesses_for_enrichment", {"p_campaign_id": cid, "p_enrichment_type": "linkedin"}, get=get))
            self.assertIsInstance(todo["total"], int)

    def test_failure_results(self):
        ls = client()
        cid = self.ok(ls.rpc("create_campaign_with_coverage_tx", {"p_campaign_data": {"name": "Refused"}}))["campaign_id"]
        refused = self.result(ls.rpc("update_campaign_status_tx", {"p_campaign_id": cid, "p_new_status": "completed"}))
        self.assertEqual((refused["success"], refused["error_code"], refused["retry_recommended"]), (False, "P0001", False))
        self.assertEqual(self.result(ls.rpc("get_campaign", {"p_campaign_id": NOBODY}))["error_code"], "P0002")
        self.assertEqual(self.result(ls.rpc("get_campaign", {"p_campaign_id": "nope"}, get=True))["error_code"], "22P02")

    def test_protocol_errors(self):
        forged = Client(URL, "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl")
        self.protocol_error(forged.rpc("list_campaigns"), 401)
        self.protocol_error(client("LEADSTORE_ANON_KEY").rpc("list_campaigns"), 403)
        self.protocol_error(client().rpc("no_such_operation"), 404)
        req = urllib.request.Request(URL + "/rest/v1/rpc/list_campaigns", data=b'{"p_limit":', method="POST",
                                     headers={"apikey": ENV("LEADSTORE_SERVICE_KEY"), "Content-Type": "application/json"})
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        self.assertEqual(e.exception.code, 400)
        self.protocol_error(Client._reply(400, e.exception.read().decode()), 400)

    def test_organizations(self):
        a, b = client("LEADSTORE_ORG_A_KEY"), client("LEADSTORE_ORG_B_KEY")
        cid = self.ok(a.rpc("create_campaign_with_coverage_tx", {"p_campaign_data": {"name": "Org A"}}))["campaign_id"]
        self.assertEqual(self.ok(a.rpc("get_campaign", {"p_campaign_id": cid}))["campaign"]["organization_id"], ENV("LEADSTORE_ORG_A"))
        self.assertEqual(self.result(b.rpc("get_campaign", {"p_campaign_id": cid}))["error_code"], "P0002")
        self.assertEqual(self.result(b.rpc("update_campaign_status_tx", {"p_campaign_id": cid, "p_new_status": "running"}))["error_code"], "P0002")

    def test_retry_503_same_request_id(self):
        s = Scripted([BUSY, BUSY, "real"])
        ls = client(opener=s, attempts=4)
        params = {"p_campaign_data": {"name": "Retried"}, "p_request_id": "py-retry-1"}
        cid = self.ok(ls.rpc("create_campaign_with_coverage_tx", params))["campaign_id"]
        self.assertEqual(len(s.bodies), 3)
        self.assertEqual(len(set(s.bodies)), 1)
        replay = self.ok(client().rpc("create_campaign_with_coverage_tx", params))
        self.assertEqual((replay["replayed"], replay["campaign_id"]), (True, cid))

    def test_retry_lost_connection(self):
        without = Scripted([RESET, "real"])
        lost = client(opener=without).rpc("create_campaign_with_coverage_tx", {"p_campaign_data": {"name": "No id"}})
        self.assertEqual((len(without.bodies), lost.status, lost.data), (1, 0, None))
        with_id = Scripted([RESET, "real"])
        self.ok(client(opener=with_id).rpc("create_campaign_with_coverage_tx",
                                           {"p_campaign_data": {"name": "Id"}, "p_request_id": "py-lost"}))
        self.assertEqual(len(with_id.bodies), 2)
        read = Scripted([RESET, "real"])
        self.ok(client(opener=read).rpc("list_campaigns", {"p_limit": 1}, get=True))
        self.assertEqual(len(read.bodies), 2)
        never = Scripted([REFUSED, "real"])
        self.ok(client(opener=never).rpc("create_campaign_with_coverage_tx", {"p_campaign_data": {"name": "Never sent"}}))
        self.assertEqual(len(never.bodies), 2)

    def test_retry_bounded(self):
        s = Scripted([BUSY])
        reply = client(opener=s, attempts=3).rpc("list_campaigns")
        self.assertEqual((len(s.bodies), reply.status), (3, 503))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        tries = []
        gone = Client("http://127.0.0.1:%d" % port, "k", attempts=3, on_try=lambda *a: tries.append(a))
        reply = gone.rpc("list_campaigns")
        self.assertEqual((len(tries), reply.status, reply.data), (3, 0, None))


if __name__ == "__main__":
    unittest.main(verbosity=2)
