/*
** rules_int.h: what reading a reservoir's operating rules shares between
** rules.c (the rules by type, their names and the entry point,
** naryn__model_read_rules) and zones.c (the zones and the guide curves,
** storage or level by step): the reading context and the helpers that
** both call.
*/
#ifndef NARYN_RULES_INT_H
#define NARYN_RULES_INT_H

#include <stdio.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

/* What reading one reservoir's rules needs at hand. */
typedef struct ctx {
  reader *r;
  naryn_model *m;
  naryn__node *res;
  int index;              /* the reservoir's node index */
  unsigned char *below;   /* [nnodes]: 1 for nodes downstream of it */
  const char **seen;      /* the names of the rules or zones read so far */
  char where[192];        /* "reservoir \"NAME\"" */
} ctx;

/* Joins a prefix and a field name into a "where" string. */
static inline const char *at_field(char *buf, size_t size, const char *prefix,
                                   const char *field) {
  if (snprintf(buf, size, "%s.%s", prefix, field) >= (int)size)
    buf[size - 1] = '\0';
  return buf;
}

/* Reports that a level was given for a reservoir without a level table
** when it has none. Returns 0 when it has one, else -1. */
int naryn__rules_need_level_table(ctx *c, const naryn__doc *at,
                                  const char *where);
/* Reports that two fields of which one is allowed were both given, at the
** second. Returns -1. */
int naryn__rules_both_given(reader *r, const naryn__doc *obj,
                            const char *prefix, const char *list,
                            const char *a, const char *b);
/* Reads the name of rule or zone i ('what': "rule" or "zone") of the
** reservoir from docs[i], which must be an object, into c->seen[i], unique
** among the names read before it. 'prefix' (of 'size' bytes) is worded
** first as "reservoir \"RES\".rules[i]" (or zones) to place messages, then
** as "reservoir \"RES\" rule \"NAME\"" (or zone).
** Returns the name, or NULL after reporting. */
const char *naryn__rules_read_named(ctx *c, naryn__doc *const *docs, int i,
                                    const char *what, char *prefix,
                                    size_t size);

/* zones.c. Reads a storage given either in hm3 (key_hm3) or as a level in
** m (key_m), in the form of a target at the end of each step (or, when
** 'dated' is set, also as a dated table), into ts in hm3, each value
** between the reservoir's dead and full storage. 'what' names the value
** in messages ("a trigger"). Returns 1 when neither is given, 0 or -1. */
int naryn__rules_read_storage(ctx *c, const naryn__doc *o, const char *key_hm3,
                              const char *key_m, const char *prefix, int dated,
                              const char *what, naryn__ts *ts);
/* Reads the reservoir's zones from the list 'zones' (none when NULL) once
** its rules are read, then, when nothing has failed, reports guide curves
** that cross and warns of every rule that no zone lists. */
void naryn__rules_read_zones(ctx *c, const naryn__doc *zones);

#endif
