/*
 * alloc.c — the library's one allocator, shared with jansson.
 *
 * Every allocation of a call goes through ls__malloc(), so a test can count
 * them and make the Nth one fail (leadstore_test_fault).  Failures, real or
 * injected, are counted per thread; the engines compare the count before and
 * after the work of a call and roll back when it moved, so no result that
 * lost a piece to an allocation failure is ever committed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Thread_local ls__faults *ls__active_faults;
static _Thread_local unsigned long alloc_failures;

void *ls__malloc(size_t n) {
  ls__faults *f = ls__active_faults;
  if (f) {
    f->allocs++;
    if (f->kind == LEADSTORE_FAULT_ALLOC && f->n > 0 && f->allocs == f->n) {
      f->n = 0; /* once */
      alloc_failures++;
      return NULL;
    }
  }
  void *p = malloc(n ? n : 1);
  if (!p) alloc_failures++;
  return p;
}

void ls__free(void *p) { free(p); }

char *ls__strndup(const char *s, size_t n) {
  char *p = ls__malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *ls__strdup(const char *s) { return s ? ls__strndup(s, strlen(s)) : NULL; }

unsigned long ls__alloc_failures(void) { return alloc_failures; }

bool ls__fault_step(void) {
  ls__faults *f = ls__active_faults;
  if (!f) return false;
  f->steps++;
  if (f->kind == LEADSTORE_FAULT_STEP && f->n > 0 && f->steps == f->n) {
    f->n = 0;
    return true;
  }
  return false;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void) { json_set_alloc_funcs(ls__malloc, ls__free); }

void ls__alloc_init(void) { pthread_once(&once, install); }

void leadstore_free(void *p) { ls__free(p); }
