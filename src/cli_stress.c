/*
 * cli_stress.c — `leadstore stress`: N concurrent clients (threads, one
 * handle each) issue a seeded mix of every operation against any target (an
 * SQLite file, PostgreSQL, or a `leadstore serve` server over HTTP), record
 * every answer in a model, and at the end prove the database against that
 * model, not only against `check`.
 *
 * The mix: every operation of the table, as service_role, as a member of the
 * campaign's organization and as a member of another one (who must get
 * P0002); a quarter of the writes carry a p_request_id, and such calls are
 * repeated later (a success must come back `replayed` and equal to the first
 * answer; a failure runs again) or repeated with other parameters (22023);
 * about one call in eight is a deliberate failure (bad parameters, malformed
 * or unknown ids, invalid transitions, duplicate ZIPs), which must fail with
 * its code.  Clients also create campaigns, which join the pool.
 *
 * The model (what is decidable whatever the interleaving):
 *   - costs: each service column equals the sum of the acknowledged
 *     track_api_cost_tx calls, to the micro-dollar; the cost rows are exactly
 *     the acknowledged cost ids;
 *   - businesses: each acknowledged place exists once, with the id its batch
 *     answered; no other business exists in the campaign (a failed batch
 *     carries a place no good call has, so a partial write would show);
 *   - emails (SPEC §5): a business's source rank is the highest rank of the
 *     well-formed emails acknowledged calls offered, and its email is one of
 *     the emails offered at that rank (among equal ranks the last committed
 *     wins, which the model does not know);
 *   - enrichments and verifications: each business has exactly the
 *     acknowledged rows;
 *   - coverage: the scraped ZIPs are those of acknowledged calls, each with
 *     a businesses_found one of them sent;
 *   - status: the history is a path of the state machine from draft ending
 *     at the campaign's status, and its transitions are exactly the
 *     acknowledged ones;
 *   - counters equal the model's counts and a recount (no drift, also at
 *     every update_campaign_statistics_tx of the run);
 *   - campaigns: exactly the acknowledged creations were added;
 *   - then `check` over the whole database.
 * A write answered with a lost connection (08xxx) may or may not have
 * committed: its campaign is left out of the exact checks and the report
 * says so.  The tool assumes nobody else writes the campaigns it creates
 * (it makes its own, so another program's data does not disturb it, except
 * for the count of campaigns).  The seed fixes each client's choices; the
 * interleaving is the machine's.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "internal.h" /* ls__money_from_number: the library's one rule for money */

enum {
  MAX_CLIENTS = 64,
  MAX_CAMPAIGNS = 256, /* created beyond this: refused by the tool itself (a duplicate ZIP) */
  POOL = 24,           /* the campaigns traffic goes to */
  START_CAMPAIGNS = 6,
  PLACES = 40,         /* places per campaign */
  ZIPS = 4,            /* coverage rows per campaign */
  KEPT = 16,           /* keyed calls a client remembers for repeats */
  SHOWN = 25           /* violations printed */
};

static const char *const ORG_A = "57e55a00-0000-4000-8000-00000000000a";
static const char *const ORG_B = "57e55b00-0000-4000-8000-00000000000b";
static const char *const UNKNOWN_ID = "57e55000-0000-4000-8000-000000000000";
static const char *const services[4] = {"google_maps", "facebook", "linkedin", "bouncer"};
static const char *const statuses[5] = {"draft", "running", "paused", "completed", "failed"};
static const char *const pairs[5][2] = {
    {"draft", "running"}, {"running", "paused"}, {"running", "completed"}, {"running", "failed"}, {"paused", "running"}};

/*--- The model ------------------------------------------------------------------*/

typedef struct place {
  char id[37];        /* the business id, "" until a batch acknowledged the place */
  int rank;           /* highest source rank offered by acknowledged calls (0: none) */
  char **emails;      /* the well-formed emails offered at that rank (trimmed) */
  int nemails, cap;
  int fb, li, verifications; /* acknowledged rows */
} place_t;

typedef struct campaign {
  char id[37];
  const char *org; /* NULL, ORG_A or ORG_B */
  bool finishable; /* traffic may complete or fail it */
  bool tainted;    /* a write on it had an indeterminate outcome */
  char zips[ZIPS][11];
  int nzips;
  int64_t cost[4];
  long ncosts;
  place_t places[PLACES];
  long fb_success, li_url;
  bool scraped[ZIPS];
  uint64_t found[ZIPS]; /* businesses_found values sent by acknowledged calls, as bits */
  long transitions[5];  /* acknowledged transitions, by pairs[] */
} campaign;

/* Ids the run learned, for looking them up: what they are and where they belong. */
typedef enum { ID_BUSINESS, ID_FB, ID_LI, ID_COST } id_kind;
typedef struct id_entry {
  char id[37];
  id_kind kind;
  int c, p; /* campaign, place */
} id_entry;

typedef struct op_stats {
  long calls, ok, replayed;
} op_stats;

typedef struct code_count {
  char code[8];
  long n;
} code_count;

typedef struct stress stress;

typedef struct kept {
  char *op, *params;
  leadstore_role role;
  const char *org;
  json_t *result;
  char allowed[32];
} kept;

typedef struct client {
  stress *s;
  int index;
  leadstore *db;
  uint64_t rng;
  long ops;
  long serial;
  kept kept[KEPT];
  int nkept;
  op_stats *stats; /* per operation */
  code_count codes[32];
  int ncodes;
  long retryable, indeterminate;
} client;

struct stress {
  const cli_options *o;
  int clients;
  long ops;
  unsigned long long seed;
  bool orgs; /* org-scoped callers possible on this target */
  char run[9]; /* a tag of this run, in request ids */
  pthread_mutex_t lock;
  campaign *campaigns; /* MAX_CAMPAIGNS */
  int ncampaigns;
  long created; /* acknowledged creations by the clients */
  id_entry *ids;
  size_t nids, idcap; /* open addressing, idcap a power of two */
  long violations;
  char *shown[SHOWN];
  int nshown;
};

static void violation(stress *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(stress *s, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
  va_end(ap);
  pthread_mutex_lock(&s->lock);
  s->violations++;
  if (s->nshown < SHOWN && msg) s->shown[s->nshown++] = msg, msg = NULL;
  pthread_mutex_unlock(&s->lock);
  free(msg);
}

static uint64_t hash_id(const char *id) {
  uint64_t h = 1469598103934665603ULL;
  for (; *id; id++) h = (h ^ (unsigned char)*id) * 1099511628211ULL;
  return h;
}

/* The entry of id, or NULL (lock held). */
static id_entry *id_find(stress *s, const char *id) {
  if (!s->idcap || !id) return NULL;
  for (size_t i = hash_id(id) & (s->idcap - 1);; i = (i + 1) & (s->idcap - 1)) {
    if (!s->ids[i].id[0]) return NULL;
    if (!strcmp(s->ids[i].id, id)) return &s->ids[i];
  }
}

/* Adds id (lock held); false when it was there already. */
static bool id_add(stress *s, const char *id, id_kind kind, int c, int p) {
  if (!id || strlen(id) != 36) return false;
  if (2 * (s->nids + 1) > s->idcap) {
    size_t cap = s->idcap ? 2 * s->idcap : 4096;
    id_entry *old = s->ids, *grown = calloc(cap, sizeof *grown);
    if (!grown) abort();
    size_t oldcap = s->idcap;
    s->ids = grown, s->idcap = cap, s->nids = 0;
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].id[0]) id_add(s, old[i].id, old[i].kind, old[i].c, old[i].p);
    free(old);
  }
  if (id_find(s, id)) return false;
  size_t i = hash_id(id) & (s->idcap - 1);
  while (s->ids[i].id[0]) i = (i + 1) & (s->idcap - 1);
  s->ids[i] = (id_entry){.kind = kind, .c = c, .p = p};
  snprintf(s->ids[i].id, sizeof s->ids[i].id, "%s", id);
  s->nids++;
  return true;
}

/* The campaign index of id (lock held), or -1. */
static int campaign_of(stress *s, const char *id) {
  for (int c = 0; id && c < s->ncampaigns; c++)
    if (!strcmp(s->campaigns[c].id, id)) return c;
  return -1;
}

/* SPEC §5's well-formed email, by the tool's own reading: trimmed, 3–254 bytes, one '@' with text
 * on both sides, no white space inside.  The trimmed form into out, or false. */
static bool wellformed(const char *email, char out[256]) {
  if (!email) return false;
  const char *ws = " \t\r\n\f\v";
  while (*email && strchr(ws, *email)) email++;
  size_t n = strlen(email);
  while (n && strchr(ws, email[n - 1])) n--;
  if (n < 3 || n > 254) return false;
  const char *at = memchr(email, '@', n);
  if (!at || at == email || at == email + n - 1 || memchr(at + 1, '@', n - (size_t)(at - email) - 1)) return false;
  for (size_t i = 0; i < n; i++)
    if (strchr(ws, email[i])) return false;
  memcpy(out, email, n);
  out[n] = '\0';
  return true;
}

/* An acknowledged offer of `email` at `rank` to place p (lock held). */
static void offer(place_t *p, const char *email, int rank) {
  char clean[256];
  if (!wellformed(email, clean) || rank < p->rank) return;
  if (rank > p->rank) {
    for (int i = 0; i < p->nemails; i++) free(p->emails[i]);
    p->nemails = 0;
    p->rank = rank;
  }
  for (int i = 0; i < p->nemails; i++)
    if (!strcasecmp(p->emails[i], clean)) return;
  if (p->nemails == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 4;
    p->emails = realloc(p->emails, (size_t)p->cap * sizeof *p->emails);
    if (!p->emails) abort();
  }
  p->emails[p->nemails++] = strdup(clean);
}

static int pair_index(const char *from, const char *to) {
  for (int i = 0; from && to && i < 5; i++)
    if (!strcmp(pairs[i][0], from) && !strcmp(pairs[i][1], to)) return i;
  return -1;
}

static int service_index(const char *s) {
  for (int i = 0; s && i < 4; i++)
    if (!strcmp(services[i], s)) return i;
  return -1;
}

static int place_index(const char *place_id) {
  return place_id && place_id[0] == 'p' ? atoi(place_id + 1) : -1; /* "p12"; the bad places are "x…" */
}

static const char *jstr(json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "";
}

static int64_t jmicros(json_t *o, const char *k) { return ls__money_from_number(json_number_value(json_object_get(o, k))); }

/*
 * What an acknowledged (successful, not replayed) call changed, into the
 * model: derived from its parameters and its answer only, so a first call
 * and the repeat of a failed one are recorded alike.
 */
static void apply(stress *s, const char *op, json_t *params, json_t *r, const leadstore_caller *who) {
  pthread_mutex_lock(&s->lock);
  int c = campaign_of(s, json_string_value(json_object_get(params, "p_campaign_id")));
  campaign *k = c >= 0 ? &s->campaigns[c] : NULL;
  if (!strcmp(op, "track_api_cost_tx") && k) {
    int sv = service_index(jstr(params, "p_service"));
    if (sv >= 0) k->cost[sv] += jmicros(json_object_get(params, "p_cost_data"), "cost_usd");
    k->ncosts++;
    id_add(s, jstr(r, "cost_id"), ID_COST, c, -1);
  } else if (!strcmp(op, "batch_upsert_businesses_tx") && k) {
    json_t *in = json_object_get(params, "p_businesses"), *out = json_object_get(r, "results");
    for (size_t i = 0; i < json_array_size(in); i++) {
      json_t *b = json_array_get(in, i), *e = json_array_get(out, i);
      int p = place_index(jstr(b, "place_id"));
      const char *bid = jstr(e, "business_id");
      if (p < 0 || p >= PLACES || strcmp(jstr(e, "place_id"), jstr(b, "place_id"))) {
        pthread_mutex_unlock(&s->lock);
        violation(s, "batch on %s: answer %zu is not the place sent (%s)", k->id, i, jstr(e, "place_id"));
        pthread_mutex_lock(&s->lock);
        continue;
      }
      place_t *pl = &k->places[p];
      if (!pl->id[0]) {
        snprintf(pl->id, sizeof pl->id, "%s", bid);
        id_add(s, bid, ID_BUSINESS, c, p);
      } else if (strcmp(pl->id, bid)) {
        char was[37];
        snprintf(was, sizeof was, "%s", pl->id);
        pthread_mutex_unlock(&s->lock);
        violation(s, "place p%d of %s answered as two businesses: %s and %s", p, k->id, was, bid);
        pthread_mutex_lock(&s->lock);
      }
      offer(pl, json_string_value(json_object_get(b, "email")), 1);
    }
  } else if (!strcmp(op, "save_facebook_enrichment_tx") || !strcmp(op, "save_linkedin_enrichment_tx")) {
    bool fb = op[5] == 'f';
    id_entry *b = id_find(s, jstr(params, "p_business_id"));
    if (b && b->kind == ID_BUSINESS) {
      campaign *bk = &s->campaigns[b->c];
      place_t *pl = &bk->places[b->p];
      json_t *d = json_object_get(params, "p_enrichment_data");
      int bc = b->c, bp = b->p;
      if (fb) pl->fb++, bk->fb_success += json_is_true(json_object_get(d, "success"));
      else pl->li++, bk->li_url += json_string_value(json_object_get(d, "linkedin_url")) != NULL;
      offer(pl, json_string_value(json_object_get(d, "primary_email")), fb ? 2 : 3);
      id_add(s, jstr(r, "enrichment_id"), fb ? ID_FB : ID_LI, bc, bp);
    }
  } else if (!strcmp(op, "update_email_verification_tx")) {
    id_entry *t = id_find(s, jstr(params, "p_target_id"));
    if (t && t->kind != ID_COST) s->campaigns[t->c].places[t->p].verifications++;
  } else if (!strcmp(op, "update_coverage_status_tx") && k) {
    for (int z = 0; z < k->nzips; z++)
      if (!strcmp(k->zips[z], jstr(params, "p_zip_code"))) {
        k->scraped[z] = true;
        long long found = json_integer_value(json_object_get(json_object_get(params, "p_results"), "businesses_found"));
        if (found >= 0 && found < 64) k->found[z] |= 1ULL << found;
      }
  } else if (!strcmp(op, "update_campaign_status_tx") && k) {
    int pi = pair_index(jstr(r, "old_status"), jstr(r, "new_status"));
    if (pi >= 0) k->transitions[pi]++;
    pthread_mutex_unlock(&s->lock);
    if (pi < 0) violation(s, "%s: accepted transition %s -> %s", k->id, jstr(r, "old_status"), jstr(r, "new_status"));
    return;
  } else if (!strcmp(op, "create_campaign_with_coverage_tx")) {
    s->created++;
    if (s->ncampaigns < MAX_CAMPAIGNS) {
      campaign *n = &s->campaigns[s->ncampaigns];
      memset(n, 0, sizeof *n);
      snprintf(n->id, sizeof n->id, "%s", jstr(r, "campaign_id"));
      const char *org = who->role == LEADSTORE_ROLE_AUTHENTICATED
                            ? who->organization_id
                            : jstr(json_object_get(params, "p_campaign_data"), "organization_id");
      n->org = org && !strcmp(org, ORG_A) ? ORG_A : org && !strcmp(org, ORG_B) ? ORG_B : NULL;
      n->finishable = s->ncampaigns % 3 == 0;
      json_t *cov = json_object_get(params, "p_coverage_data");
      for (size_t i = 0; i < json_array_size(cov) && i < ZIPS; i++)
        snprintf(n->zips[n->nzips++], sizeof n->zips[0], "%s", jstr(json_array_get(cov, i), "zip_code"));
      s->ncampaigns++;
    }
  }
  pthread_mutex_unlock(&s->lock);
}

/*--- A client -----------------------------------------------------------------------*/

static unsigned rnd(client *cl, unsigned n) {
  cl->rng = cl->rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)((cl->rng >> 33) % n);
}

static int op_index(const char *op) {
  for (size_t i = 0; i < leadstore_op_count(); i++)
    if (!strcmp(leadstore_op_name(i), op)) return (int)i;
  return -1;
}

static bool is_write(const char *op) { return !strcmp(op + strlen(op) - 3, "_tx"); }

/* Runs one call (params: its text); the parsed answer, never NULL.  Counts it. */
static json_t *run_call(client *cl, const leadstore_caller *who, const char *op, const char *params) {
  char *text = NULL;
  leadstore_call(cl->db, who, op, params, &text);
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  leadstore_free(text);
  if (!r) r = json_pack("{s:b, s:s, s:s}", "success", 0, "error", "no answer", "error_code", "none");
  int i = op_index(op);
  bool ok = json_is_true(json_object_get(r, "success"));
  if (i >= 0) {
    cl->stats[i].calls++;
    cl->stats[i].ok += ok;
    cl->stats[i].replayed += json_is_true(json_object_get(r, "replayed"));
  }
  if (!ok) {
    const char *code = jstr(r, "error_code");
    int k = 0;
    while (k < cl->ncodes && strcmp(cl->codes[k].code, code)) k++;
    if (k == cl->ncodes && k < 32) snprintf(cl->codes[cl->ncodes++].code, sizeof cl->codes[0].code, "%s", code);
    if (k < 32) cl->codes[k].n++;
    cl->retryable += json_is_true(json_object_get(r, "retry_recommended"));
  }
  return r;
}

/* Whether the answer is one of `allowed` ("ok|P0001"); a failure that recommends a retry
 * wrote nothing and is always allowed; a lost connection on a write is indeterminate. */
static bool judge(client *cl, int c, const char *op, const char *params, json_t *r, const char *allowed) {
  bool ok = json_is_true(json_object_get(r, "success"));
  const char *code = ok ? "ok" : jstr(r, "error_code");
  if (!ok && !strncmp(code, "08", 2) && is_write(op)) {
    cl->indeterminate++;
    pthread_mutex_lock(&cl->s->lock);
    if (c >= 0) cl->s->campaigns[c].tainted = true;
    pthread_mutex_unlock(&cl->s->lock);
    return false;
  }
  if (!ok && json_is_true(json_object_get(r, "retry_recommended"))) return false;
  size_t n = strlen(code);
  for (const char *a = allowed; *a;) {
    size_t len = strcspn(a, "|");
    if (len == n && !strncmp(a, code, n)) return ok;
    a += len + (a[len] == '|');
  }
  violation(cl->s, "%s %.300s: expected %s, got %s (%s)", op, params, allowed, code, ok ? "success" : jstr(r, "error"));
  return ok;
}

/* Remembers a keyed call for a repeat. */
static void keep(client *cl, const char *op, const char *params, const leadstore_caller *who, json_t *r,
                 const char *allowed) {
  kept *k = &cl->kept[cl->nkept < KEPT ? cl->nkept++ : (int)rnd(cl, KEPT)];
  free(k->op);
  free(k->params);
  json_decref(k->result);
  k->op = strdup(op);
  k->params = strdup(params);
  k->role = who->role;
  k->org = who->organization_id;
  k->result = json_incref(r);
  snprintf(k->allowed, sizeof k->allowed, "%s", allowed);
}

/*
 * Calls op with `params` (stolen) as `who` on campaign c (-1: none), judged
 * against `allowed`; a write sometimes carries a request id (and is kept for
 * a repeat).  Applies an acknowledged write to the model.  The answer.
 */
static json_t *call(client *cl, int c, const leadstore_caller *who, const char *op, json_t *params, const char *allowed) {
  bool write = is_write(op);
  if (write && rnd(cl, 4) == 0) {
    char rid[64];
    snprintf(rid, sizeof rid, "stress-%s-%d-%ld", cl->s->run, cl->index, cl->serial++);
    json_object_set_new(params, "p_request_id", json_string(rid));
  }
  char *text = json_dumps(params, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_t *r = run_call(cl, who, op, text);
  bool ok = judge(cl, c, op, text, r, allowed);
  if (ok && write) apply(cl->s, op, params, r, who);
  if (write && json_object_get(params, "p_request_id")) keep(cl, op, text, who, r, allowed);
  free(text);
  json_decref(params);
  return r;
}

/* The answer without its "replayed" mark. */
static json_t *unmarked(json_t *r) {
  json_t *copy = json_deep_copy(r);
  json_object_del(copy, "replayed");
  return copy;
}

/* The same parameters with one value changed (still valid): the repeat must be refused. */
static void alter(const char *op, json_t *p) {
  json_t *d = NULL;
  if ((d = json_object_get(p, "p_cost_data"))) json_object_set_new(d, "items_processed", json_integer(7777));
  else if ((d = json_object_get(p, "p_businesses"))) json_object_set_new(json_array_get(d, 0), "name", json_string("Altered"));
  else if ((d = json_object_get(p, "p_enrichment_data"))) json_object_set_new(d, "error_message", json_string("altered"));
  else if ((d = json_object_get(p, "p_verification_data"))) json_object_set_new(d, "reason", json_string("altered"));
  else if ((d = json_object_get(p, "p_results"))) json_object_set_new(d, "emails_found", json_integer(63));
  else if ((d = json_object_get(p, "p_campaign_data"))) json_object_set_new(d, "description", json_string("altered"));
  else if (!strcmp(op, "update_campaign_status_tx")) json_object_set_new(p, "p_metadata", json_pack("{s:s}", "altered", "yes"));
  else json_object_set_new(p, "p_campaign_id", json_string(UNKNOWN_ID));
}

/* A repeat of a keyed call: as it was, or (`other`) with other parameters. */
static bool repeat(client *cl, bool other) {
  if (!cl->nkept) return false;
  kept *k = &cl->kept[rnd(cl, (unsigned)cl->nkept)];
  leadstore_caller who = {k->role, k->org};
  json_t *params = json_loads(k->params, 0, NULL);
  bool first_ok = json_is_true(json_object_get(k->result, "success"));
  if (other && !first_ok) {
    json_decref(params);
    return false;
  }
  if (other) {
    alter(k->op, params);
    char *text = json_dumps(params, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_t *r = run_call(cl, &who, k->op, text);
    if (judge(cl, -1, k->op, text, r, "22023")) apply(cl->s, k->op, params, r, &who);
    json_decref(r);
    free(text);
  } else {
    json_t *r = run_call(cl, &who, k->op, k->params);
    bool ok = json_is_true(json_object_get(r, "success")), replayed = json_is_true(json_object_get(r, "replayed"));
    if (first_ok) {
      json_t *a = unmarked(r), *b = unmarked(k->result);
      if (!ok || !replayed) violation(cl->s, "%s %.200s: a repeat of a success was not replayed (%s)", k->op, k->params, ok ? "ran again" : jstr(r, "error_code"));
      else if (!json_equal(a, b)) violation(cl->s, "%s %.200s: the replay differs from the stored result", k->op, k->params);
      json_decref(a);
      json_decref(b);
      if (ok && !replayed) apply(cl->s, k->op, params, r, &who);
    } else {
      int c = -1;
      pthread_mutex_lock(&cl->s->lock);
      c = campaign_of(cl->s, json_string_value(json_object_get(params, "p_campaign_id")));
      pthread_mutex_unlock(&cl->s->lock);
      if (replayed) violation(cl->s, "%s %.200s: a failed call's repeat was replayed", k->op, k->params);
      else if (judge(cl, c, k->op, k->params, r, k->allowed)) {
        apply(cl->s, k->op, params, r, &who);
        json_decref(k->result);
        k->result = json_incref(r);
      }
    }
    json_decref(r);
  }
  json_decref(params);
  return true;
}

/*--- The operations ----------------------------------------------------------------*/

typedef enum { AS_SERVICE, AS_MEMBER, AS_FOREIGN } as_kind;

/* A campaign of the pool (index), with a snapshot of what a call needs. */
typedef struct pick {
  int c;
  char id[37];
  const char *org;
  bool finishable;
  int nzips;
  char zips[ZIPS][11];
} pick;

static pick pick_campaign(client *cl) {
  pick p;
  pthread_mutex_lock(&cl->s->lock);
  int n = cl->s->ncampaigns < POOL ? cl->s->ncampaigns : POOL;
  p.c = (int)rnd(cl, (unsigned)n);
  campaign *k = &cl->s->campaigns[p.c];
  memcpy(p.id, k->id, sizeof p.id);
  p.org = k->org;
  p.finishable = k->finishable;
  p.nzips = k->nzips;
  memcpy(p.zips, k->zips, sizeof p.zips);
  pthread_mutex_unlock(&cl->s->lock);
  return p;
}

/* The caller: mostly service_role, else a member of the campaign's organization, now and then
 * of another one (who must not see it).  *foreign is set for the last. */
static leadstore_caller pick_caller(client *cl, const pick *p, bool *foreign) {
  *foreign = false;
  if (!cl->s->orgs) return (leadstore_caller){LEADSTORE_ROLE_SERVICE, NULL};
  unsigned k = rnd(cl, 10);
  if (k < 6) return (leadstore_caller){LEADSTORE_ROLE_SERVICE, NULL};
  if (k < 9 && p->org) return (leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, p->org};
  if (k < 9) return (leadstore_caller){LEADSTORE_ROLE_SERVICE, NULL};
  *foreign = true;
  return (leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, p->org == ORG_A ? ORG_B : ORG_A};
}

/* A known business of the campaign (its id into out, its place index), or -1. */
static int pick_business(client *cl, int c, char out[37]) {
  int start = (int)rnd(cl, PLACES), found = -1;
  pthread_mutex_lock(&cl->s->lock);
  for (int i = 0; i < PLACES && found < 0; i++) {
    place_t *pl = &cl->s->campaigns[c].places[(start + i) % PLACES];
    if (pl->id[0]) found = (start + i) % PLACES, memcpy(out, pl->id, 37);
  }
  pthread_mutex_unlock(&cl->s->lock);
  return found;
}

/* A known enrichment id of the kind (into out), or false. */
static bool pick_enrichment(client *cl, id_kind kind, char out[37]) {
  bool found = false;
  pthread_mutex_lock(&cl->s->lock);
  if (cl->s->idcap) {
    size_t start = rnd(cl, (unsigned)cl->s->idcap);
    for (size_t i = 0; i < cl->s->idcap && !found; i++) {
      id_entry *e = &cl->s->ids[(start + i) & (cl->s->idcap - 1)];
      if (e->id[0] && e->kind == kind) found = true, memcpy(out, e->id, 37);
    }
  }
  pthread_mutex_unlock(&cl->s->lock);
  return found;
}

/* An email: mostly well-formed (some padded, some upper-case), else blank or malformed. */
static json_t *gen_email(client *cl, const char *tag, int place) {
  static const char *const bad[] = {"", "   ", "not-an-email", "a@b@c.example", "two words@x.example", "@x.example"};
  char buf[96];
  unsigned k = rnd(cl, 10);
  if (k >= 8) return json_string(bad[rnd(cl, 6)]);
  snprintf(buf, sizeof buf, "%s%s%d-%u@shop%u.example%s", k == 6 ? "  " : "", tag, place, rnd(cl, 3), rnd(cl, 2),
           k == 6 ? " " : "");
  if (k == 7)
    for (char *p = buf; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
  return json_string(buf);
}

/* Micro-dollars as an exact decimal JSON number. */
static json_t *usd(int64_t micros) {
  char text[40];
  snprintf(text, sizeof text, "%s%lld.%06lld", micros < 0 ? "-" : "", (long long)llabs(micros) / 1000000,
           (long long)llabs(micros) % 1000000);
  return json_real(strtod(text, NULL));
}

static void do_cost(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  unsigned bad = rnd(cl, 10);
  int64_t micros = rnd(cl, 4) ? (int64_t)rnd(cl, 50000) : (int64_t)rnd(cl, 1000000) * 1000 + rnd(cl, 1000);
  const char *cid = p.id, *allowed = foreign ? "P0002" : "ok";
  const char *service = services[rnd(cl, 4)];
  if (bad == 0) micros = -1 - (int64_t)rnd(cl, 100), allowed = "22023";
  else if (bad == 1) service = "stripe", allowed = "22023";
  else if (bad == 2) cid = "not-a-uuid", allowed = "22P02";
  else if (bad == 3 && rnd(cl, 2)) cid = UNKNOWN_ID, allowed = "P0002";
  json_t *params = json_pack("{s:s, s:s, s:{s:o, s:i}}", "p_campaign_id", cid, "p_service", service, "p_cost_data",
                             "cost_usd", usd(micros), "items_processed", (int)rnd(cl, 5));
  if (rnd(cl, 3) == 0) json_object_set_new(json_object_get(params, "p_cost_data"), "metadata", json_pack("{s:i}", "client", cl->index));
  json_decref(call(cl, p.c, &who, "track_api_cost_tx", params, allowed));
}

static void do_batch(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  json_t *list = json_array();
  unsigned n = 1 + rnd(cl, 6), bad = rnd(cl, 12);
  for (unsigned i = 0; i < n; i++) {
    int place = (int)rnd(cl, PLACES);
    char pid[16], name[32];
    snprintf(pid, sizeof pid, "p%d", place);
    snprintf(name, sizeof name, "Shop %d", place);
    json_t *b = json_pack("{s:s, s:s}", "place_id", pid, "name", name);
    if (rnd(cl, 3)) json_object_set_new(b, "email", gen_email(cl, "gm", place));
    if (rnd(cl, 3) == 0) json_object_set_new(b, "facebook_url", json_sprintf("https://facebook.com/p%d", place));
    if (rnd(cl, 4) == 0) json_object_set_new(b, "rating", json_real(rnd(cl, 2) ? 4.5 : 3.0));
    json_array_append_new(list, b);
  }
  const char *allowed = foreign ? "P0002" : p.finishable ? "ok|P0001" : "ok";
  if (bad == 0) { /* a place no good call has, then a business without a name: nothing may be written */
    json_array_append_new(list, json_pack("{s:s, s:s}", "place_id", "x-never", "name", "Never"));
    json_array_append_new(list, json_pack("{s:s}", "place_id", "x-nameless"));
    allowed = "22023"; /* the parameters are checked before anything is looked up */
  }
  json_t *params = json_pack("{s:s, s:s, s:o}", "p_campaign_id", p.id, "p_zip_code", p.nzips ? p.zips[rnd(cl, (unsigned)p.nzips)] : "00000",
                             "p_businesses", list);
  json_decref(call(cl, p.c, &who, "batch_upsert_businesses_tx", params, allowed));
}

static void do_enrich(client *cl, bool facebook) {
  pick p = pick_campaign(cl);
  char bid[37];
  int place = pick_business(cl, p.c, bid);
  if (place < 0) return do_batch(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  const char *allowed = foreign ? "P0002" : "ok";
  unsigned bad = rnd(cl, 12);
  json_t *data = json_object();
  json_object_set_new(data, "primary_email", gen_email(cl, facebook ? "fb" : "li", place));
  if (facebook) {
    json_object_set_new(data, "success", json_boolean(rnd(cl, 4) != 0));
    json_object_set_new(data, "facebook_url", json_sprintf("https://facebook.com/p%d", place));
  } else {
    if (rnd(cl, 3)) json_object_set_new(data, "linkedin_url", json_sprintf("https://linkedin.com/company/p%d", place));
    json_object_set_new(data, "profile_type", json_string(rnd(cl, 2) ? "company" : "personal"));
    if (rnd(cl, 3) == 0)
      json_object_update_new(data, json_pack("{s:s, s:s, s:f}", "bouncer_status", "deliverable", "bouncer_verified", "yes",
                                             "bouncer_score", 91.0));
  }
  json_t *params = json_pack("{s:s, s:o}", "p_business_id", bid, "p_enrichment_data", data);
  if (bad == 0) json_object_set_new(params, "p_business_id", json_string(UNKNOWN_ID)), allowed = "P0002";
  else if (bad == 1 && !foreign) {
    pick other = pick_campaign(cl);
    if (other.c != p.c) json_object_set_new(params, "p_campaign_id", json_string(other.id)), allowed = "22023";
  } else if (rnd(cl, 4) == 0) {
    json_object_set_new(params, "p_campaign_id", json_string(p.id));
  }
  json_decref(call(cl, p.c, &who, facebook ? "save_facebook_enrichment_tx" : "save_linkedin_enrichment_tx", params, allowed));
}

static void do_verify(client *cl) {
  static const char *const vstatuses[] = {"deliverable", "undeliverable", "risky", "unknown", "accept_all", "error"};
  pick p = pick_campaign(cl);
  char target[37];
  unsigned src = rnd(cl, 3);
  bool have = src == 0 ? pick_business(cl, p.c, target) >= 0 : pick_enrichment(cl, src == 1 ? ID_FB : ID_LI, target);
  if (!have) return do_batch(cl);
  /* the caller: of the target's campaign */
  pthread_mutex_lock(&cl->s->lock);
  id_entry *e = id_find(cl->s, target);
  int c = e ? e->c : p.c;
  pthread_mutex_unlock(&cl->s->lock);
  if (c != p.c) {
    pthread_mutex_lock(&cl->s->lock);
    p.org = cl->s->campaigns[c].org;
    pthread_mutex_unlock(&cl->s->lock);
    p.c = c;
  }
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  const char *allowed = foreign ? "P0002" : "ok";
  const char *status = vstatuses[rnd(cl, 6)];
  unsigned bad = rnd(cl, 12);
  if (bad == 0) status = "bogus", allowed = "22023";
  json_t *params = json_pack("{s:s, s:s, s:{s:o, s:s, s:i}}", "p_source", src == 0 ? "google_maps" : src == 1 ? "facebook" : "linkedin",
                             "p_target_id", bad == 1 ? UNKNOWN_ID : target, "p_verification_data", "email",
                             json_sprintf("v%u@shop%u.example", rnd(cl, 3), rnd(cl, 2)), "status", status, "score", (int)rnd(cl, 101));
  if (bad == 1) allowed = "P0002";
  json_decref(call(cl, c, &who, "update_email_verification_tx", params, allowed));
}

static void do_coverage(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  const char *allowed = foreign ? "P0002" : p.finishable ? "ok|P0001" : "ok";
  const char *zip = p.nzips ? p.zips[rnd(cl, (unsigned)p.nzips)] : "00000";
  int64_t cost = (int64_t)rnd(cl, 100000);
  unsigned bad = rnd(cl, 10);
  if (!p.nzips || bad == 0) zip = "ZZ999", allowed = foreign ? "P0002" : p.finishable ? "P0002|P0001" : "P0002";
  else if (bad == 1) cost = -10, allowed = "22023";
  json_t *params = json_pack("{s:s, s:s, s:{s:i, s:i, s:o}}", "p_campaign_id", p.id, "p_zip_code", zip, "p_results",
                             "businesses_found", (int)rnd(cl, 64), "emails_found", (int)rnd(cl, 10), "actual_cost", usd(cost));
  json_decref(call(cl, p.c, &who, "update_coverage_status_tx", params, allowed));
}

static void do_status(client *cl) {
  static const char *const walk[] = {"running", "running", "paused", "running", "paused"};
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  const char *to = walk[rnd(cl, 5)], *allowed = foreign ? "P0002" : "ok|P0001";
  unsigned k = rnd(cl, 20);
  if (p.finishable && k < 2) to = k ? "completed" : "failed";
  else if (k == 2) to = "draft", allowed = foreign ? "P0002" : "P0001";
  else if (k == 3) to = "archived", allowed = "22023";
  json_t *params = json_pack("{s:s, s:s}", "p_campaign_id", p.id, "p_new_status", to);
  if (rnd(cl, 2)) json_object_set_new(params, "p_metadata", json_pack("{s:i}", "client", cl->index));
  json_decref(call(cl, p.c, &who, "update_campaign_status_tx", params, allowed));
}

static void do_statistics(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  json_t *r = call(cl, p.c, &who, "update_campaign_statistics_tx", json_pack("{s:s}", "p_campaign_id", p.id), foreign ? "P0002" : "ok");
  if (json_is_true(json_object_get(r, "success")) && !json_is_false(json_object_get(r, "drift_corrected")))
    violation(cl->s, "%s: update_campaign_statistics_tx found drifted counters", p.id);
  json_decref(r);
}

static void do_create(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign); /* a member creates in its own organization */
  pthread_mutex_lock(&cl->s->lock);
  bool full = cl->s->ncampaigns + cl->s->clients >= MAX_CAMPAIGNS;
  pthread_mutex_unlock(&cl->s->lock);
  unsigned bad = full ? 0 : rnd(cl, 4);
  char name[64];
  snprintf(name, sizeof name, "stress %s client %d", cl->s->run, cl->index);
  json_t *cov = json_array();
  for (int z = 0; z < ZIPS; z++) json_array_append_new(cov, json_pack("{s:s}", "zip_code", (const char *[]){"10001", "10002", "SW1A 1AA", "75008"}[z]));
  const char *allowed = "ok";
  if (bad == 0) json_array_append_new(cov, json_pack("{s:s}", "zip", "10001")), allowed = "23505";
  else if (bad == 1) name[0] = '\0', allowed = "22023";
  json_t *params = json_pack("{s:{s:s, s:[s]}, s:o}", "p_campaign_data", "name", name, "keywords", "coffee", "p_coverage_data", cov);
  if (who.role == LEADSTORE_ROLE_SERVICE && cl->s->orgs && rnd(cl, 2))
    json_object_set_new(json_object_get(params, "p_campaign_data"), "organization_id", json_string(rnd(cl, 2) ? ORG_A : ORG_B));
  json_decref(call(cl, -1, &who, "create_campaign_with_coverage_tx", params, allowed));
}

/* A read, with what it can prove by itself. */
static void do_read(client *cl) {
  pick p = pick_campaign(cl);
  bool foreign;
  leadstore_caller who = pick_caller(cl, &p, &foreign);
  const char *allowed = foreign ? "P0002" : "ok";
  unsigned k = rnd(cl, 9);
  json_t *r = NULL;
  if (k == 0) {
    bool bad = rnd(cl, 10) == 0;
    r = call(cl, p.c, &who, "get_campaign", json_pack("{s:s}", "p_campaign_id", bad ? "not-a-uuid" : p.id), bad ? "22P02" : allowed);
    json_t *c = json_object_get(r, "campaign");
    if (c && jmicros(c, "actual_cost") != jmicros(c, "google_maps_cost") + jmicros(c, "facebook_cost") +
                                               jmicros(c, "linkedin_enrichment_cost") + jmicros(c, "bouncer_verification_cost"))
      violation(cl->s, "%s: get_campaign's actual_cost is not the sum of the four services", p.id);
  } else if (k == 1) {
    const char *st = statuses[rnd(cl, 5)];
    r = call(cl, -1, &who, "list_campaigns", json_pack("{s:s, s:i}", "p_status", st, "p_limit", 1 + (int)rnd(cl, 50)), "ok");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "campaigns"), i, c) {
      if (strcmp(jstr(c, "status"), st)) violation(cl->s, "list_campaigns(%s) listed a campaign in %s", st, jstr(c, "status"));
      if (who.role == LEADSTORE_ROLE_AUTHENTICATED && strcmp(jstr(c, "organization_id"), who.organization_id))
        violation(cl->s, "list_campaigns as a member of %s listed a campaign of %s", who.organization_id, jstr(c, "organization_id"));
    }
  } else if (k == 2) {
    static const char *const types[] = {"facebook", "linkedin", "verification"};
    r = call(cl, p.c, &who, "get_businesses_for_enrichment",
             json_pack("{s:s, s:s, s:i}", "p_campaign_id", p.id, "p_enrichment_type", types[rnd(cl, 3)], "p_limit", 1 + (int)rnd(cl, 50)), allowed);
  } else if (k == 3) {
    static const char *const sources[] = {"linkedin", "facebook", "google_maps", "not_found"};
    const char *src = sources[rnd(cl, 4)];
    r = call(cl, p.c, &who, "list_businesses", json_pack("{s:s, s:s, s:i}", "p_campaign_id", p.id, "p_email_source", src, "p_limit", 1 + (int)rnd(cl, 100)), allowed);
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(r, "businesses"), i, b) if (strcmp(jstr(b, "email_source"), src))
        violation(cl->s, "list_businesses(p_email_source %s) listed one from %s", src, jstr(b, "email_source"));
  } else if (k == 4) {
    char bid[37] = "";
    bool known = pick_business(cl, p.c, bid) >= 0 && rnd(cl, 10);
    r = call(cl, p.c, &who, "get_business", json_pack("{s:s}", "p_business_id", known ? bid : UNKNOWN_ID), known ? allowed : "P0002");
    if (json_is_true(json_object_get(r, "success")) && strcmp(jstr(json_object_get(r, "business"), "id"), bid))
      violation(cl->s, "get_business(%s) answered another business", bid);
  } else if (k == 5) {
    r = call(cl, p.c, &who, "list_coverage", json_pack("{s:s}", "p_campaign_id", p.id), allowed);
  } else if (k == 6) {
    r = call(cl, p.c, &who, "list_costs", json_pack("{s:s, s:s}", "p_campaign_id", p.id, "p_service", services[rnd(cl, 4)]), allowed);
  } else if (k == 7) {
    r = call(cl, p.c, &who, "get_status_history", json_pack("{s:s}", "p_campaign_id", p.id), allowed);
    json_t *h = json_object_get(r, "history");
    for (size_t i = 0; i < json_array_size(h); i++) {
      json_t *row = json_array_get(h, i), *prev = i ? json_array_get(h, i - 1) : NULL;
      bool fine = i == 0 ? json_is_null(json_object_get(row, "old_status")) && !strcmp(jstr(row, "new_status"), "draft")
                         : pair_index(jstr(row, "old_status"), jstr(row, "new_status")) >= 0 &&
                               !strcmp(jstr(row, "old_status"), jstr(prev, "new_status"));
      if (!fine) {
        violation(cl->s, "%s: get_status_history row %zu (%s -> %s) breaks the path", p.id, i + 1, jstr(row, "old_status"), jstr(row, "new_status"));
        break;
      }
    }
  } else {
    const char *from = statuses[rnd(cl, 5)], *to = rnd(cl, 8) ? statuses[rnd(cl, 5)] : "archived";
    r = call(cl, -1, &who, "is_valid_status_transition", json_pack("{s:s, s:s}", "p_current", from, "p_new", to), "ok");
    if (json_is_true(json_object_get(r, "success")) && json_is_true(json_object_get(r, "valid")) != (pair_index(from, to) >= 0))
      violation(cl->s, "is_valid_status_transition(%s, %s) answered %s", from, to, json_is_true(json_object_get(r, "valid")) ? "true" : "false");
  }
  json_decref(r);
}

static void *client_main(void *arg) {
  client *cl = arg;
  for (long i = 0; i < cl->ops; i++) {
    unsigned k = rnd(cl, 100);
    if (k < 14) do_batch(cl);
    else if (k < 28) do_cost(cl);
    else if (k < 37) do_enrich(cl, true);
    else if (k < 46) do_enrich(cl, false);
    else if (k < 53) do_verify(cl);
    else if (k < 59) do_coverage(cl);
    else if (k < 65) do_status(cl);
    else if (k < 68) do_statistics(cl);
    else if (k < 71) do_create(cl);
    else if (k < 78) {
      if (!repeat(cl, k == 77)) do_cost(cl);
    }
    else do_read(cl);
  }
  return NULL;
}

/*--- The proof at the end -----------------------------------------------------------*/

typedef struct verifier {
  stress *s;
  leadstore *db;
  long businesses, costs, enrichments, transitions, skipped;
} verifier;

static json_t *ask(verifier *v, const char *op, json_t *params) {
  char *text = json_dumps(params, JSON_COMPACT | JSON_REAL_PRECISION(15)), *out = NULL;
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
  leadstore_call(v->db, &service, op, text, &out);
  json_t *r = out ? json_loads(out, 0, NULL) : NULL;
  if (!json_is_true(json_object_get(r, "success"))) violation(v->s, "the tool's own call %s %.200s failed: %s", op, text, out ? out : "no answer");
  free(text);
  leadstore_free(out);
  json_decref(params);
  return r;
}

/* Every row of a keyset-paged list (list_businesses, list_costs, list_coverage) of campaign id. */
static json_t *all_rows(verifier *v, const char *op, const char *key, const char *id) {
  json_t *rows = json_array();
  char after[64] = "";
  for (;;) {
    json_t *p = json_pack("{s:s, s:i}", "p_campaign_id", id, "p_limit", 1000);
    if (after[0]) json_object_set_new(p, "p_after", json_string(after));
    json_t *r = ask(v, op, p);
    json_array_extend(rows, json_object_get(r, key));
    const char *next = json_string_value(json_object_get(r, "next_after"));
    snprintf(after, sizeof after, "%s", next ? next : "");
    json_decref(r);
    if (!next) return rows;
  }
}

static void verify_campaign(verifier *v, int ci) {
  stress *s = v->s;
  campaign *k = &s->campaigns[ci];
  if (k->tainted) {
    v->skipped++;
    return;
  }
  json_t *r = ask(v, "get_campaign", json_pack("{s:s}", "p_campaign_id", k->id));
  json_t *c = json_object_get(r, "campaign");
  static const char *const columns[4] = {"google_maps_cost", "facebook_cost", "linkedin_enrichment_cost", "bouncer_verification_cost"};
  int64_t sum = 0;
  for (int i = 0; i < 4; i++) {
    sum += k->cost[i];
    if (jmicros(c, columns[i]) != k->cost[i])
      violation(s, "%s: %s is %lld micro-USD, the acknowledged calls add up to %lld", k->id, columns[i],
                (long long)jmicros(c, columns[i]), (long long)k->cost[i]);
  }
  if (jmicros(c, "actual_cost") != sum) violation(s, "%s: actual_cost %lld micro-USD, expected %lld", k->id, (long long)jmicros(c, "actual_cost"), (long long)sum);
  const char *status = jstr(c, "status");

  /* costs: exactly the acknowledged rows */
  json_t *rows = all_rows(v, "list_costs", "costs", k->id);
  size_t i;
  json_t *e;
  if ((long)json_array_size(rows) != k->ncosts) violation(s, "%s: %zu cost rows, %ld acknowledged", k->id, json_array_size(rows), k->ncosts);
  json_array_foreach(rows, i, e) {
    id_entry *x = id_find(s, jstr(e, "id"));
    if (!x || x->kind != ID_COST || x->c != ci) violation(s, "%s: cost row %s was never acknowledged", k->id, jstr(e, "id"));
  }
  v->costs += k->ncosts;
  json_decref(rows);

  /* businesses: each acknowledged place once, with its id and the email of the model */
  long places = 0, emails = 0, fb_rows = 0;
  bool seen[PLACES] = {0};
  rows = all_rows(v, "list_businesses", "businesses", k->id);
  json_array_foreach(rows, i, e) {
    int p = place_index(jstr(e, "place_id"));
    if (p < 0 || p >= PLACES || !k->places[p].id[0] || seen[p] || strcmp(k->places[p].id, jstr(e, "id"))) {
      violation(s, "%s: business %s (place %s) is not an acknowledged place, or not once", k->id, jstr(e, "id"), jstr(e, "place_id"));
      continue;
    }
    seen[p] = true;
    place_t *pl = &k->places[p];
    static const char *const sources[4] = {"not_found", "google_maps", "facebook", "linkedin"};
    const char *email = json_string_value(json_object_get(e, "email"));
    bool member = false;
    for (int m = 0; email && m < pl->nemails; m++) member |= !strcasecmp(pl->emails[m], email);
    if (strcmp(jstr(e, "email_source"), sources[pl->rank]) || (pl->rank ? !member : email != NULL))
      violation(s, "%s: business %s has %s from %s; the acknowledged offers give rank %s (%d emails)", k->id, pl->id,
                email ? email : "no email", jstr(e, "email_source"), sources[pl->rank], pl->nemails);
    emails += pl->rank > 0;
  }
  json_decref(rows);
  for (int p = 0; p < PLACES; p++) {
    place_t *pl = &k->places[p];
    if (!pl->id[0]) continue;
    places++;
    if (!seen[p]) violation(s, "%s: acknowledged business %s (place p%d) is missing", k->id, pl->id, p);
    json_t *b = ask(v, "get_business", json_pack("{s:s}", "p_business_id", pl->id));
    static const char *const lists[3] = {"facebook_enrichments", "linkedin_enrichments", "verifications"};
    int want[3] = {pl->fb, pl->li, pl->verifications};
    for (int l = 0; l < 3; l++) {
      json_t *list = json_object_get(b, lists[l]);
      if ((int)json_array_size(list) != want[l])
        violation(s, "%s: business %s has %zu %s, %d acknowledged", k->id, pl->id, json_array_size(list), lists[l], want[l]);
      for (size_t j = 0; l < 2 && j < json_array_size(list); j++) {
        id_entry *x = id_find(s, jstr(json_array_get(list, j), "id"));
        if (!x || x->kind != (l ? ID_LI : ID_FB) || x->c != ci || x->p != p)
          violation(s, "%s: %s row %s of business %s was never acknowledged", k->id, lists[l], jstr(json_array_get(list, j), "id"), pl->id);
      }
    }
    v->enrichments += pl->fb + pl->li + pl->verifications;
    fb_rows += pl->fb;
    json_decref(b);
  }
  v->businesses += places;

  /* coverage */
  rows = all_rows(v, "list_coverage", "coverage", k->id);
  long scraped = 0;
  if ((int)json_array_size(rows) != k->nzips) violation(s, "%s: %zu coverage rows, %d created", k->id, json_array_size(rows), k->nzips);
  json_array_foreach(rows, i, e) {
    int z = 0;
    while (z < k->nzips && strcmp(k->zips[z], jstr(e, "zip_code"))) z++;
    long long found = json_integer_value(json_object_get(e, "businesses_found"));
    bool is = json_is_true(json_object_get(e, "scraped"));
    scraped += is;
    if (z == k->nzips || is != k->scraped[z] || (is && (found < 0 || found > 63 || !(k->found[z] >> found & 1))))
      violation(s, "%s: coverage %s (scraped %d, businesses_found %lld) is not what acknowledged calls sent", k->id, jstr(e, "zip_code"), is, found);
  }
  json_decref(rows);

  /* status history: a path from draft, ending at the status, made of the acknowledged transitions */
  json_t *hr = ask(v, "get_status_history", json_pack("{s:s}", "p_campaign_id", k->id));
  json_t *h = json_object_get(hr, "history");
  long seen_pairs[5] = {0};
  bool path = json_array_size(h) > 0;
  for (size_t j = 0; path && j < json_array_size(h); j++) {
    json_t *row = json_array_get(h, j);
    if (j == 0) {
      path = json_is_null(json_object_get(row, "old_status")) && !strcmp(jstr(row, "new_status"), "draft");
      continue;
    }
    int pi = pair_index(jstr(row, "old_status"), jstr(row, "new_status"));
    path = pi >= 0 && !strcmp(jstr(row, "old_status"), jstr(json_array_get(h, j - 1), "new_status"));
    if (pi >= 0) seen_pairs[pi]++;
  }
  if (!path || strcmp(jstr(json_array_get(h, json_array_size(h) - 1), "new_status"), status))
    violation(s, "%s: the status history is not a path of the state machine ending at %s", k->id, status);
  for (int pi = 0; path && pi < 5; pi++) {
    if (seen_pairs[pi] != k->transitions[pi])
      violation(s, "%s: %ld history rows %s -> %s, %ld acknowledged", k->id, seen_pairs[pi], pairs[pi][0], pairs[pi][1], k->transitions[pi]);
    v->transitions += k->transitions[pi];
  }
  json_decref(hr);

  /* counters: the model's counts, and a recount without drift */
  struct {
    const char *column;
    long want;
  } counters[] = {{"total_businesses_found", places}, {"total_emails_found", emails}, {"total_facebook_pages_found", k->fb_success},
                  {"total_linkedin_profiles_found", k->li_url}, {"actual_zip_count", k->nzips}};
  for (size_t j = 0; j < sizeof counters / sizeof counters[0]; j++)
    if (json_integer_value(json_object_get(c, counters[j].column)) != counters[j].want)
      violation(s, "%s: %s is %lld, the model counts %ld", k->id, counters[j].column,
                (long long)json_integer_value(json_object_get(c, counters[j].column)), counters[j].want);
  (void)fb_rows;
  json_decref(r);
  r = ask(v, "update_campaign_statistics_tx", json_pack("{s:s}", "p_campaign_id", k->id));
  if (!json_is_false(json_object_get(r, "drift_corrected"))) violation(s, "%s: the final recount found drift", k->id);
  if (json_integer_value(json_object_get(json_object_get(r, "statistics"), "zips_scraped")) != scraped)
    violation(s, "%s: zips_scraped differs from the coverage rows", k->id);
  json_decref(r);
}

/* One write nobody records, so the model must notice it (--sabotage). */
static void sabotage(verifier *v, const char *what) {
  stress *s = v->s;
  campaign *k = &s->campaigns[0];
  json_t *r = NULL;
  if (!strcmp(what, "cost"))
    r = ask(v, "track_api_cost_tx", json_pack("{s:s, s:s, s:{s:f}}", "p_campaign_id", k->id, "p_service", "bouncer", "p_cost_data", "cost_usd", 0.000001));
  else if (!strcmp(what, "business"))
    r = ask(v, "batch_upsert_businesses_tx", json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "p_campaign_id", k->id, "p_zip_code", k->zips[0],
                                                       "p_businesses", "place_id", "p0sabotage", "name", "Sabotage"));
  else if (!strcmp(what, "email")) {
    for (int p = 0; p < PLACES && !r; p++)
      if (k->places[p].id[0])
        r = ask(v, "save_linkedin_enrichment_tx", json_pack("{s:s, s:{s:s}}", "p_business_id", k->places[p].id, "p_enrichment_data",
                                                            "primary_email", "sabotage@unrecorded.example"));
  } else if (!strcmp(what, "status")) {
    r = ask(v, "get_campaign", json_pack("{s:s}", "p_campaign_id", k->id));
    const char *now = jstr(json_object_get(r, "campaign"), "status");
    const char *to = !strcmp(now, "running") ? "paused" : "running";
    json_decref(r);
    r = ask(v, "update_campaign_status_tx", json_pack("{s:s, s:s}", "p_campaign_id", k->id, "p_new_status", to));
  }
  json_decref(r);
}

/*--- The command --------------------------------------------------------------------*/

static int parse_count(const char *name, const char *v, long min, long max, long *out) {
  char *end = NULL;
  long n = v ? strtol(v, &end, 10) : 0;
  if (!v || !*v || *end || n < min || n > max) {
    fprintf(stderr, "leadstore: %s takes a whole number from %ld to %ld\n", name, min, max);
    return CLI_USAGE;
  }
  *out = n;
  return 0;
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cli_stress(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc) {
    fprintf(stderr, "leadstore: stress takes no arguments (see leadstore help stress)\n");
    return CLI_USAGE;
  }
  long clients = 4, ops = 10000, seed = 1;
  const char *sabotaged = NULL;
  for (int i = 0; i < o->ngiven; i++) {
    const char *n = o->given[i].name, *val = o->given[i].value;
    int rc = !strcmp(n, "--clients") ? parse_count(n, val, 1, MAX_CLIENTS, &clients)
             : !strcmp(n, "--ops")   ? parse_count(n, val, 1, 1000000000L, &ops)
             : !strcmp(n, "--seed")  ? parse_count(n, val, 0, 2147483647L, &seed)
                                     : 0;
    if (!strcmp(n, "--sabotage")) {
      sabotaged = val;
      if (strcmp(val, "cost") && strcmp(val, "business") && strcmp(val, "email") && strcmp(val, "status")) {
        fprintf(stderr, "leadstore: --sabotage is cost, business, email or status\n");
        rc = CLI_USAGE;
      }
    }
    if (rc) return rc;
  }
  if (o->caller.role != LEADSTORE_ROLE_SERVICE) {
    fprintf(stderr, "leadstore: stress acts as service_role and as members of its own organizations; --org and --role do not apply\n");
    return CLI_USAGE;
  }
  int rc = 0;
  verifier v = {0};
  stress *s = calloc(1, sizeof *s);
  client *cls = calloc((size_t)clients, sizeof *cls);
  if (!s || !cls) return 70;
  s->o = o, s->clients = (int)clients, s->ops = ops, s->seed = (unsigned long long)seed;
  s->campaigns = calloc(MAX_CAMPAIGNS, sizeof *s->campaigns);
  pthread_mutex_init(&s->lock, NULL);
  if (!(v.db = cli_open_db(o, o->create, &rc))) goto done;
  v.s = s;
  const char *engine = leadstore_engine(v.db);
  const char *key = getenv("LEADSTORE_API_KEY"), *secret = getenv("LEADSTORE_JWT_SECRET");
  s->orgs = strcmp(engine, "http") || (!(key && *key) && secret && *secret);
  for (long i = 0; i < clients; i++)
    if (!(cls[i].db = cli_open_db(o, 0, &rc))) goto done;

  /* the starting campaigns, and the count before the run */
  json_t *r = ask(&v, "list_campaigns", json_pack("{s:i}", "p_limit", 1));
  long long before = json_integer_value(json_object_get(r, "total"));
  json_decref(r);
  if (s->violations) {
    rc = 1;
    goto done;
  }
  for (int c = 0; c < START_CAMPAIGNS; c++) {
    const char *org = !s->orgs || c % 3 == 0 ? NULL : c % 3 == 1 ? ORG_A : ORG_B;
    json_t *p = json_pack("{s:{s:s}, s:[{s:s}, {s:s}, {s:s}, {s:s}]}", "p_campaign_data", "name", "stress", "p_coverage_data",
                          "zip_code", "90001", "zip_code", "90002", "zip_code", "90003", "zip_code", "90004");
    if (org) json_object_set_new(json_object_get(p, "p_campaign_data"), "organization_id", json_string(org));
    json_t *params = json_deep_copy(p);
    r = ask(&v, "create_campaign_with_coverage_tx", p);
    if (!json_is_true(json_object_get(r, "success"))) {
      json_decref(params);
      json_decref(r);
      rc = 1;
      goto done;
    }
    leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
    apply(s, "create_campaign_with_coverage_tx", params, r, &service);
    s->campaigns[c].finishable = c == START_CAMPAIGNS - 1;
    json_decref(params);
    json_decref(r);
  }
  s->created = 0;
  snprintf(s->run, sizeof s->run, "%.8s", s->campaigns[0].id);

  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_t threads[MAX_CLIENTS];
  for (long i = 0; i < clients; i++) {
    cls[i] = (client){.s = s, .index = (int)i, .db = cls[i].db, .ops = ops / clients + (i < ops % clients),
                      .rng = (unsigned long long)seed * 0x9E3779B97F4A7C15ULL + (unsigned long long)i * 7919 + 1,
                      .stats = calloc(leadstore_op_count(), sizeof(op_stats))};
    if (!cls[i].stats || pthread_create(&threads[i], NULL, client_main, &cls[i])) {
      fprintf(stderr, "leadstore: cannot start client %ld\n", i);
      for (long j = 0; j < i; j++) pthread_join(threads[j], NULL);
      rc = 70;
      goto done;
    }
  }
  for (long i = 0; i < clients; i++) pthread_join(threads[i], NULL);
  double elapsed = seconds_since(&t0);

  if (sabotaged) sabotage(&v, sabotaged);
  for (int c = 0; c < s->ncampaigns; c++) verify_campaign(&v, c);
  r = ask(&v, "list_campaigns", json_pack("{s:i}", "p_limit", 1));
  long long after = json_integer_value(json_object_get(r, "total"));
  json_decref(r);
  if (after != before + START_CAMPAIGNS + s->created)
    violation(s, "%lld campaigns before, %lld after: %d started and %ld acknowledged creations", before, after, START_CAMPAIGNS, s->created);
  char *report = NULL;
  bool clean = false;
  if (leadstore_check(v.db, &report) == LEADSTORE_OK) {
    json_t *cr = report ? json_loads(report, 0, NULL) : NULL;
    clean = json_is_true(json_object_get(cr, "ok"));
    if (!clean) violation(s, "check: %.400s", report);
    json_decref(cr);
  } else {
    violation(s, "check could not run: %.400s", report ? report : "");
  }
  leadstore_free(report);

  /* the report */
  long total = 0, okn = 0, replays = 0, retryable = 0, indeterminate = 0;
  json_t *per_op = json_object(), *by_code = json_object();
  for (size_t i = 0; i < leadstore_op_count(); i++) {
    op_stats t = {0};
    for (long j = 0; j < clients; j++) t.calls += cls[j].stats[i].calls, t.ok += cls[j].stats[i].ok, t.replayed += cls[j].stats[i].replayed;
    total += t.calls, okn += t.ok, replays += t.replayed;
    json_object_set_new(per_op, leadstore_op_name(i), json_pack("{s:I, s:I, s:I}", "calls", (json_int_t)t.calls, "ok", (json_int_t)t.ok, "replayed", (json_int_t)t.replayed));
  }
  for (long j = 0; j < clients; j++) {
    retryable += cls[j].retryable, indeterminate += cls[j].indeterminate;
    for (int k = 0; k < cls[j].ncodes; k++) {
      json_t *n = json_object_get(by_code, cls[j].codes[k].code);
      json_object_set_new(by_code, cls[j].codes[k].code, json_integer((n ? json_integer_value(n) : 0) + cls[j].codes[k].n));
    }
  }
  char *target = NULL;
  leadstore_target_masked(o->db, &target);
  if (o->json) {
    json_t *out = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:f, s:f, s:{s:i, s:i, s:I, s:I, s:I, s:I, s:I}, s:b, s:b, s:I}",
                            "engine", engine, "target", target ? target : "", "clients", (int)clients, "seed", (json_int_t)seed,
                            "operations", (json_int_t)total, "ok", (json_int_t)okn, "failed", (json_int_t)(total - okn),
                            "replayed", (json_int_t)replays, "per_operation", per_op, "failures_by_code", by_code,
                            "retryable", (json_int_t)retryable, "indeterminate", (json_int_t)indeterminate, "seconds", elapsed,
                            "operations_per_second", elapsed > 0 ? (double)total / elapsed : 0.0, "model", "campaigns",
                            s->ncampaigns, "campaigns_not_modelled", (int)v.skipped, "businesses", (json_int_t)v.businesses,
                            "costs", (json_int_t)v.costs, "enrichment_rows", (json_int_t)v.enrichments, "transitions",
                            (json_int_t)v.transitions, "created", (json_int_t)s->created, "org_callers", s->orgs, "check_clean",
                            clean, "violations", (json_int_t)s->violations);
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(out);
  } else {
    printf("leadstore stress: %s at %s, %ld clients, seed %ld%s\n", engine, target ? target : "", clients, seed,
           s->orgs ? "" : " (service_role only: a fixed API key speaks for one caller; set LEADSTORE_JWT_SECRET instead for members)");
    printf("%-34s %8s %8s %8s %8s\n", "operation", "calls", "ok", "failed", "replayed");
    const char *name;
    json_t *st;
    json_object_foreach(per_op, name, st) {
      long long calls = json_integer_value(json_object_get(st, "calls")), ok = json_integer_value(json_object_get(st, "ok"));
      printf("%-34s %8lld %8lld %8lld %8lld\n", name, calls, ok, calls - ok, (long long)json_integer_value(json_object_get(st, "replayed")));
    }
    printf("%-34s %8ld %8ld %8ld %8ld\n", "total", total, okn, total - okn, replays);
    printf("failures by code:");
    json_t *n;
    json_object_foreach(by_code, name, n) printf(" %s %lld", name, (long long)json_integer_value(n));
    printf("%s\n", json_object_size(by_code) ? "" : " none");
    printf("retryable failures: %ld; indeterminate (connection lost mid-write): %ld\n", retryable, indeterminate);
    printf("elapsed %.2f s, %.0f operations/s\n", elapsed, elapsed > 0 ? (double)total / elapsed : 0.0);
    printf("model: %d campaigns (%ld created by clients, %ld not modelled), %ld businesses, %ld costs, %ld enrichment and "
           "verification rows, %ld status changes\n",
           s->ncampaigns, s->created, v.skipped, v.businesses, v.costs, v.enrichments, v.transitions);
    printf("check: %s\n", clean ? "clean" : "VIOLATIONS");
    printf("violations: %ld\n", s->violations);
    json_decref(per_op);
    json_decref(by_code);
  }
  leadstore_free(target);
  rc = s->violations ? 1 : 0;

done:
  for (int i = 0; i < s->nshown; i++) fprintf(stderr, "leadstore: violation: %s\n", s->shown[i]);
  if (s->violations > s->nshown) fprintf(stderr, "leadstore: … and %ld more violations\n", s->violations - s->nshown);
  for (long i = 0; i < clients; i++) {
    leadstore_close(cls[i].db);
    free(cls[i].stats);
    for (int k = 0; k < cls[i].nkept; k++) free(cls[i].kept[k].op), free(cls[i].kept[k].params), json_decref(cls[i].kept[k].result);
  }
  leadstore_close(v.db);
  for (int c = 0; c < MAX_CAMPAIGNS; c++)
    for (int p = 0; p < PLACES; p++) {
      for (int m = 0; m < s->campaigns[c].places[p].nemails; m++) free(s->campaigns[c].places[p].emails[m]);
      free(s->campaigns[c].places[p].emails);
    }
  for (int i = 0; i < s->nshown; i++) free(s->shown[i]);
  pthread_mutex_destroy(&s->lock);
  free(s->campaigns);
  free(s->ids);
  free(s);
  free(cls);
  return rc;
}
