/*
 * secret.c — the JWT secret the server verifies keys with, and the `keys`
 * command that mints them from the same secret.
 *
 * One resolution for both (srv_secret_resolve): $LEADSTORE_JWT_SECRET, else
 * --jwt-secret-file, else — for an SQLite file — `<db>.jwt-secret` beside the
 * database, created on first use from 32 bytes of RAND_bytes() with mode
 * 0600.  A PostgreSQL database has no "beside": it needs one of the first
 * two (the same secret as the Supabase project's, so its keys work).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cli.h"
#include "server/server.h"

enum { MIN_SECRET = 32, MAX_SECRET = 4096 };

/* A new printf-formatted string in *err; returns NULL. */
static char *fail(char **err, const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + (a ? strlen(a) : 0) + (b ? strlen(b) : 0) + 1;
  *err = malloc(n);
  if (*err) snprintf(*err, n, fmt, a ? a : "", b ? b : "");
  return NULL;
}

/* The secret in file `path`, refused when group/world-readable; NULL and *err on failure. */
static char *read_secret_file(const char *path, char **err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(err, "cannot open the JWT secret file %s: %s", path, strerror(errno));
  struct stat st = {0};
  char buf[MAX_SECRET + 2];
  ssize_t n = -1;
  if (fstat(fd, &st) != 0) st.st_mode = 077; /* unknown: refused */
  if (!(st.st_mode & 077)) n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (st.st_mode & 077) return fail(err, "the JWT secret file %s is readable by others: chmod 600 it%s", path, NULL);
  if (n < 0 || n > MAX_SECRET) return fail(err, "cannot read the JWT secret file %s%s", path, NULL);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
  buf[n] = '\0';
  return strdup(buf);
}

/* Creates `path` with a fresh random secret, mode 0600; false and *err on failure. */
static bool create_secret_file(const char *path, char **err) {
  unsigned char raw[32];
  char hex[65];
  if (RAND_bytes(raw, sizeof raw) != 1) return fail(err, "no random bytes for a JWT secret%s%s", NULL, NULL), false;
  for (size_t i = 0; i < sizeof raw; i++) snprintf(hex + 2 * i, 3, "%02x", raw[i]);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return true; /* created meanwhile by another process */
  if (fd < 0) return fail(err, "cannot create the JWT secret file %s: %s", path, strerror(errno)), false;
  bool ok = write(fd, hex, 64) == 64 && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path);
    return fail(err, "cannot write the JWT secret file %s%s", path, NULL), false;
  }
  return true;
}


char *srv_secret_resolve(const char *db, const char *secret_file, char **err) {
  *err = NULL;
  char *secret = NULL;
  const char *file = NULL; /* an SQLite target's path */
  const char *env = getenv("LEADSTORE_JWT_SECRET");
  if (env && *env) {
    secret = strdup(env);
  } else if (secret_file) {
    secret = read_secret_file(secret_file, err);
  } else if (db && *db && !strcmp(leadstore_target_engine(db, &file), "sqlite")) {
    char *path = NULL;
    if (asprintf(&path, "%s.jwt-secret", file) < 0) return fail(err, "out of memory%s%s", NULL, NULL);
    if (access(path, F_OK) == 0 || create_secret_file(path, err)) secret = read_secret_file(path, err);
    free(path);
  } else {
    return fail(err, "no JWT secret for %s: set LEADSTORE_JWT_SECRET or --jwt-secret-file%s", "this database", NULL);
  }
  if (secret && strlen(secret) < MIN_SECRET) {
    free(secret);
    return fail(err, "the JWT secret is shorter than 32 characters%s%s", NULL, NULL);
  }
  if (!secret && !*err) fail(err, "out of memory%s%s", NULL, NULL);
  return secret;
}

/*--- leadstore keys ---------------------------------------------------------*/

/* "30d", "12h", "90m", "3600s", "1y", "3600" or "never" (0) in seconds; -1 when malformed. */
static long long parse_duration(const char *s) {
  if (!strcmp(s, "never")) return 0;
  char *end = NULL;
  errno = 0;
  long long n = strtoll(s, &end, 10);
  if (errno || end == s || n <= 0) return -1;
  long long unit = !*end ? 1 : !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600
                   : !strcmp(end, "d") ? 86400 : !strcmp(end, "y") ? 31536000 : -1;
  if (unit < 0 || n > 100LL * 31536000 / unit) return -1;
  return n * unit;
}

int cli_keys(const cli_options *o, int argc, char **argv) {
  const char *db = o->db, *role = o->role, *org = o->org, *expires = "30d", *secret_file = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = !strcmp(a, "--db") ? &db : !strcmp(a, "--role") ? &role : !strcmp(a, "--org") ? &org
                        : !strcmp(a, "--expires") ? &expires : !strcmp(a, "--jwt-secret-file") ? &secret_file
                                                                                                 : NULL;
    if (!slot || i + 1 >= argc) {
      fprintf(stderr, "leadstore keys: %s %s\n", a, slot ? "needs a value" : "is not an option of keys");
      return CLI_USAGE;
    }
    *slot = argv[++i];
  }
  leadstore_caller who = {LEADSTORE_ROLE_SERVICE, NULL};
  if (!role) role = org ? "authenticated" : NULL;
  if (!role || !(!strcmp(role, "service_role") || !strcmp(role, "authenticated") || !strcmp(role, "anon"))) {
    fprintf(stderr, "leadstore keys: --role service_role|authenticated|anon is required\n");
    return CLI_USAGE;
  }
  if (!strcmp(role, "authenticated") && !org) {
    fprintf(stderr, "leadstore keys: role authenticated needs --org UUID (its organization)\n");
    return CLI_USAGE;
  }
  if (!strcmp(role, "authenticated")) who = (leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, org};
  if (!strcmp(role, "anon")) who.role = LEADSTORE_ROLE_ANON;
  long long ttl = parse_duration(expires);
  if (ttl < 0) {
    fprintf(stderr, "leadstore keys: --expires takes N[s|m|h|d|y] or never, not %s\n", expires);
    return CLI_USAGE;
  }
  char *err = NULL;
  char *secret = srv_secret_resolve(db, secret_file, &err);
  if (!secret) {
    fprintf(stderr, "leadstore keys: %s\n", err ? err : "no secret");
    free(err);
    return leadstore_status_exit(LEADSTORE_EINVAL);
  }
  char *token = NULL;
  int rc = leadstore_token_mint(secret, &who, ttl, &token);
  free(secret);
  if (rc) {
    fprintf(stderr, "leadstore keys: %s\n",
            rc == LEADSTORE_EUUID ? "--org must be the organization's UUID (role authenticated needs it)"
                                  : leadstore_status_message(rc));
    return leadstore_status_exit(rc);
  }
  printf("%s\n", token);
  leadstore_free(token);
  return 0;
}
