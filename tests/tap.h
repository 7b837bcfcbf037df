/*
 * tap.h — the Test Anything Protocol, as `prove` reads it: each test program
 * prints `ok N - what` / `not ok N - what`, diagnostics behind `#`, and its
 * plan `1..N` at the end.  (Defined in support.c.)
 */
#ifndef LS_TAP_H
#define LS_TAP_H

/* Records one test; returns cond. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan; the exit status of the test program. */
int tap_done(void);

#define OK(cond, ...) tap_ok((cond) ? 1 : 0, __VA_ARGS__)

#endif
