/*
 * switches.c — rollout switches: operations turned off while a change
 * rolls out, answered 503 with a body naming the switch.
 *
 * Sources: the flags (`--disable OP|writes|all`, `--read-only` = writes)
 * and the --switches file, one directive per line, `#` starts a comment:
 *     OP off        the operation OP answers 503
 *     writes off    every write operation answers 503 (read-only mode)
 *     all off       every operation answers 503
 *     OP on         (the default; lets a line be flipped back)
 * The file is re-read on SIGHUP (srv_switches_reload); a file with an error
 * is refused as a whole and the switches in force stay.  The table is
 * swapped under a mutex; a request reads one entry under it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

/* What switched each operation off (NULL: on). */
typedef struct table {
  char **why; /* srv_op_count() entries */
} table;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static table current;
static char *file_path;
static char **flags_copy;
static size_t nflags;

static void table_free(table *t) {
  for (size_t i = 0; t->why && i < srv_op_count(); i++) free(t->why[i]);
  free(t->why);
  t->why = NULL;
}

/* Applies directive `target state` to t, with `source` naming it; false when unknown. */
static bool apply(table *t, const char *target, const char *state, const char *source) {
  bool off = !strcmp(state, "off");
  if (!off && strcmp(state, "on")) return false;
  bool any = false;
  for (size_t i = 0; i < srv_op_count(); i++) {
    const srv_op *op = srv_op_at(i);
    if (strcmp(target, "all") && !(op->write && !strcmp(target, "writes")) && strcmp(target, op->name)) continue;
    any = true;
    free(t->why[i]);
    t->why[i] = NULL;
    if (!off) continue;
    size_t n = strlen(target) + strlen(source) + 32;
    t->why[i] = malloc(n);
    if (t->why[i]) snprintf(t->why[i], n, "switch `%s off` (%s)", target, source);
  }
  return any;
}

/* Builds a table from the file then the flags; false and *err when the file is wrong. */
static bool build(table *t, char **err) {
  t->why = calloc(srv_op_count() ? srv_op_count() : 1, sizeof *t->why);
  if (!t->why) return false;
  bool ok = true;
  if (file_path) {
    FILE *f = fopen(file_path, "r");
    if (!f) {
      ok = false;
      if (asprintf(err, "cannot read the switches file %s", file_path) < 0) *err = NULL;
    }
    char line[512];
    for (int no = 1; ok && fgets(line, sizeof line, f); no++) {
      char *hash = strchr(line, '#');
      if (hash) *hash = '\0';
      char target[160], state[16], extra[2];
      int n = sscanf(line, "%159s %15s %1s", target, state, extra);
      if (n <= 0) continue;
      char source[600];
      snprintf(source, sizeof source, "%s line %d", file_path, no);
      if (n != 2 || !apply(t, target, state, source)) {
        ok = false;
        if (asprintf(err, "%s line %d: expected `OP|writes|all off|on`", file_path, no) < 0) *err = NULL;
      }
    }
    if (f) fclose(f);
  }
  for (size_t i = 0; ok && i < nflags; i++) {
    if (!apply(t, flags_copy[i], "off", "command line")) {
      ok = false;
      if (asprintf(err, "--disable %s: not an operation, `writes` or `all`", flags_copy[i]) < 0) *err = NULL;
    }
  }
  if (!ok) table_free(t);
  return ok;
}

bool srv_switches_init(const char *file, const char *const *flags, size_t n, char **err) {
  *err = NULL;
  file_path = file ? strdup(file) : NULL;
  flags_copy = calloc(n ? n : 1, sizeof *flags_copy);
  if (!flags_copy) return false;
  for (size_t i = 0; i < n; i++) flags_copy[i] = strdup(flags[i]);
  nflags = n;
  return build(&current, err);
}

bool srv_switches_reload(char **err) {
  *err = NULL;
  table t = {0};
  if (!build(&t, err)) return false;
  pthread_mutex_lock(&lock);
  table old = current;
  current = t;
  pthread_mutex_unlock(&lock);
  table_free(&old);
  return true;
}

void srv_switches_free(void) {
  table_free(&current);
  for (size_t i = 0; i < nflags; i++) free(flags_copy[i]);
  free(flags_copy);
  free(file_path);
  flags_copy = NULL;
  file_path = NULL;
}

bool srv_switch_off(const srv_op *op, char **why) {
  size_t i = 0;
  *why = NULL;
  if (!srv_op_find(op->name, &i)) return false;
  pthread_mutex_lock(&lock);
  bool off = current.why && current.why[i];
  if (off) *why = strdup(current.why[i]);
  pthread_mutex_unlock(&lock);
  return off;
}
