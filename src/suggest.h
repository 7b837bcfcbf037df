/*
 * suggest.h — "did you mean …?" (suggest.c): the closest of a set of names
 * to a mistyped one, when it is close.  Shared by the library (operations,
 * parameters) and the CLI (commands), so every front end suggests alike.
 */
#ifndef LS_SUGGEST_H
#define LS_SUGGEST_H

#include <stddef.h>

/* A word longer than this (in characters) gets no suggestion. */
#define LS_SUGGEST_MAX_WORD 64

/* The word lengths at which one more edit is allowed: a word of n characters
 * may be 1 + (number of steps ≤ n) edits away ({0}-terminated; rules.c). */
extern const size_t ls__suggest_steps[];

/* The most edits a word of n characters may be from its suggestion (0: none). */
int ls__suggest_max_distance(size_t n);

/* Optimal string alignment distance of two UTF-8 texts, in code points;
 * (size_t)-1 when one is longer than LS_SUGGEST_MAX_WORD characters. */
size_t ls__edit_distance(const char *a, const char *b);

/* Collects the suggestion for `word`: offer every candidate in order, then
 * read best (NULL: none close enough).  Borrows word and the candidates. */
typedef struct ls__suggestion {
  const char *word;
  const char *best;
  size_t distance;
} ls__suggestion;
void ls__suggest_offer(ls__suggestion *s, const char *candidate);

#endif
