// SPDX-License-Identifier: GPL-2.0
/*
 * The display pipe: one CRTC, one primary plane, one always-connected
 * virtual connector, atomic modesetting through the helpers. There is no
 * vblank interrupt: the atomic helpers send each commit's event when the
 * commit is done (drm_atomic_helper_fake_vblank, since no vblank is
 * initialised), so page flips with DRM_MODE_PAGE_FLIP_EVENT complete.
 * The primary plane must cover the whole CRTC, unscaled (the simple pipe's
 * rule), as on many SoC engines' primary planes.
 */
#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_probe_helper.h>

#include "contig_display.h"

#define CD_MAX_W 1920
#define CD_MAX_H 1080
#define CD_PREF_W 1024
#define CD_PREF_H 768

static const u32 cd_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
	DRM_FORMAT_RGB565, DRM_FORMAT_NV12,
};

static const u64 cd_modifiers[] = {DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID};

static int cd_connector_get_modes(struct drm_connector *connector)
{
	int n = drm_add_modes_noedid(connector, CD_MAX_W, CD_MAX_H);

	drm_set_preferred_mode(connector, CD_PREF_W, CD_PREF_H);
	return n;
}

static const struct drm_connector_helper_funcs cd_connector_helper_funcs = {
	.get_modes = cd_connector_get_modes,
};

static const struct drm_connector_funcs cd_connector_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static enum drm_mode_status cd_mode_valid(struct drm_simple_display_pipe *pipe,
					  const struct drm_display_mode *mode)
{
	if (mode->hdisplay > CD_MAX_W || mode->vdisplay > CD_MAX_H)
		return MODE_BAD;
	return MODE_OK;
}

static void cd_enable(struct drm_simple_display_pipe *pipe, struct drm_crtc_state *crtc_state,
		      struct drm_plane_state *plane_state)
{
}

static void cd_disable(struct drm_simple_display_pipe *pipe)
{
}

/* The "engine" reads the plane's DMA addresses from the committed state
 * (debugfs shows them); counting is all an update does. */
static void cd_update(struct drm_simple_display_pipe *pipe, struct drm_plane_state *old)
{
	struct drm_plane_state *state = pipe->plane.state;

	if (state->fb && state->crtc && state->crtc->state->active)
		atomic_inc(&cd_stats.flips);
}

static const struct drm_simple_display_pipe_funcs cd_pipe_funcs = {
	.mode_valid = cd_mode_valid,
	.enable = cd_enable,
	.disable = cd_disable,
	.update = cd_update,
};

static const struct drm_mode_config_funcs cd_mode_config_funcs = {
	.fb_create = drm_gem_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int cd_kms_init(struct cd_device *cd)
{
	struct drm_device *drm = &cd->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = 4096;
	drm->mode_config.max_height = 4096;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &cd_mode_config_funcs;

	ret = drm_connector_init(drm, &cd->connector, &cd_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&cd->connector, &cd_connector_helper_funcs);
	ret = drm_simple_display_pipe_init(drm, &cd->pipe, &cd_pipe_funcs, cd_formats,
					   ARRAY_SIZE(cd_formats), cd_modifiers, &cd->connector);
	if (ret)
		return ret;
	drm_mode_config_reset(drm);
	return 0;
}

/*
 * Only the DRM master's GETCONNECTOR probes a connector; anyone else gets
 * the modes of the last probe. With no hotplug interrupt to trigger one, a
 * client that is not master (a second open, a library's probe fd) would see
 * no mode: probe once here, as a display driver does when a monitor is found.
 */
void cd_kms_probe_modes(struct cd_device *cd)
{
	struct drm_device *drm = &cd->drm;

	mutex_lock(&drm->mode_config.mutex);
	drm_helper_probe_single_connector_modes(&cd->connector, drm->mode_config.max_width,
						drm->mode_config.max_height);
	mutex_unlock(&drm->mode_config.mutex);
}
