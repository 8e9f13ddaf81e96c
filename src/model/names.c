/*
** names.c: an index of names (of nodes, of links) for lookups in constant
** time, so that reading a model of many thousands of nodes, resolving the
** names its links and fields give and finding duplicates stay linear in
** the model's size.
**
** The index is a hash table with open addressing (linear probing) kept at
** most half full; it stores borrowed pointers to the names and never
** grows, since the number of names is known before they are added.
*/
#include <string.h>

#include "../naryn_int.h"

/* The FNV-1a hash of a string. */
static unsigned long hash_of(const char *s) {
  unsigned long h = 2166136261ul;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619ul;
  return h;
}

int naryn__names_new(naryn__names *t, int n, naryn__arena *a) {
  int cap = 8;
  while (cap < 2 * n && cap < (1 << 29)) cap *= 2;
  t->slot = naryn__arena_alloc(a, (size_t)cap * sizeof *t->slot);
  t->cap = t->slot ? cap : 0;
  return t->slot ? 0 : -1;
}

/* The slot that holds key, or the empty slot where it would go. */
static naryn__name_slot *slot_of(const naryn__names *t, const char *key) {
  unsigned long mask = (unsigned long)t->cap - 1;
  for (unsigned long i = hash_of(key) & mask;; i = (i + 1) & mask) {
    naryn__name_slot *s = &t->slot[i];
    if (!s->key || strcmp(s->key, key) == 0) return s;
  }
}

int naryn__names_get(const naryn__names *t, const char *key) {
  if (!t->cap || !key) return -1;
  const naryn__name_slot *s = slot_of(t, key);
  return s->key ? s->index : -1;
}

int naryn__names_put(naryn__names *t, const char *key, int index) {
  naryn__name_slot *s = slot_of(t, key);
  if (s->key) return s->index;
  s->key = key;
  s->index = index;
  return -1;
}
