/* Helpers of the V4L2 guest programs (run inside the test VM). */
#ifndef LA_V4L2_VM_COMMON_H
#define LA_V4L2_VM_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

#include <liballoc/liballoc.h>
#include <liballoc/v4l2-stream.h>

#include "result.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

/* Capture node of vivid instance inst (bus_info "platform:vivid-00N"); 0 or -1. */
int vt_find_vivid(int inst, char *path, size_t len);
/* vivid.<name> module parameter, element inst (e.g. allocators); -1 if unknown. */
int vt_vivid_param(const char *name, int inst);
/* New dma-buf from /dev/dma_heap/system; -1 on failure (printed). */
int vt_heap_alloc(uint64_t size);
/* udmabuf whose two halves are the same pages: scattered for certain. */
int vt_scattered_alloc(uint64_t size);
/* Buffers a queue holds, by VIDIOC_CREATE_BUFS(count 0); -1 on error. */
int vt_queue_buffers(int fd, uint32_t type);
uint32_t vt_capture_type(int fd);
const char *vt_fourcc(uint32_t code, char buf[8]);

#endif
