/* SPDX-License-Identifier: MIT */
/* lavapipe for the consumer program vulkan.c (see vk.c). Every function
 * exits the program (vm_fatal) when Vulkan fails where no check is due. */
#ifndef LIBALLOC_VM_CONSUMER_VK_H
#define LIBALLOC_VM_CONSUMER_VK_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

struct vk {
	VkInstance instance;
	VkPhysicalDevice phys;
	VkDevice dev;
	VkQueue queue;
	uint32_t queue_family;
	PFN_vkGetMemoryFdPropertiesKHR get_fd_props;
	PFN_vkGetMemoryFdKHR get_fd;
	PFN_vkGetImageDrmFormatModifierPropertiesEXT get_image_modifier;
};

/* Exits the program naming what failed unless r is VK_SUCCESS. */
void vk_ok(VkResult r, const char *what);
/* Instance and device on lavapipe with VK_EXT_image_drm_format_modifier,
 * VK_EXT_external_memory_dma_buf and VK_KHR_external_memory_fd (checked). */
void vk_open_lavapipe(struct vk *vk);
/* Whether lavapipe lists the modifier for format and can import such an
 * image from a dma-buf for transfers (prints why not). */
bool vk_lavapipe_takes(struct vk *vk, VkFormat format, uint64_t modifier);
/* A memory type in bits with the flags want. */
uint32_t vk_memory_type(struct vk *vk, uint32_t bits, VkMemoryPropertyFlags want);
/* A host-visible, coherent buffer of size bytes bound to new memory *mem. */
VkBuffer vk_host_buffer(struct vk *vk, VkDeviceSize size, VkBufferUsageFlags usage,
			VkDeviceMemory *mem);
/* A one-time command buffer from a new pool, recording. */
VkCommandBuffer vk_begin_commands(struct vk *vk, VkCommandPool *pool);
/* Ends cmd, runs it, waits (10 s at most) and frees its pool. */
void vk_submit_and_wait(struct vk *vk, VkCommandPool pool, VkCommandBuffer cmd);

#endif
