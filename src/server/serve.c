/*
 * serve.c — `leadstore serve`: the PostgREST-compatible HTTP server.
 *
 *   leadstore serve [--db TARGET] [--listen HOST:PORT] [--threads N]
 *                   [--max-body BYTES] [--max-connections N] [--timeout S]
 *                   [--jwt-secret-file F] [--log-format text|json]
 *                   [--switches FILE] [--disable OP|writes|all]... [--read-only]
 *                   [--check-interval S] [--durability full|normal] [--create]
 *                   [--group-commit on|off]
 *
 * libmicrohttpd runs a pool of worker threads, each with its own epoll loop
 * (a slow client holds a connection slot, never a worker: a worker runs a
 * request only once its headers and body are in).  The main thread waits
 * for signals: SIGHUP re-reads the switches, SIGTERM/SIGINT shut down
 * gracefully — stop accepting, let the requests in flight finish (answers
 * carry `Connection: close`), stop the workers, close the databases — and,
 * every --check-interval seconds, runs the invariant check for /metrics.
 *
 * When it listens, it prints exactly one line on standard output:
 *   leadstore: listening on http://HOST:PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "server/server.h"

srv_config srv_cfg;

enum { DEFAULT_MAX_BODY = 64 << 20, MAX_FLAGS = 64 };

typedef struct serve_args {
  const char *listen, *secret_file, *switches, *log_format, *durability, *group_commit;
  const char *disable[MAX_FLAGS];
  size_t ndisable;
  unsigned threads, timeout_s;
  double check_interval;
  bool create; /* --create: the probe creates a missing SQLite file */
} serve_args;

/* A positive number in [1, max] from text; 0 when malformed. */
static unsigned long long number(const char *s, unsigned long long max) {
  char *end = NULL;
  errno = 0;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || n > max) return 0;
  return n;
}

/* Parses serve's options into a and srv_cfg; false (after saying why) on a usage error. */
static bool parse(serve_args *a, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--read-only")) {
      if (a->ndisable < MAX_FLAGS) a->disable[a->ndisable++] = "writes";
      continue;
    }
    if (!strcmp(o, "--create")) {
      a->create = true;
      continue;
    }
    if (i + 1 >= argc || strncmp(o, "--", 2)) {
      fprintf(stderr, "leadstore serve: %s %s\n", o, strncmp(o, "--", 2) ? "is not an option" : "needs a value");
      return false;
    }
    const char *v = argv[++i];
    if (!strcmp(o, "--db")) srv_cfg.db = v;
    else if (!strcmp(o, "--listen")) a->listen = v;
    else if (!strcmp(o, "--jwt-secret-file")) a->secret_file = v;
    else if (!strcmp(o, "--switches")) a->switches = v;
    else if (!strcmp(o, "--log-format")) a->log_format = v;
    else if (!strcmp(o, "--durability")) a->durability = v;
    else if (!strcmp(o, "--group-commit")) a->group_commit = v;
    else if (!strcmp(o, "--disable") && a->ndisable < MAX_FLAGS) a->disable[a->ndisable++] = v;
    else if (!strcmp(o, "--threads") && (a->threads = (unsigned)number(v, 1024))) continue;
    else if (!strcmp(o, "--timeout") && (a->timeout_s = (unsigned)number(v, 86400))) continue;
    else if (!strcmp(o, "--max-connections") && (srv_cfg.max_connections = (unsigned)number(v, 1 << 20))) continue;
    else if (!strcmp(o, "--max-body") && (srv_cfg.max_body = (size_t)number(v, 1ULL << 32))) continue;
    else if (!strcmp(o, "--check-interval")) {
      a->check_interval = strcmp(v, "0") ? (double)number(v, 86400 * 7) : 0;
      if (strcmp(v, "0") && a->check_interval == 0) goto bad;
    } else {
      goto bad;
    }
    continue;
  bad:
    fprintf(stderr, "leadstore serve: bad option %s %s (see leadstore help)\n", o, v);
    return false;
  }
  if (a->log_format && strcmp(a->log_format, "text") && strcmp(a->log_format, "json")) {
    fprintf(stderr, "leadstore serve: --log-format is text or json\n");
    return false;
  }
  srv_cfg.log_json = a->log_format && !strcmp(a->log_format, "json");
  if (a->group_commit && strcmp(a->group_commit, "on") && strcmp(a->group_commit, "off")) {
    fprintf(stderr, "leadstore serve: --group-commit is on or off\n");
    return false;
  }
  srv_cfg.group_commit = !a->group_commit || !strcmp(a->group_commit, "on");
  if (a->durability && !strcmp(a->durability, "normal")) srv_cfg.opts.durability = LEADSTORE_DURABLE_NORMAL;
  else if (a->durability && strcmp(a->durability, "full")) {
    fprintf(stderr, "leadstore serve: --durability is full or normal\n");
    return false;
  }
  return true;
}

/* HOST:PORT (HOST an IPv4 address, `localhost` or [IPv6]) into addr; false when malformed. */
static bool parse_listen(const char *s, struct sockaddr_storage *addr, char *host, size_t hostsz) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s) return false;
  unsigned long long port = strcmp(colon + 1, "0") ? number(colon + 1, 65535) : 0;
  if (port == 0 && strcmp(colon + 1, "0")) return false;
  size_t n = (size_t)(colon - s);
  if (n + 1 > hostsz) return false;
  memcpy(host, s, n);
  host[n] = '\0';
  memset(addr, 0, sizeof *addr);
  if (host[0] == '[' && host[n - 1] == ']') {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
    char inner[INET6_ADDRSTRLEN];
    if (n - 2 >= sizeof inner) return false; /* longer than any IPv6 address */
    memcpy(inner, host + 1, n - 2);
    inner[n - 2] = '\0';
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    return inet_pton(AF_INET6, inner, &a6->sin6_addr) == 1;
  }
  struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
  a4->sin_family = AF_INET;
  a4->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1", &a4->sin_addr) == 1;
}

/* Runs the invariant check on its own handle and publishes the result. */
static void run_check(void) {
  leadstore *db = NULL;
  char *msg = NULL, *report = NULL;
  long violations = -1;
  if (leadstore_open(srv_cfg.db, &srv_cfg.opts, &db, &msg) == LEADSTORE_OK && leadstore_check(db, &report) == 0) {
    json_t *r = json_loads(report, 0, NULL);
    violations = (long)json_array_size(json_object_get(r, "violations"));
    json_decref(r);
  }
  if (violations != 0) fprintf(stderr, "leadstore: the invariant check %s\n", violations < 0 ? "could not run" : "found violations");
  srv_metrics_check(violations, (int64_t)time(NULL));
  leadstore_free(report);
  leadstore_free(msg);
  leadstore_close(db);
}

/* Waits for the requests in flight to end, at most `seconds`. */
static void drain(unsigned seconds) {
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (unsigned long i = 0; srv_metrics_inflight_now() > 0 && i < seconds * 100UL; i++) nanosleep(&tick, NULL);
}

/* The control loop: signals and the periodic check, until SIGTERM/SIGINT. */
static void control(const sigset_t *set, double check_interval) {
  time_t next_check = check_interval > 0 ? time(NULL) : 0;
  for (;;) {
    if (next_check && time(NULL) >= next_check) {
      run_check();
      next_check = time(NULL) + (time_t)check_interval;
    }
    struct timespec wait = {next_check ? (next_check - time(NULL) > 0 ? next_check - time(NULL) : 0) : 3600, 0};
    int sig = sigtimedwait(set, NULL, &wait);
    if (sig == SIGTERM || sig == SIGINT) return;
    if (sig == SIGHUP) {
      char *err = NULL;
      if (srv_switches_reload(&err)) {
        srv_metrics_switches_reloaded();
        fprintf(stderr, "leadstore: switches reloaded\n");
      } else {
        fprintf(stderr, "leadstore: switches not reloaded, the previous ones stay: %s\n", err ? err : "out of memory");
      }
      free(err);
    }
  }
}

int cli_serve(const cli_options *o, int argc, char **argv) {
  serve_args a = {.listen = "127.0.0.1:8080", .threads = 8, .timeout_s = 30, .check_interval = 60, .create = o->create};
  srv_cfg = (srv_config){.db = o->db, .max_body = DEFAULT_MAX_BODY, .max_connections = 512};
  if (o->durability) a.durability = o->durability;
  if (!parse(&a, argc, argv)) return CLI_USAGE;
  struct sockaddr_storage addr;
  char host[80];
  if (!parse_listen(a.listen, &addr, host, sizeof host)) {
    fprintf(stderr, "leadstore serve: --listen takes HOST:PORT (e.g. 127.0.0.1:8080), not %s\n", a.listen);
    return CLI_USAGE;
  }
  int rc = 1;
  char *err = NULL;
  struct MHD_Daemon *d = NULL;
  if (!srv_catalog_init() || !srv_metrics_init(srv_op_count())) {
    fprintf(stderr, "leadstore serve: out of memory\n");
    goto done;
  }
  if (!srv_switches_init(a.switches, a.disable, a.ndisable, &err)) {
    fprintf(stderr, "leadstore serve: %s\n", err ? err : "out of memory");
    rc = CLI_USAGE;
    goto done;
  }
  srv_cfg.secret = srv_secret_resolve(srv_cfg.db, a.secret_file, &err);
  if (!srv_cfg.secret) {
    fprintf(stderr, "leadstore serve: %s\n", err ? err : "no JWT secret");
    goto done;
  }
  /* The database must open now: a typo in --db is an error, not a server of 503s. */
  /* Only the probe may create the file: a worker never makes a new one if it disappears. */
  leadstore *probe = NULL;
  char *msg = NULL;
  leadstore_options probe_opts = srv_cfg.opts;
  probe_opts.create = a.create;
  if ((rc = leadstore_open(srv_cfg.db, &probe_opts, &probe, &msg))) {
    const char *path = NULL, *engine = leadstore_target_engine(srv_cfg.db, &path);
    bool missing = rc == LEADSTORE_ECONFIG && !strcmp(engine, "sqlite") && access(path, F_OK) != 0;
    fprintf(stderr, "leadstore serve: %s", msg ? msg : "cannot open the database");
    if (missing) fprintf(stderr, " (create it with `leadstore init --db %s` or pass --create)", srv_cfg.db);
    fprintf(stderr, "\n");
    leadstore_free(msg);
    rc = leadstore_status_exit(rc);
    goto done;
  }
  rc = 1;
  leadstore_close(probe);

  /* Signals are taken by the control loop only: blocked before the workers start, so they inherit it. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  /* a shell starts background commands with SIGINT ignored: an ignored signal would never be pending */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
  /* group commit where it pays: SQLite, one writer at a time and an fsync per commit (PostgreSQL
   * runs writers concurrently and groups their commits itself) */
  bool grouped = srv_cfg.group_commit && !strcmp(leadstore_target_engine(srv_cfg.db, NULL), "sqlite");
  if (grouped && !srv_group_start(&msg)) {
    fprintf(stderr, "leadstore serve: cannot start the group committer: %s\n", msg ? msg : "out of memory");
    leadstore_free(msg);
    goto done;
  }
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
                   (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  d = MHD_start_daemon(flags, 0, NULL, NULL, srv_handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                       MHD_OPTION_THREAD_POOL_SIZE, a.threads, MHD_OPTION_CONNECTION_LIMIT,
                       srv_cfg.max_connections + 64, MHD_OPTION_CONNECTION_TIMEOUT, a.timeout_s,
                       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
                       srv_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, srv_connection, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "leadstore serve: cannot listen on %s: %s\n", a.listen, strerror(errno));
    goto done;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("leadstore: listening on http://%s:%u\n", host, info ? (unsigned)info->port : 0);
  fflush(stdout);
  char *shown = NULL;
  leadstore_target_masked(srv_cfg.db, &shown);
  fprintf(stderr, "leadstore: serving %s with %u workers%s (SIGHUP reloads switches, SIGTERM stops)\n",
          shown ? shown : "the database", a.threads, grouped ? " and group commit" : "");
  leadstore_free(shown);

  control(&set, a.check_interval);

  fprintf(stderr, "leadstore: stopping: no new connections, finishing the requests in flight\n");
  srv_set_draining();
  MHD_socket listener = MHD_quiesce_daemon(d);
  drain(a.timeout_s);
  srv_group_stop(); /* answers the calls still queued: no connection stays suspended */
  MHD_stop_daemon(d);
  d = NULL;
  if (listener != MHD_INVALID_SOCKET) close(listener);
  fprintf(stderr, "leadstore: stopped\n");
  rc = 0;
done:
  srv_group_stop();
  if (d) MHD_stop_daemon(d);
  srv_close_handles();
  srv_switches_free();
  srv_metrics_free();
  srv_catalog_free();
  free(srv_cfg.secret);
  free(err);
  return rc;
}
