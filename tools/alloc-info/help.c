/* SPDX-License-Identifier: MIT */
/*
 * --help texts. tools/alloc-info.1 says the same at more length; the unit
 * test alloc-info-man checks that every option named here is in the page.
 */
#include <string.h>

#include "alloc-info.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char general[] =
	"Usage: alloc-info [--json] COMMAND [OPTIONS] [ARGS]\n"
	"Shows what liballoc sees: devices, capability sets, negotiations, and\n"
	"why a buffer can or cannot be shared between devices.\n"
	"\n"
	"Commands:\n"
	"  list                       devices, usages, import rules, allocation paths\n"
	"  caps DEVICE                one device's capability set for a usage\n"
	"  negotiate DEVICE:USAGE...  common format/modifier, constraints, paths, buffers\n"
	"  help [COMMAND]             this text, or a command's\n"
	"\n"
	"DEVICE is a device node (/dev/dri/card0, /dev/video0) or a capability set\n"
	"saved with `caps --save FILE` (offline mode).\n"
	"\n"
	"Options:\n"
	"  -j, --json      one JSON document on stdout, also on failure\n"
	"                  (schema version " STR(AI_JSON_VERSION) ", in USAGE.md)\n"
	"  -h, --help      help (of a command: alloc-info COMMAND --help)\n"
	"      --version   version and JSON schema version\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  usage error: bad option or value, unreadable capability file\n"
	"  2  no format/modifier every device accepts\n"
	"  3  a common format, but no allocation path serves every device\n"
	"  4  a device could not be opened or refused the usage, or allocation failed\n"
	"\n"
	"Environment: LIBALLOC_BACKEND_PATH=dir:dir (backends), LIBALLOC_DEBUG=1 (traces).\n"
	"See alloc-info(1).\n";

static const char list_help[] =
	"Usage: alloc-info list [--usage U[,U...]] [--size WxH] [--json]\n"
	"Lists every device the backends find: backend, driver, path, devnum, the\n"
	"usages it serves, and for its main usage the import rule (with the\n"
	"probe's reason), the formats, and the allocation paths with ranks from a\n"
	"negotiation of the device alone at --size with any format.\n"
	"The main usage is --usage, else the first the device serves of: scanout,\n"
	"capture, decode, encode, render, sample, overlay, cursor, cpu-write,\n"
	"cpu-read, cpu-read-often, protected.\n"
	"\n"
	"  -u, --usage U[,U...]  main usage of every device (backend names: drm.xxx)\n"
	"  -s, --size WxH        size of the negotiations (default 640x480)\n"
	"  -j, --json            JSON output\n"
	"  -h, --help            this text\n";

static const char caps_help[] =
	"Usage: alloc-info caps DEVICE --usage U[,U...] --size WxH [--format F,...]\n"
	"                       [--modifier M,...] [--save FILE] [--json]\n"
	"Prints the capability set the device's backend reads from the kernel for\n"
	"the usage: identity, import rule and reason, candidates in the device's\n"
	"order of preference with their constraints. A saved set (DEVICE a file\n"
	"written by --save) is printed as saved; --usage, if given, must match it.\n"
	"\n"
	"  -u, --usage U[,U...]    usages: scanout, overlay, cursor, capture, decode,\n"
	"                          encode, render, sample, cpu-read, cpu-write,\n"
	"                          cpu-read-often, protected, or backend.name\n"
	"  -s, --size WxH          buffer size in pixels (e.g. 1280x720)\n"
	"  -f, --format F,...      formats asked for: NV12, XRGB8888, fourcc letters (XR24)\n"
	"  -m, --modifier M,...    modifiers asked for: linear, implicit, 0x<hex>\n"
	"  -o, --save FILE         write the set as JSON (la_capset_to_json) for offline use\n"
	"  -j, --json              JSON output\n"
	"  -h, --help              this text\n";

static const char negotiate_help[] =
	"Usage: alloc-info negotiate DEVICE:USAGE[,USAGE...]... --size WxH\n"
	"                            [--format F,...] [--modifier M,...] [--count N]\n"
	"                            [--allocate] [--path NAME] [--json]\n"
	"Negotiates a buffer every device can use: prints the devices, the chosen\n"
	"format and modifier, the merged constraints (and the linear layout), the\n"
	"common candidates, and every allocation path ranked, with why it matched\n"
	"or not. On failure the diagnosis names the device and the constraint.\n"
	"A saved capability set stands in for a device (FILE or FILE:USAGE); with\n"
	"only saved sets nothing can be allocated, but formats and paths are shown.\n"
	"\n"
	"  -s, --size WxH          buffer size in pixels (required)\n"
	"  -f, --format F,...      acceptable formats, most preferred first (default any)\n"
	"  -m, --modifier M,...    acceptable modifiers: linear, implicit, 0x<hex>\n"
	"  -n, --count N           buffers in the set, 1 to 64 (default 1)\n"
	"  -a, --allocate          allocate the set and print each descriptor: planes\n"
	"                          with offset, pitch, size, which dma-buf, flags, path\n"
	"  -p, --path NAME         allocate with this path (implies --allocate)\n"
	"  -j, --json              JSON output\n"
	"  -h, --help              this text\n"
	"\n"
	"Example: alloc-info negotiate /dev/video0:capture /dev/dri/card0:scanout \\\n"
	"             --size 640x480 --format NV12,YUYV,XRGB8888 --allocate\n";

void ai_help(FILE *f, const char *command)
{
	if (command && !strcmp(command, "list"))
		fputs(list_help, f);
	else if (command && !strcmp(command, "caps"))
		fputs(caps_help, f);
	else if (command && !strcmp(command, "negotiate"))
		fputs(negotiate_help, f);
	else
		fputs(general, f);
}
