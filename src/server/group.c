/*
 * group.c — group commit of the server's write calls on SQLite.
 *
 * A durable SQLite commit costs an fsync, and only one writer at a time may
 * hold the file's write lock: writers one transaction each are bounded by
 * the disk's fsync rate, however many there are.  So the workers do not run
 * write calls themselves: a worker suspends the request's connection
 * (libmicrohttpd then serves its other connections meanwhile) and queues
 * the call; one committer thread, with its own database handle, takes the
 * calls in arrival order (FIFO) and runs them as one group
 * (leadstore_group_begin / leadstore_call … / leadstore_group_commit): each
 * call in its own SAVEPOINT — a failed call rolls back to it and keeps its
 * own failure — and one COMMIT, one fsync, for all.  Only when the COMMIT
 * returned are the calls' connections resumed and answered: every success
 * the server sends is durable.  A COMMIT that fails answers every call of
 * the group with the commit's failure (retry_recommended true), nothing of
 * the group having been written.
 *
 * A group takes the calls that are queued when it starts and those that
 * arrive while it runs, up to GROUP_MAX_CALLS calls or GROUP_MAX_MS
 * milliseconds of work, then commits; while it commits, the next calls
 * queue up for the next group.  A lone writer thus still commits at once,
 * and many writers share each fsync.
 *
 * Stopping (SIGTERM): srv_group_stop() refuses new calls (workers then run
 * them on their own handles, as with --group-commit off), runs every call
 * already queued, answers it, and joins the committer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server.h"

enum { GROUP_MAX_CALLS = 256, GROUP_MAX_MS = 50 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static srv_job *head, *tail;
static bool running, stopping;
static pthread_t committer;
static leadstore *group_db;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The oldest queued call (NULL when none); with `wait`, waits for one unless stopping. */
static srv_job *take(bool wait) {
  pthread_mutex_lock(&lock);
  while (wait && !head && !stopping) pthread_cond_wait(&queued, &lock);
  srv_job *job = head;
  if (job) {
    head = job->next;
    if (!head) tail = NULL;
    job->next = NULL;
  }
  pthread_mutex_unlock(&lock);
  return job;
}

/* Gives every call of the list its answer, then resumes its connection (the job is the request's: not touched after). */
static void answer_all(srv_job *list, int rc, const char *failure) {
  while (list) {
    srv_job *next = list->next;
    if (rc != LEADSTORE_OK) {
      leadstore_free(list->result);
      list->result = failure ? strdup(failure) : NULL;
      list->rc = rc;
    }
    struct MHD_Connection *c = list->c;
    list->done = true;
    MHD_resume_connection(c);
    list = next;
  }
}

/* One group: begin, the calls, commit, the answers. */
static void run_group(srv_job *first) {
  char *failure = NULL;
  int rc = leadstore_group_begin(group_db, &failure);
  if (rc != LEADSTORE_OK) { /* the write lock could not be had: this call fails as a lone one would */
    answer_all(first, rc, failure);
    leadstore_free(failure);
    srv_metrics_group(1, false);
    return;
  }
  double start = now_s();
  srv_job *done = NULL, **end = &done;
  size_t n = 0;
  for (srv_job *job = first; job; job = n < GROUP_MAX_CALLS && (now_s() - start) * 1e3 < GROUP_MAX_MS ? take(false) : NULL) {
    job->rc = leadstore_call(group_db, job->caller, job->op, job->params, &job->result);
    *end = job;
    end = &job->next;
    n++;
  }
  rc = leadstore_group_commit(group_db, &failure);
  srv_metrics_group(n, rc == LEADSTORE_OK);
  if (rc != LEADSTORE_OK) fprintf(stderr, "leadstore: a group of %zu calls was not committed: %s\n", n, failure ? failure : "out of memory");
  answer_all(done, rc, failure);
  leadstore_free(failure);
}

static void *commit_loop(void *arg) {
  (void)arg;
  for (srv_job *job; (job = take(true));) run_group(job);
  return NULL;
}

bool srv_group_start(char **why) {
  *why = NULL;
  if (leadstore_open(srv_cfg.db, &srv_cfg.opts, &group_db, why) != LEADSTORE_OK) return false;
  stopping = false;
  if (pthread_create(&committer, NULL, commit_loop, NULL) != 0) {
    leadstore_close(group_db);
    group_db = NULL;
    return false;
  }
  running = true;
  return true;
}

bool srv_group_submit(srv_job *job) {
  pthread_mutex_lock(&lock);
  bool accepted = running && !stopping;
  if (accepted) {
    job->next = NULL;
    job->done = false;
    /* suspended before it is queued: the committer may resume it as soon as it is */
    MHD_suspend_connection(job->c);
    if (tail) tail->next = job;
    else head = job;
    tail = job;
    pthread_cond_signal(&queued);
  }
  pthread_mutex_unlock(&lock);
  return accepted;
}

void srv_group_stop(void) {
  pthread_mutex_lock(&lock);
  bool was = running;
  stopping = true;
  pthread_cond_broadcast(&queued);
  pthread_mutex_unlock(&lock);
  if (!was) return;
  pthread_join(committer, NULL); /* it leaves only with the queue empty */
  running = false;
  leadstore_close(group_db);
  group_db = NULL;
}
