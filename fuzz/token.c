/*
 * token.c — libFuzzer harness: JSON Web Token parsing and verification
 * (leadstore_token_verify, src/token.c).
 *
 * Byte 0 of an input picks the shape, the rest is the material:
 *   even  the rest is the token, as a client would send it (mostly refused
 *         at the signature: this exercises the splitting and base64url);
 *   odd   the rest is "HEADER" 0xFF "CLAIMS": the harness base64url-encodes
 *         both and signs them with the secret, so that the header and claims
 *         parsers (alg, role, organization_id, exp/nbf/iat) get any bytes
 *         behind a valid signature.
 * Assertions (abort() = a finding): a verified token yields one of the three
 * roles, an authenticated caller with a 36-character organization id whose
 * pointer is org_out; a refused token yields anon and a reason; and a
 * verified caller minted again verifies again to the same caller.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "leadstore.h"

#define SECRET "fuzz-secret-fuzz-secret-fuzz-secret-0123"
enum { NOW = 1767225600 };

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz/token: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* base64url without padding of n bytes, appended at out (room: 4n/3 + 4). */
static size_t b64url(char *out, const unsigned char *in, size_t n) {
  int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
  while (len > 0 && out[len - 1] == '=') len--;
  for (int i = 0; i < len; i++) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
  out[len] = '\0';
  return (size_t)len;
}

/* HEADER 0xFF CLAIMS → a signed token (malloc'd). */
static char *signed_token(const uint8_t *data, size_t size) {
  const uint8_t *sep = memchr(data, 0xFF, size);
  size_t hn = sep ? (size_t)(sep - data) : size, cn = sep ? size - hn - 1 : 0;
  char *tok = malloc(4 * (size / 3) + 128);
  if (!tok) die("out of memory", NULL);
  size_t len = b64url(tok, data, hn);
  tok[len++] = '.';
  len += b64url(tok + len, sep ? sep + 1 : data, cn);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned maclen = 0;
  if (!HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)tok, len, mac, &maclen))
    die("HMAC failed", NULL);
  tok[len++] = '.';
  b64url(tok + len, mac, maclen);
  return tok;
}

/* Verifies and checks the outcome's shape; the status. */
static int verify(const char *token, long long now, leadstore_caller *who, char org[37]) {
  char *why = NULL;
  int rc = leadstore_token_verify(SECRET, token, now, who, org, &why);
  if (rc == LEADSTORE_OK) {
    if (why) die("a verified token came with a reason", why);
    if (who->role == LEADSTORE_ROLE_AUTHENTICATED) {
      if (who->organization_id != org || strlen(org) != 36) die("an authenticated caller without an organization", token);
    } else if (who->role != LEADSTORE_ROLE_SERVICE && who->role != LEADSTORE_ROLE_ANON) {
      die("a role outside SPEC 3.4", token);
    }
  } else {
    if (rc != LEADSTORE_EINVAL) die("a refusal that is not EINVAL", token);
    if (who->role != LEADSTORE_ROLE_ANON) die("a refused token did not leave the caller anon", token);
    if (!why || !*why) die("a refused token without a reason", token);
  }
  leadstore_free(why);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  char *token;
  if (data[0] & 1) {
    token = signed_token(data + 1, size - 1);
  } else {
    token = malloc(size);
    if (!token) die("out of memory", NULL);
    memcpy(token, data + 1, size - 1);
    token[size - 1] = '\0';
  }
  leadstore_caller who;
  char org[37];
  if (verify(token, NOW, &who, org) == LEADSTORE_OK) {
    /* minted again from what it says (now, by the system clock), it verifies to the same caller */
    char *again = NULL, org2[37];
    leadstore_caller who2;
    if (leadstore_token_mint(SECRET, &who, 0, &again)) die("a verified caller cannot be minted", token);
    if (verify(again, 0, &who2, org2) != LEADSTORE_OK || who2.role != who.role ||
        (who.role == LEADSTORE_ROLE_AUTHENTICATED && strcmp(org, org2)))
      die("a minted token does not verify to its caller", again);
    leadstore_free(again);
  }
  free(token);
  return 0;
}
