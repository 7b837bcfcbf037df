/*
 * t_token.c — unit tests of the keys (src/token.c): minted tokens verify
 * and carry the caller; everything else is refused — a tampered signature,
 * another secret, alg none / HS512 / RS256, expiry and nbf (with the
 * leeway), bad base64, missing or unknown roles, authenticated without an
 * organization.  Hostile tokens are crafted here with OpenSSL directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"

static const char *SECRET = "a-test-secret-of-reasonable-length-0123456789";
static const char *ORG = "6f1c2b9e-4d3a-4c1b-9a8e-2f7d6c5b4a39";

/* A token with this header and claims, HMAC-signed with `digest` under secret, or with `sig`. */
static char *craft(const char *header, const char *claims, const char *digest, const char *secret, const char *sig) {
  return ts_jwt(header, claims, digest, secret, sig);
}

/* Verifies tok at `now`; the status; *role the role on success. */
static int verify(const char *tok, long long now, leadstore_caller *who, char org[37], char **why) {
  return leadstore_token_verify(SECRET, tok, now, who, org, why);
}

/* True when tok is refused, with a reason, and leaves an anon caller. */
static int refused(const char *tok, long long now, const char *what) {
  leadstore_caller who;
  char org[37];
  char *why = NULL;
  int rc = verify(tok, now, &who, org, &why);
  int ok = rc != LEADSTORE_OK && why && *why && who.role == LEADSTORE_ROLE_ANON && who.organization_id == NULL;
  tap_ok(ok, "refused: %s (%s)", what, why ? why : "no reason");
  leadstore_free(why);
  return ok;
}

static const char *HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static void round_trips(void) {
  char *tok = NULL;
  leadstore_caller who;
  char org[37];
  char *why = NULL;
  OK(leadstore_token_mint(SECRET, &ts_service, 3600, &tok) == LEADSTORE_OK && tok, "mint service_role");
  OK(tok && !strchr(tok, '=') && !strchr(tok, '+') && !strchr(tok, '/'), "base64url, no padding");
  OK(verify(tok, 0, &who, org, &why) == LEADSTORE_OK && who.role == LEADSTORE_ROLE_SERVICE && !who.organization_id,
     "service_role verifies (%s)", why ? why : "ok");
  leadstore_free(why);
  why = NULL;
  /* tamper with one character of the signature, then of the claims */
  size_t n = strlen(tok);
  tok[n - 2] = tok[n - 2] == 'A' ? 'B' : 'A';
  refused(tok, 0, "a tampered signature");
  tok[n - 2] = tok[n - 2] == 'A' ? 'B' : 'A';
  char *dot = strchr(tok, '.');
  dot[3] = dot[3] == 'x' ? 'y' : 'x';
  refused(tok, 0, "tampered claims");
  leadstore_free(tok);

  leadstore_caller member = ts_member(ORG);
  OK(leadstore_token_mint(SECRET, &member, 0, &tok) == LEADSTORE_OK, "mint authenticated without expiry");
  OK(verify(tok, 0, &who, org, &why) == LEADSTORE_OK && who.role == LEADSTORE_ROLE_AUTHENTICATED &&
         who.organization_id == org && !strcmp(org, ORG),
     "authenticated verifies with its organization (%s)", org);
  OK(leadstore_token_verify("another-secret", tok, 0, &who, org, &why) != LEADSTORE_OK, "another secret refuses it");
  leadstore_free(why);
  leadstore_free(tok);
  why = NULL;

  leadstore_caller anon = {LEADSTORE_ROLE_ANON, NULL};
  OK(leadstore_token_mint(SECRET, &anon, 60, &tok) == LEADSTORE_OK, "mint anon");
  OK(verify(tok, 0, &who, org, &why) == LEADSTORE_OK && who.role == LEADSTORE_ROLE_ANON, "anon verifies as anon");
  leadstore_free(tok);

  leadstore_caller bad = {LEADSTORE_ROLE_AUTHENTICATED, "not-a-uuid"};
  OK(leadstore_token_mint(SECRET, &bad, 60, &tok) == LEADSTORE_EUUID && !tok, "no token for a malformed organization");
  OK(leadstore_token_mint("", &ts_service, 60, &tok) == LEADSTORE_EINVAL && !tok, "no token without a secret");
  OK(leadstore_token_mint(SECRET, &ts_service, -1, &tok) == LEADSTORE_EINVAL && !tok, "no token for a negative ttl");
}

static void expiry(void) {
  char *tok = NULL;
  OK(leadstore_token_mint(SECRET, &ts_service, 100, &tok) == LEADSTORE_OK, "mint with 100 s to live");
  long long now = (long long)time(NULL);
  leadstore_caller who;
  char org[37];
  char *why = NULL;
  OK(verify(tok, now + 120, &who, org, &why) == LEADSTORE_OK, "still accepted within the 30 s leeway");
  refused(tok, now + 200, "expired");
  leadstore_free(tok);
  char claims[200];
  snprintf(claims, sizeof claims, "{\"role\":\"service_role\",\"nbf\":%lld}", now + 3600);
  tok = craft(HS256, claims, "sha256", SECRET, NULL);
  refused(tok, now, "nbf an hour ahead");
  OK(verify(tok, now + 3600, &who, org, &why) == LEADSTORE_OK, "the same token is good once nbf is reached");
  free(tok);
  snprintf(claims, sizeof claims, "{\"role\":\"service_role\",\"exp\":\"tomorrow\"}");
  tok = craft(HS256, claims, "sha256", SECRET, NULL);
  refused(tok, now, "exp not a number");
  free(tok);
  snprintf(claims, sizeof claims, "{\"role\":\"service_role\",\"iat\":%lld}", now + 3600);
  tok = craft(HS256, claims, "sha256", SECRET, NULL);
  refused(tok, now, "issued an hour in the future");
  free(tok);
  /* found by fuzz/token.c: dates past the range of a 64-bit integer, as reals and as integers
   * (undefined conversions and overflowing arithmetic before; UBSan in build-asan proves it) */
  tok = craft(HS256, "{\"role\":\"anon\",\"exp\":1767267e255,\"iat\":1700}", "sha256", SECRET, NULL);
  OK(verify(tok, now, &who, org, &why) == LEADSTORE_OK && who.role == LEADSTORE_ROLE_ANON,
     "an exp of 1.7e264 is far in the future: accepted");
  free(tok);
  tok = craft(HS256, "{\"role\":\"anon\",\"exp\":-1e300}", "sha256", SECRET, NULL);
  refused(tok, now, "an exp of -1e300 is long past");
  free(tok);
  tok = craft(HS256, "{\"role\":\"anon\",\"exp\":9223372036854775807,\"nbf\":-9223372036854775807}", "sha256",
              SECRET, NULL);
  OK(verify(tok, now, &who, org, &why) == LEADSTORE_OK, "exp and nbf at the ends of a 64-bit integer: accepted");
  OK(verify(tok, 9223372036854775807LL, &who, org, &why) == LEADSTORE_OK, "and also at the last representable now");
  free(tok);
  tok = craft(HS256, "{\"role\":\"anon\",\"nbf\":1e300}", "sha256", SECRET, NULL);
  refused(tok, now, "an nbf of 1e300 is never reached");
  free(tok);
}

/* Hand-made tokens that must all be refused: header, claims, digest, forced signature, what. */
static const struct {
  const char *header, *claims, *digest, *sig, *what;
} hostile[] = {
    {"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha256", "", "alg none, empty signature"},
    {"{\"alg\":\"none\"}", "{\"role\":\"service_role\"}", "sha256", NULL, "alg none with a valid HS256 signature"},
    {"{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha512", NULL, "alg HS512"},
    {"{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha256", NULL,
     "alg RS256 signed with the secret as an HMAC key"},
    {"{\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha256", NULL, "no alg"},
    {"{\"alg\":\"HS256\",\"crit\":[\"x\"]}", "{\"role\":\"service_role\"}", "sha256", NULL, "a critical extension"},
    {"{\"alg\":\"HS256\"}", "not json", "sha256", NULL, "claims that are not JSON"},
    {"{\"alg\":\"HS256\"}", "[1,2]", "sha256", NULL, "claims that are not an object"},
    {"{\"alg\":\"HS256\"}", "{\"sub\":\"x\"}", "sha256", NULL, "no role claim"},
    {"{\"alg\":\"HS256\"}", "{\"role\":\"postgres\"}", "sha256", NULL, "an unknown role"},
    {"{\"alg\":\"HS256\"}", "{\"role\":\"authenticated\"}", "sha256", NULL, "authenticated without organization_id"},
    {"{\"alg\":\"HS256\"}", "{\"role\":\"authenticated\",\"organization_id\":\"1234\"}", "sha256", NULL,
     "authenticated with a malformed organization_id"},
    {"{\"alg\":\"HS256\"}", "{\"role\":\"authenticated\",\"organization_id\":42}", "sha256", NULL,
     "authenticated with a numeric organization_id"},
};

static void algorithms_and_claims(void) {
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    char *tok = craft(hostile[i].header, hostile[i].claims, hostile[i].digest, SECRET, hostile[i].sig);
    refused(tok, 0, hostile[i].what);
    free(tok);
  }
  char *tok = craft(HS256, "{\"role\":\"service_role\"}", "sha256", SECRET, NULL);
  leadstore_caller who;
  char org[37];
  OK(verify(tok, 0, &who, org, NULL) == LEADSTORE_OK && who.role == LEADSTORE_ROLE_SERVICE,
     "a token crafted by another HS256 implementation verifies");
  free(tok);
}

static void malformed(void) {
  refused("", 0, "empty");
  refused("abc", 0, "one part");
  refused("a.b", 0, "two parts");
  refused("a.b.c.d", 0, "four parts");
  char *tok = craft(HS256, "{\"role\":\"service_role\"}", "sha256", SECRET, NULL);
  char *bad = NULL;
  if (asprintf(&bad, "%s", tok) < 0) abort();
  bad[2] = '*';
  refused(bad, 0, "a character outside base64url in the header");
  free(bad);
  if (asprintf(&bad, "%s=", tok) < 0) abort();
  refused(bad, 0, "padding after the signature");
  free(bad);
  free(tok);
  char *huge = malloc(10000);
  memset(huge, 'A', 9999);
  huge[9999] = '\0';
  refused(huge, 0, "a token longer than the limit");
  free(huge);
  leadstore_caller who;
  char org[37];
  OK(leadstore_token_verify("", "a.b.c", 0, &who, org, NULL) != LEADSTORE_OK, "no secret: refused");
}

int main(void) {
  round_trips();
  expiry();
  algorithms_and_claims();
  malformed();
  return tap_done();
}
