/* table.c - free a struct tm_table (filled by read.c, see table.h). */
#include <stdlib.h>

#include "table.h"

void tm_table_free(struct tm_table *t)
{
  if(!t)
    return;
  free(t->layer);
  free(t->driver);
  free(t->geometry_crs);
  free(t->colnames);
  free(t->cells);
  free(t->rownum);
  free(t->has_xy);
  free(t->gx);
  free(t->gy);
  tm_strpool_free(t->pool);
  free(t);
}
