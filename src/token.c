/*
 * token.c — the callers' keys: Supabase-style HS256 JSON Web Tokens.
 *
 * A token is base64url(header) "." base64url(claims) "." base64url(HMAC-
 * SHA256(secret, header "." claims)), without padding (RFC 7515/7519).  The
 * claims leadstore writes and reads are those of SPEC §3.4:
 *   {"role": "service_role" | "authenticated" | "anon",
 *    "organization_id": UUID (authenticated only), "iat": s, "exp": s}
 *
 * Verification fails closed: any piece that is missing, malformed or
 * unexpected refuses the token.  The header's alg must be exactly "HS256"
 * (no "none", no HS384/HS512, no RS256 public-key confusion); the signature
 * is compared in constant time (CRYPTO_memcmp); exp and nbf are honoured with
 * LEEWAY_S seconds of tolerance for clock skew between the machine that
 * minted the token and the one that reads it; a role outside the three of
 * SPEC §3.4 is refused, and `authenticated` needs a well-formed UUID in
 * organization_id.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "internal.h"

enum {
  LEEWAY_S = 30,         /* tolerated clock skew on exp, nbf and iat */
  MAX_TOKEN = 8192,      /* longer tokens are refused before any work */
  SIG_LEN = 32           /* HMAC-SHA256 */
};
/* date claims are clamped to ±this many seconds (about 146 billion years) */
static const long long MAX_DATE_S = 1LL << 62;

/*--- base64url ------------------------------------------------------------*/

/* Encodes n bytes as base64url without padding; a new string or NULL. */
static char *b64url_encode(const unsigned char *in, size_t n) {
  char *out = ls__malloc(4 * ((n + 2) / 3) + 1);
  if (!out) return NULL;
  int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
  while (len > 0 && out[len - 1] == '=') len--;
  out[len] = '\0';
  for (int i = 0; i < len; i++) {
    if (out[i] == '+') out[i] = '-';
    else if (out[i] == '/') out[i] = '_';
  }
  return out;
}

/*
 * Decodes base64url text s[0..n) (no padding, nothing but the alphabet) into
 * a new buffer, NUL-terminated for convenience; its length in *outlen.  NULL
 * when the text is not base64url or memory ran out.
 */
static unsigned char *b64url_decode(const char *s, size_t n, size_t *outlen) {
  if (n % 4 == 1) return NULL;
  size_t padded = n + (4 - n % 4) % 4;
  unsigned char *tmp = ls__malloc(padded + 1);
  unsigned char *out = ls__malloc(padded / 4 * 3 + 1);
  if (!tmp || !out) goto fail;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) goto fail;
    tmp[i] = (unsigned char)c;
  }
  for (size_t i = n; i < padded; i++) tmp[i] = '=';
  int len = padded ? EVP_DecodeBlock(out, tmp, (int)padded) : 0;
  if (len < 0) goto fail;
  *outlen = (size_t)len - (padded - n); /* EVP_DecodeBlock counts the padding as zero bytes */
  out[*outlen] = '\0';
  ls__free(tmp);
  return out;
fail:
  ls__free(tmp);
  ls__free(out);
  return NULL;
}

/* HMAC-SHA256 of data[0..n) under secret into sig; false on failure. */
static bool sign(const char *secret, const char *data, size_t n, unsigned char sig[SIG_LEN]) {
  unsigned int len = 0;
  return HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, n, sig, &len) &&
         len == SIG_LEN;
}

/* base64url of a JSON value's compact text, then releases the value; NULL on failure. */
static char *b64url_json(json_t *v) {
  char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  char *out = text ? b64url_encode((const unsigned char *)text, strlen(text)) : NULL;
  ls__free(text);
  return out;
}

/*--- Minting ---------------------------------------------------------------*/

int leadstore_token_mint(const char *secret, const leadstore_caller *caller, long long ttl_seconds,
                         char **token_out) {
  ls__alloc_init();
  if (token_out) *token_out = NULL;
  if (!secret || !*secret || !caller || !token_out || ttl_seconds < 0) return LEADSTORE_EINVAL;
  const char *role = caller->role == LEADSTORE_ROLE_SERVICE         ? "service_role"
                     : caller->role == LEADSTORE_ROLE_AUTHENTICATED ? "authenticated"
                     : caller->role == LEADSTORE_ROLE_ANON          ? "anon"
                                                                    : NULL;
  if (!role) return LEADSTORE_EINVAL;
  if (caller->role == LEADSTORE_ROLE_AUTHENTICATED && !ls__uuid_valid(caller->organization_id))
    return LEADSTORE_EUUID;
  long long now = (long long)time(NULL);
  json_t *claims = json_pack("{s:s, s:I}", "role", role, "iat", (json_int_t)now);
  if (claims && caller->role == LEADSTORE_ROLE_AUTHENTICATED)
    json_object_set_new(claims, "organization_id", json_string(caller->organization_id));
  if (claims && ttl_seconds > 0) json_object_set_new(claims, "exp", json_integer((json_int_t)(now + ttl_seconds)));
  char *head = b64url_json(json_pack("{s:s, s:s}", "alg", "HS256", "typ", "JWT"));
  char *body = b64url_json(claims);
  char *token = NULL;
  unsigned char sig[SIG_LEN];
  if (head && body) {
    size_t hl = strlen(head), bl = strlen(body);
    token = ls__malloc(hl + bl + 2 + 4 * ((SIG_LEN + 2) / 3) + 1);
    if (token) {
      memcpy(token, head, hl);
      token[hl] = '.';
      memcpy(token + hl + 1, body, bl + 1);
      char *s = sign(secret, token, hl + 1 + bl, sig) ? b64url_encode(sig, SIG_LEN) : NULL;
      if (s) {
        token[hl + 1 + bl] = '.';
        strcpy(token + hl + bl + 2, s);
        ls__free(s);
      } else {
        ls__free(token);
        token = NULL;
      }
    }
  }
  ls__free(head);
  ls__free(body);
  *token_out = token;
  return token ? LEADSTORE_OK : LEADSTORE_EINTERNAL;
}

/*--- Verifying -------------------------------------------------------------*/

/* Records the reason of a refusal in *why (when asked); returns EINVAL. */
static int refuse(char **why, const char *reason) {
  if (why) *why = ls__strdup(reason);
  return LEADSTORE_EINVAL;
}

/* Decodes one base64url JSON object segment; NULL when it is not one. */
static json_t *segment_json(const char *s, size_t n) {
  size_t len = 0;
  unsigned char *raw = b64url_decode(s, n, &len);
  json_t *v = raw ? json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
  ls__free(raw);
  if (v && !json_is_object(v)) {
    json_decref(v);
    v = NULL;
  }
  return v;
}

/*
 * A numeric date claim (seconds): 1 and its value when present and a number,
 * 0 when absent, -1 when present but not a number.  The value is clamped to
 * ±MAX_DATE_S (far beyond any real date), so that converting a huge real
 * (1e300) is defined and the leeway arithmetic cannot overflow.
 */
static int date_claim(const json_t *claims, const char *name, long long *out) {
  json_t *v = json_object_get(claims, name);
  if (!v) return 0;
  double d;
  if (json_is_integer(v)) {
    long long n = (long long)json_integer_value(v);
    *out = n > MAX_DATE_S ? MAX_DATE_S : n < -MAX_DATE_S ? -MAX_DATE_S : n;
  } else if (json_is_real(v)) {
    d = json_real_value(v); /* finite: the JSON parser refuses what overflows a double */
    *out = d > (double)MAX_DATE_S ? MAX_DATE_S : d < -(double)MAX_DATE_S ? -MAX_DATE_S : (long long)d;
  } else {
    return -1;
  }
  return 1;
}

/* Checks the claims against the clock and maps the role; LEADSTORE_OK or a refusal. */
static int check_claims(const json_t *claims, long long now, leadstore_caller *caller, char org[37], char **why) {
  long long t = 0;
  int has = date_claim(claims, "exp", &t);
  if (has < 0) return refuse(why, "JWT exp claim is not a number");
  if (has && now > t + LEEWAY_S) return refuse(why, "JWT expired");
  has = date_claim(claims, "nbf", &t);
  if (has < 0) return refuse(why, "JWT nbf claim is not a number");
  if (has && now + LEEWAY_S < t) return refuse(why, "JWT not yet valid (nbf)");
  has = date_claim(claims, "iat", &t);
  if (has < 0) return refuse(why, "JWT iat claim is not a number");
  if (has && now + LEEWAY_S < t) return refuse(why, "JWT issued in the future (iat)");
  const char *role = ls__jstr(claims, "role");
  if (!role) return refuse(why, "JWT has no role claim");
  if (!strcmp(role, "service_role")) {
    *caller = (leadstore_caller){LEADSTORE_ROLE_SERVICE, NULL};
  } else if (!strcmp(role, "anon")) {
    *caller = (leadstore_caller){LEADSTORE_ROLE_ANON, NULL};
  } else if (!strcmp(role, "authenticated")) {
    const char *o = ls__jstr(claims, "organization_id");
    if (!ls__uuid_valid(o)) return refuse(why, "JWT of role authenticated needs an organization_id UUID claim");
    memcpy(org, o, 37);
    *caller = (leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, org};
  } else {
    return refuse(why, "JWT role is not service_role, authenticated or anon");
  }
  return LEADSTORE_OK;
}

int leadstore_token_verify(const char *secret, const char *token, long long now_s, leadstore_caller *caller_out,
                           char org_out[37], char **why) {
  ls__alloc_init();
  if (why) *why = NULL;
  if (caller_out) *caller_out = (leadstore_caller){LEADSTORE_ROLE_ANON, NULL};
  if (org_out) org_out[0] = '\0';
  if (!secret || !*secret || !caller_out || !org_out) return refuse(why, "no secret to verify the JWT with");
  if (!token || !*token) return refuse(why, "no JWT");
  size_t n = strnlen(token, MAX_TOKEN + 1);
  if (n > MAX_TOKEN) return refuse(why, "JWT too long");
  const char *dot1 = memchr(token, '.', n);
  const char *dot2 = dot1 ? memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - token)) : NULL;
  if (!dot2 || memchr(dot2 + 1, '.', n - (size_t)(dot2 + 1 - token)))
    return refuse(why, "JWT is not three dot-separated parts");
  json_t *header = segment_json(token, (size_t)(dot1 - token));
  if (!header) return refuse(why, "JWT header is not base64url JSON");
  const char *alg = ls__jstr(header, "alg");
  bool alg_ok = alg && !strcmp(alg, "HS256");
  bool crit = json_object_get(header, "crit") != NULL;
  json_decref(header);
  if (!alg_ok) return refuse(why, "JWT alg must be HS256");
  if (crit) return refuse(why, "JWT header has critical extensions");
  size_t siglen = 0;
  unsigned char *sig = b64url_decode(dot2 + 1, n - (size_t)(dot2 + 1 - token), &siglen);
  unsigned char expect[SIG_LEN];
  bool sig_ok = sig && siglen == SIG_LEN && sign(secret, token, (size_t)(dot2 - token), expect) &&
                CRYPTO_memcmp(sig, expect, SIG_LEN) == 0;
  ls__free(sig);
  if (!sig_ok) return refuse(why, "JWT signature does not match");
  json_t *claims = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
  if (!claims) return refuse(why, "JWT claims are not base64url JSON");
  long long now = now_s > 0 ? (now_s < MAX_DATE_S ? now_s : MAX_DATE_S) : (long long)time(NULL);
  int rc = check_claims(claims, now, caller_out, org_out, why);
  json_decref(claims);
  if (rc) *caller_out = (leadstore_caller){LEADSTORE_ROLE_ANON, NULL};
  return rc;
}
