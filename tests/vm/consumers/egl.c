/* SPDX-License-Identifier: MIT */
/*
 * Mesa's EGL (llvmpipe, surfaceless platform) as a real consumer of the
 * interop fill-ins, checked by pixels:
 *  - import: a liballoc buffer the CPU filled through la_buffer_map()
 *    becomes an EGLImage through la_egl_dmabuf_attribs(), a texture
 *    (glEGLImageTargetTexture2DOES) that is read back through an FBO and
 *    sampled by a shader; both reads must equal what the CPU wrote. GL
 *    then clears a rectangle of it and the CPU must see that through
 *    la_buffer_map();
 *  - export: a texture GL rendered is exported by Mesa
 *    (eglExportDMABUFImageMESA), turned into a descriptor by
 *    la_descriptor_from_planes(), wrapped, imported by vgem through
 *    la_device_import() and mapped: the bytes must equal the rendering.
 * Run with the environment of tests/vm/fetch-consumers --print env (Mesa 25):
 * Debian 12's Mesa 22.3 offers no dma-buf import on llvmpipe.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <drm_fourcc.h>
#include <liballoc/interop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consumer.h"
#include "result.h"
#include "testlib.h"
#include "vmtest.h"

/* Not a multiple of 16 or 64: a pitch the driver pads differs from w * 4. */
#define W 100
#define H 60

static PFNEGLCREATEIMAGEKHRPROC create_image;
static PFNEGLDESTROYIMAGEKHRPROC destroy_image;
static PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
static PFNEGLQUERYDMABUFMODIFIERSEXTPROC query_modifiers;
static PFNEGLEXPORTDMABUFIMAGEQUERYMESAPROC export_query;
static PFNEGLEXPORTDMABUFIMAGEMESAPROC export_image;

static bool has_ext(const char *list, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = list; p && (p = strstr(p, ext)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void *proc(const char *name)
{
	void *p = (void *)eglGetProcAddress(name);

	if (!p)
		vm_fatal("eglGetProcAddress(%s) is NULL", name);
	return p;
}

/* Mesa's software EGLDevice (EGL_MESA_device_software): llvmpipe with no
 * DRM device behind it. */
static EGLDeviceEXT software_device(void)
{
	PFNEGLQUERYDEVICESEXTPROC query_devices = proc("eglQueryDevicesEXT");
	PFNEGLQUERYDEVICESTRINGEXTPROC device_string = proc("eglQueryDeviceStringEXT");
	EGLDeviceEXT devs[16];
	EGLint n = 0;

	if (!query_devices(16, devs, &n))
		vm_fatal("eglQueryDevicesEXT: 0x%x", eglGetError());
	for (EGLint i = 0; i < n; i++)
		if (has_ext(device_string(devs[i], EGL_EXTENSIONS), "EGL_MESA_device_software"))
			return devs[i];
	return EGL_NO_DEVICE_EXT;
}

/* A file of the DRM device behind dpy (EGL_DRM_DEVICE_FILE_EXT: primary
 * node, EGL_DRM_RENDER_NODE_FILE_EXT), "" for none (software). */
static const char *display_node(EGLDisplay dpy, EGLint which)
{
	PFNEGLQUERYDISPLAYATTRIBEXTPROC display_attrib = proc("eglQueryDisplayAttribEXT");
	PFNEGLQUERYDEVICESTRINGEXTPROC device_string = proc("eglQueryDeviceStringEXT");
	EGLAttrib dev = 0;
	const char *rn;

	if (!display_attrib(dpy, EGL_DEVICE_EXT, &dev) || !dev)
		return "";
	rn = device_string((EGLDeviceEXT)dev, which);
	return rn ? rn : "";
}

/* The surfaceless display, on Mesa's software device (EGL_EXT_explicit_device)
 * or the one Mesa picks. */
static EGLDisplay init_display(bool software)
{
	EGLAttrib attrs[] = {EGL_NONE, 0, EGL_NONE};
	EGLDisplay dpy;
	EGLint major, minor;
	const char *exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);

	if (software) {
		EGLDeviceEXT dev = software_device();
		if (!vm_check(dev != EGL_NO_DEVICE_EXT, "EGL lists Mesa's software device"))
			vm_fatal("no software EGL device");
		attrs[0] = EGL_DEVICE_EXT;
		attrs[1] = (EGLAttrib)dev;
	}
	dpy = eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, attrs);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor))
		vm_fatal("surfaceless EGL display: error 0x%x", eglGetError());
	exts = eglQueryString(dpy, EGL_EXTENSIONS);
	vm_note("EGL %d.%d, vendor %s, version %s, device %s", major, minor,
		eglQueryString(dpy, EGL_VENDOR), eglQueryString(dpy, EGL_VERSION),
		*display_node(dpy, EGL_DRM_RENDER_NODE_FILE_EXT) ?
			display_node(dpy, EGL_DRM_RENDER_NODE_FILE_EXT) : "software");
	static const char *const need[] = {
		"EGL_EXT_image_dma_buf_import", "EGL_EXT_image_dma_buf_import_modifiers",
		"EGL_MESA_image_dma_buf_export", "EGL_KHR_gl_texture_2D_image",
		"EGL_KHR_surfaceless_context", "EGL_KHR_no_config_context",
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!vm_check(has_ext(exts, need[i]), "EGL offers %s", need[i]))
			vm_fatal("cannot go on without %s (EGL extensions: %s)", need[i], exts);
	create_image = proc("eglCreateImageKHR");
	destroy_image = proc("eglDestroyImageKHR");
	image_target_texture = proc("glEGLImageTargetTexture2DOES");
	query_modifiers = proc("eglQueryDmaBufModifiersEXT");
	export_query = proc("eglExportDMABUFImageQueryMESA");
	export_image = proc("eglExportDMABUFImageMESA");
	return dpy;
}

static EGLContext make_current(EGLDisplay dpy)
{
	static const EGLint attrs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
	EGLContext ctx;

	if (!eglBindAPI(EGL_OPENGL_ES_API))
		vm_fatal("eglBindAPI: 0x%x", eglGetError());
	ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attrs);
	if (ctx == EGL_NO_CONTEXT || !eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
		vm_fatal("GLES 2 context: 0x%x", eglGetError());
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	vm_note("GL renderer %s, version %s", renderer, (const char *)glGetString(GL_VERSION));
	vm_check(renderer && strstr(renderer, "llvmpipe"), "the renderer is llvmpipe");
	vm_check(has_ext((const char *)glGetString(GL_EXTENSIONS), "GL_OES_EGL_image"),
		 "GL offers GL_OES_EGL_image");
	return ctx;
}

/* Whether EGL lists (format, modifier) as importable. */
static bool egl_takes(EGLDisplay dpy, uint32_t format, uint64_t modifier)
{
	EGLuint64KHR mods[64];
	EGLint n = 0;

	if (!query_modifiers(dpy, (EGLint)format, 64, mods, NULL, &n))
		return false;
	for (EGLint i = 0; i < n; i++)
		if (mods[i] == modifier)
			return true;
	return false;
}

static GLuint fbo_for(GLuint tex)
{
	GLuint fbo;

	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
		vm_fatal("framebuffer of texture %u incomplete: 0x%x", tex,
			 glCheckFramebufferStatus(GL_FRAMEBUFFER));
	return fbo;
}

static GLuint new_texture(const void *pixels)
{
	GLuint tex;

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	if (pixels != (const void *)1)
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, W, H, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
	return tex;
}

static GLuint shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;
	char log[512];

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		vm_fatal("shader: %s", log);
	}
	return s;
}

static GLuint program(const char *fs)
{
	static const char *vs = "attribute vec2 pos;\n"
				"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";
	GLuint p = glCreateProgram();
	GLint ok = 0;

	glAttachShader(p, shader(GL_VERTEX_SHADER, vs));
	glAttachShader(p, shader(GL_FRAGMENT_SHADER, fs));
	glBindAttribLocation(p, 0, "pos");
	glLinkProgram(p);
	glGetProgramiv(p, GL_LINK_STATUS, &ok);
	if (!ok)
		vm_fatal("program does not link");
	glUseProgram(p);
	return p;
}

/* One triangle covering the viewport. */
static void draw_fullscreen(void)
{
	static const GLfloat tri[] = {-1, -1, 3, -1, -1, 3};

	glViewport(0, 0, W, H);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, tri);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLES, 0, 3);
}

static uint64_t read_and_compare(uint32_t (*want)(uint32_t, uint32_t), const char *what)
{
	static uint32_t px[W * H];

	GLenum err = glGetError();

	if (err != GL_NO_ERROR)
		vm_fatal("%s: GL error 0x%x before glReadPixels", what, err);
	memset(px, 0, sizeof(px));
	glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, px);
	err = glGetError();
	if (err != GL_NO_ERROR)
		vm_fatal("%s: glReadPixels: GL error 0x%x", what, err);
	return cs_compare((const uint8_t *)px, W * 4, W, H, 0xffffffffu, want, what);
}

/* Sampling the imported texture at each texel's centre. */
static uint64_t sample_and_compare(GLuint imported)
{
	static const char *fs = "precision highp float;\n"
				"uniform sampler2D tex;\n"
				"uniform vec2 size;\n"
				"void main() { gl_FragColor = texture2D(tex, gl_FragCoord.xy / size); }\n";
	GLuint target = new_texture(NULL), fbo = fbo_for(target);
	GLuint p = program(fs);
	uint64_t bad;

	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, imported);
	glUniform1i(glGetUniformLocation(p, "tex"), 0);
	glUniform2f(glGetUniformLocation(p, "size"), W, H);
	draw_fullscreen();
	bad = read_and_compare(cs_pixel_as_rgba, "sampled by a shader");
	glDeleteProgram(p);
	glDeleteFramebuffers(1, &fbo);
	glDeleteTextures(1, &target);
	return bad;
}

/* GL clears a rectangle of the imported buffer; the CPU must read it. */
static uint32_t cleared_or_pattern(uint32_t x, uint32_t y)
{
	if (x >= 10 && x < 30 && y >= 20 && y < 35)
		return 0x5a336699u; /* XRGB 33 66 99: the clear colour */
	return cs_pixel(x, y);
}

static void check_gl_writes(GLuint imported, struct la_buffer *buf)
{
	GLuint fbo = fbo_for(imported);
	struct la_descriptor d;
	void *map;

	glEnable(GL_SCISSOR_TEST);
	glScissor(10, 20, 20, 15);
	glClearColor(0x33 / 255.0f, 0x66 / 255.0f, 0x99 / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
	glFinish();
	glDeleteFramebuffers(1, &fbo);
	la_buffer_get_descriptor(buf, &d);
	int ret = la_buffer_map(buf, 0, LA_MAP_READ, &map);
	if (!vm_check(ret == 0, "la_buffer_map after GL: %s", ret ? la_last_diagnosis() : "ok"))
		return;
	uint64_t bad = cs_compare(map, d.planes[0].pitch, W, H, 0x00ffffffu, cleared_or_pattern,
				  "GL's clear through la_buffer_map");
	vm_check(bad == 0, "GL's clear into the imported buffer is what the CPU reads back"
		 " (%llu pixels differ)", (unsigned long long)bad);
	la_buffer_unmap(buf, 0);
}

/* A buffer negotiated for rendering on dev (rows pitch_align apart if not
 * 0), imported into EGL. */
static void check_import(EGLDisplay dpy, struct la_context *ctx, struct la_device *dev,
			 uint64_t pitch_align)
{
	struct la_buffer *buf = cs_alloc(ctx, dev, LA_USAGE_RENDER, DRM_FORMAT_XRGB8888, W, H,
				       pitch_align);
	struct la_descriptor d;
	int32_t attribs[LA_EGL_DMABUF_ATTRIBS_MAX];
	size_t n = 0;
	int ret;

	cs_fill_pixels(buf);
	if (la_buffer_export(buf, &d) < 0)
		vm_fatal("la_buffer_export: %s", la_last_diagnosis());
	if (pitch_align)
		vm_check(d.planes[0].pitch % pitch_align == 0 && d.planes[0].pitch != W * 4,
			 "the pitch (%llu) is padded: EGL must take it from the attributes",
			 (unsigned long long)d.planes[0].pitch);
	vm_check(egl_takes(dpy, d.format, d.modifier),
		 "eglQueryDmaBufModifiersEXT lists XRGB8888 with the buffer's modifier");
	ret = la_egl_dmabuf_attribs(&d, attribs, LA_EGL_DMABUF_ATTRIBS_MAX, &n);
	if (!vm_check(ret == 0, "la_egl_dmabuf_attribs: %d, %zu attributes", ret, n))
		vm_fatal("%s", la_last_diagnosis());
	EGLImageKHR img = create_image(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
	/* EGL does not take the fds: ours to close once the image exists. */
	la_descriptor_close(&d);
	if (!vm_check(img != EGL_NO_IMAGE_KHR, "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT): 0x%x",
		      eglGetError()))
		vm_fatal("no image to test");

	GLuint tex = new_texture((const void *)1);
	image_target_texture(GL_TEXTURE_2D, (GLeglImageOES)img);
	GLenum err = glGetError();
	vm_check(err == GL_NO_ERROR, "glEGLImageTargetTexture2DOES (GL error 0x%x)", err);
	GLuint fbo = fbo_for(tex);
	uint64_t bad = read_and_compare(cs_pixel_as_rgba, "read through an FBO");
	vm_check(bad == 0, "glReadPixels of the imported texture equals what the CPU wrote"
		 " (%llu of %u pixels differ)", (unsigned long long)bad, W * H);
	glDeleteFramebuffers(1, &fbo);
	bad = sample_and_compare(tex);
	vm_check(bad == 0, "a shader sampling the imported texture reads what the CPU wrote"
		 " (%llu of %u pixels differ)", (unsigned long long)bad, W * H);
	check_gl_writes(tex, buf);
	glDeleteTextures(1, &tex);
	destroy_image(dpy, img);
	la_buffer_destroy(buf);
}

/* RGBA bytes of a pattern GL renders from the fragment's position. */
static uint32_t rendered(uint32_t x, uint32_t y)
{
	return 0xc0u << 24 | ((x * 3 + y) & 0xff) << 16 | (y * 2 & 0xff) << 8 | (x & 0xff);
}

static GLuint render_texture(void)
{
	static const char *fs =
		"precision highp float;\n"
		"void main() {\n"
		"  vec2 p = floor(gl_FragCoord.xy);\n"
		"  gl_FragColor = vec4(mod(p.x, 256.0), mod(p.y * 2.0, 256.0),\n"
		"                      mod(p.x * 3.0 + p.y, 256.0), 192.0) / 255.0;\n"
		"}\n";
	GLuint tex = new_texture(NULL), fbo = fbo_for(tex), p = program(fs);

	draw_fullscreen();
	vm_check(read_and_compare(rendered, "GL's own rendering") == 0,
		 "GL rendered the pattern (glReadPixels)");
	glDeleteProgram(p);
	glDeleteFramebuffers(1, &fbo);
	glFinish();
	return tex;
}

/* virtio_gpu, the display, imports only its own buffers: Mesa's export
 * cannot be scanned out there, and liballoc must say why rather than fail
 * in the kernel without a reason. */
static void check_scanout_refused(struct la_context *ctx, const struct la_buffer *buf)
{
	char node[64];
	struct la_device *card = NULL;
	struct la_import *imp = NULL;
	int fd = vm_open_drm("virtio_gpu", "card", node, sizeof(node)), ret;

	if (fd < 0 || la_device_open(ctx, node, &card) < 0)
		vm_fatal("virtio_gpu's card node: %s", fd < 0 ? "none" : la_last_diagnosis());
	close(fd);
	ret = la_device_import(card, LA_USAGE_SCANOUT, buf, &imp);
	vm_check(ret < 0 && imp == NULL && strstr(la_last_diagnosis(), "imports only its own buffers"),
		 "%s refuses Mesa's export for scanout, saying why: %s", la_device_get_label(card),
		 ret < 0 ? la_last_diagnosis() : "imported");
	la_import_destroy(imp);
	la_device_unref(card);
}

static void check_export(EGLDisplay dpy, EGLContext glctx, struct la_context *ctx,
			 struct la_device *vgem)
{
	static const EGLint attrs[] = {EGL_GL_TEXTURE_LEVEL_KHR, 0, EGL_NONE};
	GLuint tex = render_texture();
	EGLImageKHR img = create_image(dpy, glctx, EGL_GL_TEXTURE_2D_KHR,
				       (EGLClientBuffer)(uintptr_t)tex, attrs);
	int fourcc = 0, n_planes = 0, fds[4] = {-1, -1, -1, -1};
	EGLint strides[4] = {0}, offsets[4] = {0};
	EGLuint64KHR modifier = 0;
	struct la_descriptor d;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	char name[32];
	int ret;

	if (!vm_check(img != EGL_NO_IMAGE_KHR, "eglCreateImageKHR(EGL_GL_TEXTURE_2D_KHR): 0x%x",
		      eglGetError()))
		return;
	if (!vm_check(export_query(dpy, img, &fourcc, &n_planes, &modifier) &&
			      export_image(dpy, img, fds, strides, offsets),
		      "eglExportDMABUFImageMESA: 0x%x", eglGetError()))
		goto out;
	vm_note("Mesa exported %s, modifier %s, %d plane(s), pitch %d, offset %d",
		la_format_name((uint32_t)fourcc, name, sizeof(name)),
		la_modifier_name(modifier, (char[24]){0}, 24), n_planes, strides[0], offsets[0]);
	ret = la_descriptor_from_planes((uint32_t)fourcc, modifier, W, H, (uint32_t)n_planes, fds,
					(const uint32_t *)offsets, (const uint32_t *)strides, &d);
	if (!vm_check(ret == 0, "la_descriptor_from_planes of Mesa's export: %s",
		      ret ? la_last_diagnosis() : "ok"))
		goto out;
	ret = la_buffer_from_descriptor(ctx, &d, &buf);
	if (!vm_check(ret == 0, "la_buffer_from_descriptor: %s", ret ? la_last_diagnosis() : "ok"))
		goto out;
	ret = la_device_import(vgem, LA_USAGE_RENDER, buf, &imp);
	uint64_t handle = 0;
	if (ret == 0)
		la_import_get_property(imp, "handle0", &handle);
	vm_check(ret == 0 && handle, "%s imports Mesa's export (la_device_import: %s, GEM handle %llu)",
		 la_device_get_label(vgem), ret ? la_last_diagnosis() : "ok",
		 (unsigned long long)handle);
	check_scanout_refused(ctx, buf);
	void *map;
	ret = la_buffer_map(buf, 0, LA_MAP_READ, &map);
	if (!vm_check(ret == 0, "la_buffer_map of the wrapped export: %s",
		      ret ? la_last_diagnosis() : "ok"))
		goto out;
	/* GL's row 0 is the bottom row, the first in memory. */
	uint64_t bad = cs_compare((const uint8_t *)map + d.planes[0].offset, d.planes[0].pitch, W, H,
				  0xffffffffu, rendered, "Mesa's export through la_buffer_map");
	vm_check(d.format == DRM_FORMAT_ABGR8888 && bad == 0,
		 "the exported bytes (ABGR8888: R, G, B, A) are what GL rendered"
		 " (%llu of %u pixels differ)", (unsigned long long)bad, W * H);
	la_buffer_unmap(buf, 0);
out:
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0 && (i == 0 || fds[i] != fds[0]))
			close(fds[i]);
	if (img != EGL_NO_IMAGE_KHR)
		destroy_image(dpy, img);
	glDeleteTextures(1, &tex);
}

static int usage(void)
{
	fprintf(stderr, "usage: vm-consumer-egl software|default\n"
		"  software: Mesa's software EGLDevice, a buffer negotiated for vgem\n"
		"  default:  the DRM device Mesa's surfaceless platform picks, a buffer\n"
		"            negotiated for that device (its primary node)\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "software") && strcmp(argv[1], "default")))
		return usage();
	bool software = !strcmp(argv[1], "software");
	struct la_context *ctx = vm_context();
	struct la_device *vgem = cs_open_vgem(ctx), *dev = NULL;
	EGLDisplay dpy = init_display(software);
	EGLContext glctx = make_current(dpy);

	if (software) {
		dev = la_device_ref(vgem);
	} else {
		/* kms_swrast imports through PRIME into the display's device and
		 * maps with DRM_IOCTL_MODE_MAP_DUMB: only that device's own
		 * buffers. Negotiating for that device says so. */
		const char *card = display_node(dpy, EGL_DRM_DEVICE_FILE_EXT);
		if (!vm_check(*card, "the default surfaceless display runs on a DRM device (%s)",
			      card))
			vm_fatal("no device to negotiate for");
		if (la_device_open(ctx, card, &dev) < 0)
			vm_fatal("la_device_open %s: %s", card, la_last_diagnosis());
	}
	/* The display's own dumb buffers have the driver's pitch: no padding asked. */
	check_import(dpy, ctx, dev, software ? 256 : 0);
	check_export(dpy, glctx, ctx, vgem);

	eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(dpy, glctx);
	eglTerminate(dpy);
	la_device_unref(dev);
	la_device_unref(vgem);
	la_context_destroy(ctx);
	return vm_exit_status();
}
