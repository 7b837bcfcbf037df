/*
 * report.c — the rows of `make bench` and what is made of them: the
 * Markdown of docs/benchmarks.md (the performance goals measured, every
 * operation beside its floor, the scale and concurrency series, HTTP),
 * build/bench.json (every row) and the data files of the plots
 * (bench/plots.gp draws them).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bench.h"

static bench_row *rows;
static size_t nrows, caprows;

bench_row *bench_add(const bench_row *row) {
  if (nrows == caprows) {
    caprows = caprows ? 2 * caprows : 64;
    if (!(rows = realloc(rows, sizeof *rows * caprows))) bench_die("out of memory");
  }
  bench_row *r = &rows[nrows++];
  *r = *row;
  if (r->floor[0] && r->r.p50 > 0 && r->r.per_s > 0) {
    int throughput = !strcmp(r->table, "writers") || !strcmp(r->table, "http");
    r->ratio = throughput ? r->f.per_s / r->r.per_s : r->f.p50 > 0 ? r->r.p50 / r->f.p50 : 0;
  }
  return r;
}

const bench_row *bench_find(const char *table, const char *engine, const char *label, long size) {
  for (size_t i = 0; i < nrows; i++)
    if (!strcmp(rows[i].table, table) && !strcmp(rows[i].engine, engine) && !strcmp(rows[i].label, label) &&
        (size < 0 || rows[i].size == size))
      return &rows[i];
  return NULL;
}

void bench_read_http(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) bench_die("cannot read %s", path);
  char line[512];
  bench_row floor = {0};
  while (fgets(line, sizeof line, f)) {
    /* engine \t route \t requests/s \t p50 µs \t p95 µs \t p99 µs \t floor (1 = the floor) */
    char engine[32], route[96];
    double rps, p50, p95, p99;
    int is_floor;
    if (sscanf(line, "%31[^\t]\t%95[^\t]\t%lf\t%lf\t%lf\t%lf\t%d", engine, route, &rps, &p50, &p95, &p99, &is_floor) != 7)
      bench_die("%s: a bad line: %s", path, line);
    bench_row row = {.table = "http", .r = {1, rps, p50, p95, p99}};
    snprintf(row.engine, sizeof row.engine, "%s", engine);
    snprintf(row.label, sizeof row.label, "%s", route);
    if (is_floor) floor = row;
    else if (!strcmp(floor.engine, engine)) snprintf(row.floor, sizeof row.floor, "%s", floor.label), row.f = floor.r;
    bench_add(&row);
  }
  fclose(f);
}

void bench_read_group(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) bench_die("cannot read %s", path);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    /* writers \t off: requests/s p50 p95 p99 \t on: requests/s p50 p95 p99 \t writes per commit */
    long n;
    bench_result off = {.n = 1}, on = {.n = 1};
    char groups[32];
    if (sscanf(line, "%ld\t%lf\t%lf\t%lf\t%lf\t%lf\t%lf\t%lf\t%lf\t%31s", &n, &off.per_s, &off.p50, &off.p95, &off.p99,
               &on.per_s, &on.p50, &on.p95, &on.p99, groups) != 10)
      bench_die("%s: a bad line: %s", path, line);
    bench_row row = {.table = "group", .engine = "sqlite-durable", .label = "track_api_cost_tx over HTTP",
                     .size = n, .r = on, .floor = "group commit off", .f = off};
    snprintf(row.note, sizeof row.note, "%s", groups);
    bench_add(&row)->ratio = on.per_s / off.per_s;
    bench_row point = {.table = "plot", .plot = "writers", .x = n, .r = on, .series = "SQLite over HTTP, group commit on"};
    bench_add(&point);
    point.r = off;
    snprintf(point.series, sizeof point.series, "SQLite over HTTP, group commit off");
    bench_add(&point);
  }
  fclose(f);
}

/*--- Markdown ---*/

static const char *engine_title(const char *e) {
  if (!strcmp(e, "sqlite-durable")) return "SQLite, durable (the default, `synchronous=FULL`)";
  if (!strcmp(e, "sqlite-normal")) return "SQLite, `--durability normal` (`synchronous=NORMAL`)";
  if (!strcmp(e, "postgresql")) return "PostgreSQL 15, stored functions, one round trip per call";
  return e;
}

/* The distinct engines of table, in order of appearance (at most 8). */
static int engines_of(const char *table, const char *out[8]) {
  int n = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (strcmp(rows[i].table, table)) continue;
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= !strcmp(out[k], rows[i].engine);
    if (!seen && n < 8) out[n++] = rows[i].engine;
  }
  return n;
}

/* The distinct sizes of table (ascending, at most 8). */
static int sizes_of(const char *table, long out[8]) {
  int n = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (strcmp(rows[i].table, table)) continue;
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= out[k] == rows[i].size;
    if (!seen && n < 8) out[n++] = rows[i].size;
  }
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0 && out[b - 1] > out[b]; b--) {
      long t = out[b];
      out[b] = out[b - 1], out[b - 1] = t;
    }
  return n;
}

/* A number with thin groups of thousands ("12 345"), as the docs write them. */
static const char *num(double v, char buf[32]) {
  char raw[32];
  snprintf(raw, sizeof raw, "%lld", (long long)(v + 0.5));
  size_t len = strlen(raw), o = 0;
  for (size_t i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) buf[o++] = ' ';
    buf[o++] = raw[i];
  }
  buf[o] = 0;
  return buf;
}

static const char *ratio(double r, char buf[32]) {
  if (r <= 0) return "";
  snprintf(buf, 32, r < 10 ? "%.2f×" : "%.0f×", r);
  return buf;
}

static void ops_tables(FILE *out) {
  const char *eng[8];
  int ne = engines_of("ops", eng);
  char a[32], b[32], c[32], d[32], e[32];
  for (int k = 0; k < ne; k++) {
    fprintf(out, "\n### %s\n\n", engine_title(eng[k]));
    const bench_row *info = bench_find("info", eng[k], "businesses in the campaign at the end", -1);
    if (info) fprintf(out, "One campaign; the batches fill it, so the reads at the end see %s businesses.\n\n", num(info->size, a));
    fprintf(out, "| operation | calls | calls/s | p50 µs | p95 µs | p99 µs | floor p50 µs | × floor | its floor |\n"
                 "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < nrows; i++) {
      const bench_row *r = &rows[i];
      if (strcmp(r->table, "ops") || strcmp(r->engine, eng[k])) continue;
      char g[32];
      fprintf(out, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", r->label, r->r.n, num(r->r.per_s, a),
              num(r->r.p50, b), num(r->r.p95, c), num(r->r.p99, d), r->floor[0] ? num(r->f.p50, g) : "",
              ratio(r->ratio, e), r->floor[0] ? r->floor + 7 : "");
    }
  }
}

static void scale_tables(FILE *out) {
  const char *eng[8];
  long sz[8];
  int ne = engines_of("scale", eng), ns = sizes_of("scale", sz);
  char a[32], b[32];
  if (!ne) return;
  fprintf(out, "\n## Scale: one campaign grown to");
  for (int s = 0; s < ns; s++) fprintf(out, "%s %s", s ? (s == ns - 1 ? " and" : ",") : "", num(sz[s], a));
  fprintf(out, " businesses\n\np50 in µs at each size, and its ratio to the floor measured at the same size.\n");
  for (int k = 0; k < ne; k++) {
    fprintf(out, "\n### %s\n\n| operation |", engine_title(eng[k]));
    for (int s = 0; s < ns; s++) fprintf(out, " %s | × floor |", num(sz[s], a));
    fprintf(out, "\n|---|");
    for (int s = 0; s < ns; s++) fprintf(out, "---:|---:|");
    fprintf(out, "\n");
    for (size_t i = 0; i < nrows; i++) { /* one line per label, at its first size */
      const bench_row *r = &rows[i];
      if (strcmp(r->table, "scale") || strcmp(r->engine, eng[k]) || r->size != sz[0]) continue;
      fprintf(out, "| %s |", r->label);
      for (int s = 0; s < ns; s++) {
        const bench_row *at = bench_find("scale", eng[k], r->label, sz[s]);
        fprintf(out, " %s | %s |", at ? num(at->r.p50, a) : "", at ? ratio(at->ratio, b) : "");
      }
      fprintf(out, "\n");
    }
  }
}

static void writers_table(FILE *out) {
  char a[32], b[32], c[32], d[32], e[32], f[32];
  int any = 0;
  for (size_t i = 0; i < nrows; i++) {
    const bench_row *r = &rows[i];
    if (strcmp(r->table, "writers")) continue;
    if (!any++)
      fprintf(out, "\n## Concurrent durable writers\n\n"
                   "Each writer a thread with its own handle, calling `track_api_cost_tx` on its own campaign; "
                   "the floor: as many threads doing the one-row commit. × floor = the floor's calls/s over "
                   "leadstore's.\n\n"
                   "| engine | writers | calls/s | p50 µs | p99 µs | floor calls/s | floor p50 µs | × floor |\n"
                   "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    fprintf(out, "| %s | %ld | %s | %s | %s | %s | %s | %s |\n", r->engine, r->size, num(r->r.per_s, a),
            num(r->r.p50, b), num(r->r.p99, c), num(r->f.per_s, d), num(r->f.p50, e), ratio(r->ratio, f));
  }
}

static void group_table(FILE *out) {
  char a[32], b[32], c[32], d[32], e[32], f[32];
  int any = 0;
  for (size_t i = 0; i < nrows; i++) {
    const bench_row *r = &rows[i];
    if (strcmp(r->table, "group")) continue;
    if (!any++)
      fprintf(out, "\n## Group commit: durable writers over HTTP on one SQLite file\n\n"
                   "`bench/group_commit.sh`: wrk, N keep-alive connections each sending `track_api_cost_tx` and "
                   "waiting for its answer, against `leadstore serve --group-commit off`, then `on`, each on a "
                   "fresh file (durability full); every answer a success, `leadstore check` clean after each run.\n\n"
                   "| writers | off: writes/s | off: p50 / p99 µs | on: writes/s | on: p50 / p99 µs | writes per commit | on ÷ off |\n"
                   "|---:|---:|---:|---:|---:|---:|---:|\n");
    fprintf(out, "| %ld | %s | %s / %s | %s | %s / %s | %s | %.2f |\n", r->size, num(r->f.per_s, a), num(r->f.p50, b),
            num(r->f.p99, c), num(r->r.per_s, d), num(r->r.p50, e), num(r->r.p99, f), r->note, r->ratio);
  }
}

static void http_table(FILE *out) {
  char a[32], b[32], c[32], d[32], e[32];
  int any = 0;
  for (size_t i = 0; i < nrows; i++) {
    const bench_row *r = &rows[i];
    if (strcmp(r->table, "http")) continue;
    if (!any++)
      fprintf(out, "\n## Over HTTP: `leadstore serve` under wrk, beside the static floor\n\n"
                   "× floor = the floor's requests/s over the route's.\n\n"
                   "| engine | route | requests/s | p50 µs | p95 µs | p99 µs | × floor |\n"
                   "|---|---|---:|---:|---:|---:|---:|\n");
    fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n", r->engine, r->label, num(r->r.per_s, a), num(r->r.p50, b),
            num(r->r.p95, c), num(r->r.p99, d), ratio(r->ratio, e));
  }
}

/*--- The performance goals ---*/

typedef enum { G_RATIO, G_WORST_TAG, G_P50_MS, G_LINEAR, G_WRITERS } goal_kind;
static const struct goal {
  const char *text;
  goal_kind kind;
  const char *table, *label, *label2; /* the row(s) it reads; a tag for G_WORST_TAG */
  double limit;
  const char *unit;
} goals[] = {
    {"batch of 1000 new businesses", G_RATIO, "ops", "batch_upsert_businesses_tx (1000 new)", NULL, 2, "× floor"},
    {"re-scrape of 1000 known businesses", G_RATIO, "ops", "batch_upsert_businesses_tx (1000 re-scraped)", NULL, 2, "× floor"},
    {"5000 in one call scales linearly (per business, vs the 1000 batch)", G_LINEAR, "ops",
     "batch_upsert_businesses_tx (5000 new)", "batch_upsert_businesses_tx (1000 new)", 1.2, "×"},
    {"every single-row write (the worst)", G_WORST_TAG, "ops", "single-write", NULL, 1.3, "× floor"},
    {"get_campaign at the largest campaign", G_RATIO, "scale", "get_campaign", NULL, 3, "× point read"},
    {"update_campaign_statistics_tx at the largest campaign", G_P50_MS, "scale", "update_campaign_statistics_tx", NULL, 50, "ms"},
    {"get_businesses_for_enrichment of 100, at the largest campaign", G_P50_MS, "scale",
     "get_businesses_for_enrichment (100 rows)", NULL, 2, "ms"},
    {"the most concurrent durable writers: group commit on vs off", G_WRITERS, "group", NULL, NULL, 5, "×"},
};
static const char *goal_engines[] = {"sqlite-durable", "postgresql"};

/* The row of table/engine/label at the largest size measured, or NULL. */
static const bench_row *largest(const char *table, const char *engine, const char *label) {
  const bench_row *best = NULL;
  for (size_t i = 0; i < nrows; i++)
    if (!strcmp(rows[i].table, table) && !strcmp(rows[i].engine, engine) && (!label || !strcmp(rows[i].label, label)) &&
        (!best || rows[i].size > best->size))
      best = &rows[i];
  return best;
}

/* Evaluates goal g on engine: the measured value and what it was measured on. */
static int goal_value(const struct goal *g, const char *engine, double *v, char *what, size_t len) {
  const bench_row *r = NULL, *r2 = NULL;
  char a[32];
  switch (g->kind) {
  case G_RATIO:
  case G_P50_MS:
    if (!(r = largest(g->table, engine, g->label))) return 0;
    *v = g->kind == G_RATIO ? r->ratio : r->r.p50 / 1000;
    if (r->size) snprintf(what, len, "at %s businesses", num(r->size, a));
    else snprintf(what, len, "p50 %s µs", num(r->r.p50, a));
    return *v > 0;
  case G_LINEAR:
    if (!(r = bench_find(g->table, engine, g->label, -1)) || !(r2 = bench_find(g->table, engine, g->label2, -1))) return 0;
    *v = (r->r.p50 / 5000) / (r2->r.p50 / 1000);
    snprintf(what, len, "%.1f µs vs %.1f µs a business", r->r.p50 / 5000, r2->r.p50 / 1000);
    return 1;
  case G_WORST_TAG:
    for (size_t i = 0; i < nrows; i++)
      if (rows[i].tag && !strcmp(rows[i].tag, g->label) && !strcmp(rows[i].engine, engine) &&
          !strcmp(rows[i].table, g->table) && (!r || rows[i].ratio > r->ratio))
        r = &rows[i];
    if (!r) return 0;
    *v = r->ratio;
    snprintf(what, len, "%s", r->label);
    return 1;
  case G_WRITERS:
    if (!strcmp(engine, "postgresql")) {
      if (!largest("writers", engine, NULL)) return 0;
      snprintf(what, len, "not applicable: PostgreSQL's writers already commit concurrently; the server does not group them");
      return -1;
    }
    if (!(r = largest(g->table, engine, NULL))) return 0;
    char b[32];
    *v = r->ratio;
    snprintf(what, len, "%s writes/s with %ld writers over HTTP, %s per commit, vs %s with it off", num(r->r.per_s, a),
             r->size, r->note, num(r->f.per_s, b));
    return 1;
  }
  return 0;
}

static void goals_table(FILE *out, json_t *json) {
  fprintf(out, "\n## The performance goals, measured in this run\n\n"
               "| goal | engine | measured | goal | |\n|---|---|---|---|---|\n");
  for (size_t i = 0; i < sizeof goals / sizeof *goals; i++)
    for (size_t e = 0; e < sizeof goal_engines / sizeof *goal_engines; e++) {
      const struct goal *g = &goals[i];
      double v = 0;
      char what[1024] = "";
      int got = goal_value(g, goal_engines[e], &v, what, sizeof what);
      if (!got) continue;
      if (got < 0) {
        fprintf(out, "| %s | %s | %s | %s %g %s | not applicable |\n", g->text, goal_engines[e], what,
                g->kind == G_WRITERS ? "≥" : "≤", g->limit, g->unit);
        continue;
      }
      int met = g->kind == G_WRITERS ? v >= g->limit : v <= g->limit;
      fprintf(out, "| %s | %s | %.2f %s (%s) | %s %g %s | %s |\n", g->text, goal_engines[e], v, g->unit, what,
              g->kind == G_WRITERS ? "≥" : "≤", g->limit, g->unit, met ? "met" : "not met");
      if (json)
        json_array_append_new(json, json_pack("{s:s, s:s, s:f, s:s, s:f, s:s, s:b}", "goal", g->text, "engine",
                                              goal_engines[e], "measured", v, "unit", g->unit, "limit", g->limit,
                                              "detail", what, "met", met));
    }
}

/*--- JSON and the plots ---*/

static json_t *result_json(const bench_result *r) {
  return json_pack("{s:i, s:f, s:f, s:f, s:f}", "calls", r->n, "per_s", r->per_s, "p50_us", r->p50, "p95_us", r->p95,
                   "p99_us", r->p99);
}

static void write_json(const char *path, const char *heading, json_t *goals_json) {
  json_t *all = json_array();
  for (size_t i = 0; i < nrows; i++) {
    const bench_row *r = &rows[i];
    if (!strcmp(r->table, "plot") || !strcmp(r->table, "info")) continue;
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:o}", "table", r->table, "engine", r->engine, "label", r->label,
                          "size", (json_int_t)r->size, "result", result_json(&r->r));
    if (r->floor[0]) {
      json_object_set_new(o, "floor", json_string(r->floor));
      json_object_set_new(o, "floor_result", result_json(&r->f));
      json_object_set_new(o, "ratio", json_real(r->ratio));
    }
    json_array_append_new(all, o);
  }
  json_t *doc = json_pack("{s:s, s:o, s:o}", "run", heading, "goals", goals_json, "rows", all);
  if (json_dump_file(doc, path, JSON_INDENT(1)) != 0) bench_die("cannot write %s", path);
  json_decref(doc);
}

/* DIR/bench-PLOT.dat: x, then one column per series (NaN where not measured). */
static void write_plot(const char *dir, const char *plot) {
  const char *series[32];
  double xs[32];
  int ns = 0, nx = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (!rows[i].plot || strcmp(rows[i].plot, plot)) continue;
    int s = 0, x = 0;
    while (s < ns && strcmp(series[s], rows[i].series)) s++;
    if (s == ns && ns < 32) series[ns++] = rows[i].series;
    while (x < nx && xs[x] != rows[i].x) x++;
    if (x == nx && nx < 32) xs[nx++] = rows[i].x;
  }
  for (int a = 1; a < nx; a++)
    for (int b = a; b > 0 && xs[b - 1] > xs[b]; b--) {
      double t = xs[b];
      xs[b] = xs[b - 1], xs[b - 1] = t;
    }
  char *path = bench_fmt("%s/bench-%s.dat", dir, plot);
  FILE *f = fopen(path, "w");
  if (!f) bench_die("cannot write %s", path);
  fprintf(f, "x");
  for (int s = 0; s < ns; s++) fprintf(f, " \"%s\"", series[s]);
  fprintf(f, "\n");
  for (int x = 0; x < nx; x++) {
    fprintf(f, "%g", xs[x]);
    for (int s = 0; s < ns; s++) {
      const bench_row *hit = NULL;
      for (size_t i = 0; i < nrows && !hit; i++)
        if (rows[i].plot && !strcmp(rows[i].plot, plot) && !strcmp(rows[i].series, series[s]) && rows[i].x == xs[x])
          hit = &rows[i];
      if (!hit) fprintf(f, " NaN");
      else fprintf(f, " %.6g", !strcmp(plot, "writers") ? hit->r.per_s : hit->r.p50 / 1000);
    }
    fprintf(f, "\n");
  }
  fclose(f);
  free(path);
}

int bench_report(FILE *out, const char *json_path, const char *dir, const char *heading) {
  time_t t = time(NULL);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
  fprintf(out, "Run finished %s. %s\n", when, heading);
  json_t *goals_json = json_path ? json_array() : NULL;
  goals_table(out, goals_json);
  fprintf(out, "\n## Every operation beside its floor\n\n"
               "Latencies in µs; × floor = p50 over the p50 of the floor named (bench/floor.c), its calls "
               "interleaved with the operation's.\n");
  ops_tables(out);
  scale_tables(out);
  writers_table(out);
  group_table(out);
  http_table(out);
  if (json_path) write_json(json_path, heading, goals_json);
  if (dir) {
    write_plot(dir, "batch");
    write_plot(dir, "scale-sqlite");
    write_plot(dir, "scale-postgresql");
    write_plot(dir, "writers");
  }
  int bad = 0;
  for (size_t i = 0; i < nrows; i++) {
    const bench_row *r = &rows[i];
    if (!(r->r.n > 0 && r->r.per_s > 0 && r->r.p50 > 0 && r->r.p99 > 0) || (r->floor[0] && !(r->f.p50 > 0 && r->ratio > 0))) {
      if (out != stdout) fprintf(stderr, "bench: not measured: %s %s %s (size %ld)\n", r->table, r->engine, r->label, r->size);
      bad++;
    }
  }
  return bad;
}
