/* Helpers of the DRM backend's guest programs (public liballoc API only). */
#ifndef LA_DRMTEST_H
#define LA_DRMTEST_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "testlib.h"
#include "vmtest.h"


struct la_context *dt_context(void);
/* The la_device of the first node of kind ("card"/"renderD") whose
 * driver is `driver`, found by driver name; fatal if absent. */
struct la_device *dt_open(struct la_context *ctx, const char *driver, const char *kind);
/* Candidates and paths of a negotiation, as the readable trace. */
void dt_print_result(const struct la_result *res);
/* A page-multiple dma-buf from the system dma-heap, made without liballoc;
 * exits the program if there is none. */
int dt_heap_buffer(size_t size);
/* Whether Mesa ships a DRI driver named after the kernel driver, next to
 * libgbm (Debian's layout). Without one (vgem) liballoc never asks GBM:
 * Mesa would print its loader's errors on stderr. Nor must a test. */
bool dt_mesa_driver(const char *driver);
/* Lowest set bit. */
uint64_t dt_lowbit(uint64_t v);

#endif
