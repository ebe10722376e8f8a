/* SPDX-License-Identifier: MIT */
/*
 * lavapipe (Mesa's CPU Vulkan driver) as a real consumer of
 * la_vk_dmabuf_info(), checked by pixels: a liballoc buffer the CPU filled
 * through la_buffer_map() is imported as a VkImage with
 * VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT, the explicit modifier and plane
 * layouts of the fill-in (VK_EXT_image_drm_format_modifier) and its dma-buf
 * as the memory (VK_EXT_external_memory_dma_buf), copied by the device into
 * a host-visible buffer, and that buffer must equal what the CPU wrote.
 * The reverse: an image lavapipe wrote is exported as a dma-buf and comes
 * back through la_descriptor_from_planes() for vgem and the CPU.
 * Run with the environment of tests/vm/fetch-consumers --print env (Mesa 25).
 */
#include <drm_fourcc.h>
#include <liballoc/interop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consumer.h"
#include "result.h"
#include "vk.h"
#include "vmtest.h"

/* Not a multiple of 16 or 64: a pitch the driver pads differs from w * 4. */
#define W 100
#define H 60

/* The image of the fill-in's info, bound to a dup of its dma-buf. */
static VkImage import_image(struct vk *vk, const struct la_descriptor *d, VkFormat format,
			    VkDeviceMemory *mem)
{
	struct la_vk_dmabuf info;
	VkSubresourceLayout layouts[LA_MAX_PLANES];
	int ret = la_vk_dmabuf_info(d, &info);

	if (!vm_check(ret == 0, "la_vk_dmabuf_info: %s", ret ? la_last_diagnosis() : "ok"))
		vm_fatal("no create info");
	for (uint32_t p = 0; p < info.plane_count; p++)
		layouts[p] = (VkSubresourceLayout){
			.offset = info.plane_layouts[p].offset, .size = info.plane_layouts[p].size,
			.rowPitch = info.plane_layouts[p].row_pitch,
			.arrayPitch = info.plane_layouts[p].array_pitch,
			.depthPitch = info.plane_layouts[p].depth_pitch};
	VkImageDrmFormatModifierExplicitCreateInfoEXT explicit = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
		.drmFormatModifier = info.drm_format_modifier,
		.drmFormatModifierPlaneCount = info.plane_count,
		.pPlaneLayouts = layouts};
	VkExternalMemoryImageCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
		.pNext = &explicit, .handleTypes = info.handle_type};
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .pNext = &ext,
		.imageType = VK_IMAGE_TYPE_2D, .format = format,
		.extent = {d->width, d->height, 1}, .mipLevels = 1, .arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = (VkImageTiling)LA_VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
		.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
	VkImage img;
	VkResult r = vkCreateImage(vk->dev, &ici, NULL, &img);
	if (!vm_check(r == VK_SUCCESS, "vkCreateImage with the explicit modifier and plane layouts"
		      " (VkResult %d)", r))
		vm_fatal("no image");

	VkImageDrmFormatModifierPropertiesEXT got = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_PROPERTIES_EXT};
	vk->get_image_modifier(vk->dev, img, &got);
	vm_check(got.drmFormatModifier == info.drm_format_modifier,
		 "the image has the descriptor's modifier");
	for (uint32_t p = 0; p < d->plane_count; p++) {
		VkImageSubresource sub = {.aspectMask = VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT << p};
		VkSubresourceLayout lay;
		vkGetImageSubresourceLayout(vk->dev, img, &sub, &lay);
		vm_check(lay.rowPitch == d->planes[p].pitch && lay.offset == d->planes[p].offset,
			 "image plane %u has the descriptor's pitch %llu and offset %llu", p,
			 (unsigned long long)lay.rowPitch, (unsigned long long)lay.offset);
	}

	/* The import takes the fd it is given: a dup, info.fd stays the descriptor's. */
	int fd = dup(info.fd);
	VkMemoryFdPropertiesKHR fdp = {.sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR};
	vk_ok(vk->get_fd_props(vk->dev, info.handle_type, fd, &fdp), "vkGetMemoryFdPropertiesKHR");
	VkMemoryRequirements req;
	vkGetImageMemoryRequirements(vk->dev, img, &req);
	VkMemoryDedicatedAllocateInfo ded = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, .image = img};
	VkImportMemoryFdInfoKHR imp = {.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
				       .pNext = &ded, .handleType = info.handle_type, .fd = fd};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .pNext = &imp,
		.allocationSize = (uint64_t)lseek(info.fd, 0, SEEK_END),
		.memoryTypeIndex = vk_memory_type(vk, req.memoryTypeBits & fdp.memoryTypeBits, 0)};
	r = vkAllocateMemory(vk->dev, &mai, NULL, mem);
	if (!vm_check(r == VK_SUCCESS, "vkAllocateMemory importing the dma-buf (VkResult %d)", r)) {
		close(fd);
		vm_fatal("no memory");
	}
	vk_ok(vkBindImageMemory(vk->dev, img, *mem, 0), "vkBindImageMemory");
	return img;
}

/* Copies every plane of img, tightly packed one after the other, into a new
 * host-visible buffer; offsets[p] is where plane p starts in it. */
static VkBuffer copy_out(struct vk *vk, VkImage img, const struct la_descriptor *d,
			 VkDeviceMemory *mem, uint64_t *offsets)
{
	VkBufferImageCopy regions[LA_MAX_PLANES];
	uint64_t size = 0;

	for (uint32_t p = 0; p < d->plane_count; p++) {
		struct la_format_info fi;
		uint32_t row_bytes, rows;
		cs_plane_extent(d, p, &row_bytes, &rows);
		la_format_get_info(d->format, &fi);
		offsets[p] = size;
		regions[p] = (VkBufferImageCopy){
			.bufferOffset = size,
			.imageSubresource = {d->plane_count > 1 ? VK_IMAGE_ASPECT_PLANE_0_BIT << p
								: VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
			.imageExtent = {row_bytes / (fi.bpp[p] / 8), rows, 1}};
		size += (uint64_t)row_bytes * rows;
	}
	VkBuffer out = vk_host_buffer(vk, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, mem);
	VkCommandPool pool;
	VkCommandBuffer cmd = vk_begin_commands(vk, &pool);

	/* The memory came from outside with the CPU's writes: acquire it from
	 * the foreign queue family keeping its contents (GENERAL, not UNDEFINED). */
	VkImageMemoryBarrier acquire = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
		.oldLayout = VK_IMAGE_LAYOUT_GENERAL,
		.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_EXTERNAL,
		.dstQueueFamilyIndex = vk->queue_family,
		.image = img,
		.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL, 1, &acquire);
	vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, out, d->plane_count,
			       regions);
	VkBufferMemoryBarrier to_host = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.buffer = out, .size = VK_WHOLE_SIZE};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0,
			     NULL, 1, &to_host, 0, NULL);
	vk_submit_and_wait(vk, pool, cmd);
	return out;
}

/* A buffer of drm_format, 32-bit RGB (Vulkan's vk_format), at w x h
 * negotiated for usage on dev and a consumer wanting 256-byte rows, filled
 * by the CPU, imported, copied out by lavapipe and compared. */
static void check_format(struct vk *vk, struct la_context *ctx, struct la_device *dev,
			 uint64_t usage, uint32_t drm_format, VkFormat vk_format, uint32_t w,
			 uint32_t h)
{
	struct la_buffer *buf = cs_alloc(ctx, dev, usage, drm_format, w, h, 256);
	struct la_descriptor d;
	VkDeviceMemory img_mem, buf_mem;
	uint64_t offsets[LA_MAX_PLANES];
	uint32_t row_bytes, rows;
	char name[32];
	uint8_t *host;

	la_buffer_get_descriptor(buf, &d);
	la_format_name(drm_format, name, sizeof(name));
	cs_plane_extent(&d, 0, &row_bytes, &rows);
	vm_check(d.planes[0].pitch % 256 == 0 && d.planes[0].pitch != row_bytes,
		 "%s: the pitch (%llu) is padded: lavapipe must take it from the plane layouts",
		 name, (unsigned long long)d.planes[0].pitch);
	cs_fill_pixels(buf);
	if (!vm_check(vk_lavapipe_takes(vk, vk_format, d.modifier),
		      "lavapipe lists %s (VkFormat %d) with the buffer's modifier, importable"
		      " from a dma-buf", name, vk_format)) {
		la_buffer_destroy(buf);
		return;
	}
	VkImage img = import_image(vk, &d, vk_format, &img_mem);
	VkBuffer out = copy_out(vk, img, &d, &buf_mem, offsets);
	vk_ok(vkMapMemory(vk->dev, buf_mem, 0, VK_WHOLE_SIZE, 0, (void **)&host), "vkMapMemory");
	/* XRGB8888's X byte is undefined for a B8G8R8A8 copy: compare B, G, R. */
	uint64_t bad = cs_compare(host + offsets[0], w * 4, w, h, 0x00ffffffu, cs_pixel,
				  "lavapipe's copy to a host-visible buffer");
	vm_check(bad == 0, "%s: lavapipe's copy of the imported image equals what the CPU wrote"
		 " (%llu differ)", name, (unsigned long long)bad);
	vkUnmapMemory(vk->dev, buf_mem);
	vkDestroyBuffer(vk->dev, out, NULL);
	vkFreeMemory(vk->dev, buf_mem, NULL);
	vkDestroyImage(vk->dev, img, NULL);
	vkFreeMemory(vk->dev, img_mem, NULL);
	la_buffer_destroy(buf);
}

/* An exportable image in lavapipe's own layout (LINEAR chosen from a list,
 * pitch lavapipe's), bound to new dma-buf-exportable memory *mem. */
static VkImage exportable_image(struct vk *vk, VkDeviceMemory *mem)
{
	uint64_t linear = LA_MODIFIER_LINEAR;
	VkImageDrmFormatModifierListCreateInfoEXT list = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_LIST_CREATE_INFO_EXT,
		.drmFormatModifierCount = 1, .pDrmFormatModifiers = &linear};
	VkExternalMemoryImageCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO, .pNext = &list,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .pNext = &ext,
		.imageType = VK_IMAGE_TYPE_2D, .format = VK_FORMAT_B8G8R8A8_UNORM,
		.extent = {W, H, 1}, .mipLevels = 1, .arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
		.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
	VkImage img;
	VkMemoryRequirements req;

	vk_ok(vkCreateImage(vk->dev, &ici, NULL, &img), "vkCreateImage (exportable)");
	vkGetImageMemoryRequirements(vk->dev, img, &req);
	VkMemoryDedicatedAllocateInfo ded = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, .image = img};
	VkExportMemoryAllocateInfo exp = {.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO,
					  .pNext = &ded,
					  .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
	VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .pNext = &exp,
				    .allocationSize = req.size,
				    .memoryTypeIndex = vk_memory_type(vk, req.memoryTypeBits, 0)};
	vk_ok(vkAllocateMemory(vk->dev, &mai, NULL, mem), "vkAllocateMemory (exportable)");
	vk_ok(vkBindImageMemory(vk->dev, img, *mem, 0), "vkBindImageMemory (exportable)");
	return img;
}

/* The device copies cs_pixel() from a staging buffer into img and hands
 * the image to the external queue family (GENERAL). */
static void device_writes(struct vk *vk, VkImage img)
{
	VkDeviceMemory mem;
	VkBuffer src = vk_host_buffer(vk, (VkDeviceSize)W * H * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
				   &mem);
	uint32_t *px;
	VkCommandPool pool;

	vk_ok(vkMapMemory(vk->dev, mem, 0, VK_WHOLE_SIZE, 0, (void **)&px), "vkMapMemory");
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			px[y * W + x] = cs_pixel(x, y);
	vkUnmapMemory(vk->dev, mem);

	VkCommandBuffer cmd = vk_begin_commands(vk, &pool);
	VkImageMemoryBarrier to_dst = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
		.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = img, .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
			     0, 0, NULL, 0, NULL, 1, &to_dst);
	VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
				    .imageExtent = {W, H, 1}};
	vkCmdCopyBufferToImage(cmd, src, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
	VkImageMemoryBarrier release = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		.newLayout = VK_IMAGE_LAYOUT_GENERAL,
		.srcQueueFamilyIndex = vk->queue_family,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_EXTERNAL,
		.image = img, .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
			     VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, NULL, 0, NULL, 1, &release);
	vk_submit_and_wait(vk, pool, cmd);
	vkDestroyBuffer(vk->dev, src, NULL);
	vkFreeMemory(vk->dev, mem, NULL);
}

/* The reverse: an image lavapipe wrote, exported as a dma-buf with its
 * modifier and plane layout, comes back through la_descriptor_from_planes(),
 * vgem imports it (la_device_import) and the CPU reads it through
 * la_buffer_map(). */
static void check_export(struct vk *vk, struct la_context *ctx, struct la_device *vgem)
{
	VkDeviceMemory mem;
	VkImage img = exportable_image(vk, &mem);
	VkMemoryGetFdInfoKHR gi = {.sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR,
				   .memory = mem,
				   .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
	VkImageDrmFormatModifierPropertiesEXT mod = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_PROPERTIES_EXT};
	VkImageSubresource sub = {.aspectMask = VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT};
	VkSubresourceLayout lay;
	struct la_descriptor d;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	uint64_t handle = 0;
	int fd = -1, ret;
	void *map;

	device_writes(vk, img);
	vk_ok(vk->get_fd(vk->dev, &gi, &fd), "vkGetMemoryFdKHR");
	vk_ok(vk->get_image_modifier(vk->dev, img, &mod), "vkGetImageDrmFormatModifierPropertiesEXT");
	vkGetImageSubresourceLayout(vk->dev, img, &sub, &lay);
	vm_note("lavapipe exported modifier %s, pitch %llu, offset %llu",
		la_modifier_name(mod.drmFormatModifier, (char[24]){0}, 24),
		(unsigned long long)lay.rowPitch, (unsigned long long)lay.offset);
	uint32_t offset = (uint32_t)lay.offset, pitch = (uint32_t)lay.rowPitch;
	ret = la_descriptor_from_planes(DRM_FORMAT_ARGB8888, mod.drmFormatModifier, W, H, 1, &fd,
					&offset, &pitch, &d);
	if (!vm_check(ret == 0, "la_descriptor_from_planes of lavapipe's export: %s",
		      ret ? la_last_diagnosis() : "ok"))
		goto out;
	ret = la_buffer_from_descriptor(ctx, &d, &buf);
	if (!vm_check(ret == 0, "la_buffer_from_descriptor: %s", ret ? la_last_diagnosis() : "ok"))
		goto out;
	ret = la_device_import(vgem, LA_USAGE_RENDER, buf, &imp);
	if (ret == 0)
		la_import_get_property(imp, "handle0", &handle);
	vm_check(ret == 0 && handle, "%s imports lavapipe's export (la_device_import: %s, GEM handle"
		 " %llu)", la_device_get_label(vgem), ret ? la_last_diagnosis() : "ok",
		 (unsigned long long)handle);
	ret = la_buffer_map(buf, 0, LA_MAP_READ, &map);
	if (!vm_check(ret == 0, "la_buffer_map of the wrapped export: %s",
		      ret ? la_last_diagnosis() : "ok"))
		goto out;
	/* B8G8R8A8 is ARGB8888 in memory: all four bytes are the device's copy. */
	uint64_t bad = cs_compare((const uint8_t *)map + d.planes[0].offset, d.planes[0].pitch, W, H,
				  0xffffffffu, cs_pixel, "lavapipe's export through la_buffer_map");
	vm_check(bad == 0, "the exported bytes are what lavapipe copied into the image"
		 " (%llu of %u pixels differ)", (unsigned long long)bad, W * H);
	la_buffer_unmap(buf, 0);
out:
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	if (fd >= 0)
		close(fd);
	vkDestroyImage(vk->dev, img, NULL);
	vkFreeMemory(vk->dev, mem, NULL);
}

int main(void)
{
	struct la_context *ctx = vm_context();
	struct la_device *vgem = cs_open_vgem(ctx);
	struct vk vk = {0};

	vk_open_lavapipe(&vk);
	check_format(&vk, ctx, vgem, LA_USAGE_RENDER, DRM_FORMAT_XRGB8888,
		     VK_FORMAT_B8G8R8A8_UNORM, W, H);
	/* No NV12: lavapipe (Mesa 25.0.7) lists G8_B8R8_2PLANE_420_UNORM with
	 * LINEAR and 2 planes but refuses the image with DRM-modifier tiling
	 * (VK_ERROR_FORMAT_NOT_SUPPORTED from
	 * vkGetPhysicalDeviceImageFormatProperties2); the planes' offsets are
	 * checked by tests/unit/test-interop.c's known answers. */
	check_export(&vk, ctx, vgem);

	vkDestroyDevice(vk.dev, NULL);
	vkDestroyInstance(vk.instance, NULL);
	la_device_unref(vgem);
	la_context_destroy(ctx);
	return vm_exit_status();
}
