/* SPDX-License-Identifier: MIT */
/*
 * Values from include/uapi/drm/drm_fourcc.h, spelled out (as src/format.c
 * does) so the benchmark builds without libdrm.
 */
#include "drm-table.h"

#define F(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

const uint32_t bench_fourccs[] = {
	F('C', '8', ' ', ' '), /* C8 */
	F('R', '8', ' ', ' '), /* R8 */
	F('R', '1', '0', ' '), /* R10 */
	F('R', '1', '2', ' '), /* R12 */
	F('R', '1', '6', ' '), /* R16 */
	F('R', 'G', '8', '8'), /* RG88 */
	F('G', 'R', '8', '8'), /* GR88 */
	F('R', 'G', '3', '2'), /* RG1616 */
	F('G', 'R', '3', '2'), /* GR1616 */
	F('R', 'G', 'B', '8'), /* RGB332 */
	F('B', 'G', 'R', '8'), /* BGR233 */
	F('X', 'R', '1', '2'), /* XRGB4444 */
	F('X', 'B', '1', '2'), /* XBGR4444 */
	F('R', 'X', '1', '2'), /* RGBX4444 */
	F('B', 'X', '1', '2'), /* BGRX4444 */
	F('A', 'R', '1', '2'), /* ARGB4444 */
	F('A', 'B', '1', '2'), /* ABGR4444 */
	F('R', 'A', '1', '2'), /* RGBA4444 */
	F('B', 'A', '1', '2'), /* BGRA4444 */
	F('X', 'R', '1', '5'), /* XRGB1555 */
	F('X', 'B', '1', '5'), /* XBGR1555 */
	F('R', 'X', '1', '5'), /* RGBX5551 */
	F('B', 'X', '1', '5'), /* BGRX5551 */
	F('A', 'R', '1', '5'), /* ARGB1555 */
	F('A', 'B', '1', '5'), /* ABGR1555 */
	F('R', 'A', '1', '5'), /* RGBA5551 */
	F('B', 'A', '1', '5'), /* BGRA5551 */
	F('R', 'G', '1', '6'), /* RGB565 */
	F('B', 'G', '1', '6'), /* BGR565 */
	F('R', 'G', '2', '4'), /* RGB888 */
	F('B', 'G', '2', '4'), /* BGR888 */
	F('X', 'R', '2', '4'), /* XRGB8888 */
	F('X', 'B', '2', '4'), /* XBGR8888 */
	F('R', 'X', '2', '4'), /* RGBX8888 */
	F('B', 'X', '2', '4'), /* BGRX8888 */
	F('A', 'R', '2', '4'), /* ARGB8888 */
	F('A', 'B', '2', '4'), /* ABGR8888 */
	F('R', 'A', '2', '4'), /* RGBA8888 */
	F('B', 'A', '2', '4'), /* BGRA8888 */
	F('X', 'R', '3', '0'), /* XRGB2101010 */
	F('X', 'B', '3', '0'), /* XBGR2101010 */
	F('R', 'X', '3', '0'), /* RGBX1010102 */
	F('B', 'X', '3', '0'), /* BGRX1010102 */
	F('A', 'R', '3', '0'), /* ARGB2101010 */
	F('A', 'B', '3', '0'), /* ABGR2101010 */
	F('R', 'A', '3', '0'), /* RGBA1010102 */
	F('B', 'A', '3', '0'), /* BGRA1010102 */
	F('X', 'R', '4', '8'), /* XRGB16161616 */
	F('X', 'B', '4', '8'), /* XBGR16161616 */
	F('A', 'R', '4', '8'), /* ARGB16161616 */
	F('A', 'B', '4', '8'), /* ABGR16161616 */
	F('X', 'R', '4', 'H'), /* XRGB16161616F */
	F('X', 'B', '4', 'H'), /* XBGR16161616F */
	F('A', 'R', '4', 'H'), /* ARGB16161616F */
	F('A', 'B', '4', 'H'), /* ABGR16161616F */
	F('A', 'B', '1', '0'), /* AXBXGXRX106106106106 */
	F('Y', 'U', 'Y', 'V'), /* YUYV */
	F('Y', 'V', 'Y', 'U'), /* YVYU */
	F('U', 'Y', 'V', 'Y'), /* UYVY */
	F('V', 'Y', 'U', 'Y'), /* VYUY */
	F('A', 'Y', 'U', 'V'), /* AYUV */
	F('X', 'Y', 'U', 'V'), /* XYUV8888 */
	F('V', 'U', '2', '4'), /* VUY888 */
	F('V', 'U', '3', '0'), /* VUY101010 */
	F('Y', '2', '1', '0'), /* Y210 */
	F('Y', '2', '1', '2'), /* Y212 */
	F('Y', '2', '1', '6'), /* Y216 */
	F('Y', '4', '1', '0'), /* Y410 */
	F('Y', '4', '1', '2'), /* Y412 */
	F('Y', '4', '1', '6'), /* Y416 */
	F('X', 'V', '3', '0'), /* XVYU2101010 */
	F('X', 'V', '3', '6'), /* XVYU12_16161616 */
	F('X', 'V', '4', '8'), /* XVYU16161616 */
	F('Y', '0', 'L', '0'), /* Y0L0 */
	F('X', '0', 'L', '0'), /* X0L0 */
	F('Y', '0', 'L', '2'), /* Y0L2 */
	F('X', '0', 'L', '2'), /* X0L2 */
	F('Y', 'U', '0', '8'), /* YUV420_8BIT */
	F('Y', 'U', '1', '0'), /* YUV420_10BIT */
	F('X', 'R', 'A', '8'), /* XRGB8888_A8 */
	F('X', 'B', 'A', '8'), /* XBGR8888_A8 */
	F('R', 'X', 'A', '8'), /* RGBX8888_A8 */
	F('B', 'X', 'A', '8'), /* BGRX8888_A8 */
	F('R', '8', 'A', '8'), /* RGB888_A8 */
	F('B', '8', 'A', '8'), /* BGR888_A8 */
	F('R', '5', 'A', '8'), /* RGB565_A8 */
	F('B', '5', 'A', '8'), /* BGR565_A8 */
	F('N', 'V', '1', '2'), /* NV12 */
	F('N', 'V', '2', '1'), /* NV21 */
	F('N', 'V', '1', '6'), /* NV16 */
	F('N', 'V', '6', '1'), /* NV61 */
	F('N', 'V', '2', '4'), /* NV24 */
	F('N', 'V', '4', '2'), /* NV42 */
	F('N', 'V', '1', '5'), /* NV15 */
	F('P', '2', '1', '0'), /* P210 */
	F('P', '0', '1', '0'), /* P010 */
	F('P', '0', '1', '2'), /* P012 */
	F('P', '0', '1', '6'), /* P016 */
	F('P', '0', '3', '0'), /* P030 */
	F('Q', '4', '1', '0'), /* Q410 */
	F('Q', '4', '0', '1'), /* Q401 */
	F('Y', 'U', 'V', '9'), /* YUV410 */
	F('Y', 'V', 'U', '9'), /* YVU410 */
	F('Y', 'U', '1', '1'), /* YUV411 */
	F('Y', 'V', '1', '1'), /* YVU411 */
	F('Y', 'U', '1', '2'), /* YUV420 */
	F('Y', 'V', '1', '2'), /* YVU420 */
	F('Y', 'U', '1', '6'), /* YUV422 */
	F('Y', 'V', '1', '6'), /* YVU422 */
	F('Y', 'U', '2', '4'), /* YUV444 */
	F('Y', 'V', '2', '4'), /* YVU444 */
};
const size_t bench_n_fourccs = sizeof(bench_fourccs) / sizeof(bench_fourccs[0]);

/* fourcc_mod_code(): vendor in the top byte, 56 bits of vendor value. */
#define MOD(vendor, val) (((uint64_t)(vendor) << 56) | ((uint64_t)(val) & UINT64_C(0x00ffffffffffffff)))
#define VENDOR_INTEL 0x01
#define VENDOR_AMD 0x02
#define VENDOR_NVIDIA 0x03
#define VENDOR_SAMSUNG 0x04
#define VENDOR_QCOM 0x05
#define VENDOR_VIVANTE 0x06
#define VENDOR_BROADCOM 0x07
#define VENDOR_ARM 0x08
#define VENDOR_ALLWINNER 0x09

/* DRM_FORMAT_MOD_NVIDIA_BLOCK_LINEAR_2D(c, s, g, k, h) */
static uint64_t nvidia_2d(unsigned c, unsigned s, unsigned g, unsigned k, unsigned h)
{
	return MOD(VENDOR_NVIDIA, 0x10 | (h & 0xf) | ((uint64_t)(k & 0xff) << 12) |
					  ((uint64_t)(g & 0x3) << 20) | ((uint64_t)(s & 0x1) << 22) |
					  ((uint64_t)(c & 0x7) << 23));
}

/* AMD_FMT_MOD with TILE_VERSION (bits 0-7), TILE (8-12), DCC (13), PIPE_XOR_BITS (21-23). */
static uint64_t amd(unsigned version, unsigned tile, unsigned dcc, unsigned pipe_xor)
{
	return MOD(VENDOR_AMD, version | ((uint64_t)tile << 8) | ((uint64_t)dcc << 13) |
				       ((uint64_t)pipe_xor << 21));
}

/* DRM_FORMAT_MOD_ARM_AFBC(): ARM type 0 (AFBC) in bits 52-55, flags below. */
static uint64_t afbc(uint64_t block_size, uint64_t flags)
{
	return MOD(VENDOR_ARM, block_size | flags);
}

#define AFBC_YTR (1u << 4)
#define AFBC_SPLIT (1u << 5)
#define AFBC_SPARSE (1u << 6)
#define AFBC_CBR (1u << 7)
#define AFBC_TILED (1u << 8)

size_t bench_vendor_modifiers(uint64_t *out, size_t max)
{
	static const unsigned afbc_flags[] = {
		0, AFBC_SPARSE, AFBC_YTR, AFBC_YTR | AFBC_SPARSE, AFBC_YTR | AFBC_SPLIT | AFBC_SPARSE,
		AFBC_TILED | AFBC_SPARSE, AFBC_YTR | AFBC_TILED | AFBC_SPARSE, AFBC_CBR | AFBC_SPARSE,
	};
	static const unsigned nv_kinds[] = {0xfe, 0x06, 0x7a};
	static const unsigned amd_tiles[] = {25, 26, 27}; /* GFX9_64K_S_X, _D_X, _R_X */
	uint64_t v[256];
	size_t n = 0;

	/* I915_FORMAT_MOD_X_TILED (1) .. I915_FORMAT_MOD_4_TILED_DG2_RC_CCS_CC (12) */
	for (unsigned i = 1; i <= 12; i++)
		v[n++] = MOD(VENDOR_INTEL, i);
	for (unsigned b = 1; b <= 3; b++) /* 16x16, 32x8, 64x4 superblocks */
		for (size_t f = 0; f < sizeof(afbc_flags) / sizeof(afbc_flags[0]); f++)
			v[n++] = afbc(b, afbc_flags[f]);
	for (unsigned h = 0; h <= 5; h++) /* log2 GOBs per block, as Tegra and nouveau report */
		for (size_t k = 0; k < sizeof(nv_kinds) / sizeof(nv_kinds[0]); k++)
			for (unsigned g = 0; g <= 1; g++)
				v[n++] = nvidia_2d(0, 1, g, nv_kinds[k], h);
	for (unsigned ver = 1; ver <= 3; ver++) /* GFX9, GFX10, GFX10_RBPLUS */
		for (size_t t = 0; t < sizeof(amd_tiles) / sizeof(amd_tiles[0]); t++)
			for (unsigned dcc = 0; dcc <= 1; dcc++)
				v[n++] = amd(ver, amd_tiles[t], dcc, 3);
	v[n++] = MOD(VENDOR_QCOM, 1);      /* DRM_FORMAT_MOD_QCOM_COMPRESSED */
	v[n++] = MOD(VENDOR_SAMSUNG, 1);   /* DRM_FORMAT_MOD_SAMSUNG_64_32_TILE */
	v[n++] = MOD(VENDOR_SAMSUNG, 2);   /* DRM_FORMAT_MOD_SAMSUNG_16_16_TILE */
	for (unsigned i = 1; i <= 4; i++) /* DRM_FORMAT_MOD_VIVANTE_TILED .. SPLIT_SUPER_TILED */
		v[n++] = MOD(VENDOR_VIVANTE, i);
	v[n++] = MOD(VENDOR_BROADCOM, 1);  /* DRM_FORMAT_MOD_BROADCOM_VC4_T_TILED */
	v[n++] = MOD(VENDOR_ALLWINNER, 1); /* DRM_FORMAT_MOD_ALLWINNER_TILED */

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = v[i];
	return n;
}
