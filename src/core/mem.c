/*
** mem.c: the arena allocator and growable arrays.
**
** An arena hands out memory from large blocks chained in a list, so that a
** parsed document or a loaded model, made of thousands of small pieces, is
** released by one call. Nothing allocated in an arena is freed on its own.
** Requests larger than a block get a block of their own.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define ARENA_BLOCK_BYTES 65536
#define ARENA_ALIGN 16

typedef struct block {
  struct block *next;
  size_t used, size;
  /* The payload follows, aligned to ARENA_ALIGN. */
} block;

struct naryn__arena {
  block *head;
};

#define BLOCK_HEADER (((sizeof(block) + ARENA_ALIGN - 1) / ARENA_ALIGN) * ARENA_ALIGN)

naryn__arena *naryn__arena_new(void) {
  return calloc(1, sizeof(naryn__arena));
}

void naryn__arena_free(naryn__arena *a) {
  if (!a) return;
  block *b = a->head;
  while (b) {
    block *next = b->next;
    free(b);
    b = next;
  }
  free(a);
}

/* Allocates a block able to hold at least 'need' payload bytes and puts it
** at the head of the chain. */
static block *arena_add_block(naryn__arena *a, size_t need) {
  size_t size = need > ARENA_BLOCK_BYTES ? need : ARENA_BLOCK_BYTES;
  block *b = malloc(BLOCK_HEADER + size);
  if (!b) return NULL;
  b->used = 0;
  b->size = size;
  b->next = a->head;
  a->head = b;
  return b;
}

void *naryn__arena_alloc(naryn__arena *a, size_t n) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
  n = (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
  block *b = a->head;
  if (!b || b->size - b->used < n) {
    /* Big requests get their own block behind the current one, so that the
    ** current block's free space is not wasted. */
    if (n > ARENA_BLOCK_BYTES / 4 && b) {
      block *big = malloc(BLOCK_HEADER + n);
      if (!big) return NULL;
      big->used = big->size = n;
      big->next = b->next;
      b->next = big;
      void *p = (char *)big + BLOCK_HEADER;
      memset(p, 0, n);
      return p;
    }
    b = arena_add_block(a, n);
    if (!b) return NULL;
  }
  void *p = (char *)b + BLOCK_HEADER + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *naryn__arena_strndup(naryn__arena *a, const char *s, size_t n) {
  char *p = naryn__arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *naryn__arena_strdup(naryn__arena *a, const char *s) {
  return naryn__arena_strndup(a, s, strlen(s));
}

char *naryn__arena_printf(naryn__arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = naryn__arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

/* Makes room for 'need' elements of 'elem' bytes in the heap array p of
** capacity *cap, doubling as it grows. Returns the (possibly moved) array,
** or NULL when out of memory, in which case p is still valid. */
void *naryn__grow(void *p, int *cap, int need, size_t elem) {
  if (need <= *cap) return p;
  int c = *cap ? *cap : 8;
  while (c < need) c *= 2;
  void *q = realloc(p, (size_t)c * elem);
  if (!q) return NULL;
  *cap = c;
  return q;
}
