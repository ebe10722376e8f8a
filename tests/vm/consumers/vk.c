/* SPDX-License-Identifier: MIT */
/* lavapipe's plumbing for vulkan.c: the device with the dma-buf and
 * DRM-modifier extensions, memory types, host buffers, one-shot commands. */
#include "vk.h"

#include <string.h>

#include "vmtest.h"

void vk_ok(VkResult r, const char *what)
{
	if (r != VK_SUCCESS)
		vm_fatal("%s: VkResult %d", what, r);
}

static const char *const dev_exts[] = {
	VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME,
	VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
	VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
};
#define N_DEV_EXTS (sizeof(dev_exts) / sizeof(dev_exts[0]))

static bool device_has(VkPhysicalDevice phys, const char *name)
{
	VkExtensionProperties props[512];
	uint32_t n = 512;

	vkEnumerateDeviceExtensionProperties(phys, NULL, &n, props);
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(props[i].extensionName, name))
			return true;
	return false;
}

void vk_open_lavapipe(struct vk *vk)
{
	VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
				 .pApplicationName = "liballoc-consumer-vulkan",
				 .apiVersion = VK_API_VERSION_1_1};
	VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
				    .pApplicationInfo = &app};
	VkPhysicalDevice phys[8];
	uint32_t n = 8;

	vk_ok(vkCreateInstance(&ici, NULL, &vk->instance), "vkCreateInstance");
	vk_ok(vkEnumeratePhysicalDevices(vk->instance, &n, phys), "vkEnumeratePhysicalDevices");
	for (uint32_t i = 0; i < n && !vk->phys; i++) {
		VkPhysicalDeviceProperties p;
		vkGetPhysicalDeviceProperties(phys[i], &p);
		vm_note("Vulkan device %u: %s, driver version 0x%x, API %u.%u", i, p.deviceName,
			p.driverVersion, VK_API_VERSION_MAJOR(p.apiVersion),
			VK_API_VERSION_MINOR(p.apiVersion));
		if (strstr(p.deviceName, "llvmpipe"))
			vk->phys = phys[i];
	}
	if (!vm_check(vk->phys != NULL, "lavapipe (llvmpipe) is a Vulkan device"))
		vm_fatal("no lavapipe");
	for (size_t i = 0; i < N_DEV_EXTS; i++)
		if (!vm_check(device_has(vk->phys, dev_exts[i]), "lavapipe offers %s", dev_exts[i]))
			vm_fatal("cannot go on without %s", dev_exts[i]);

	VkQueueFamilyProperties qf[8];
	n = 8;
	vkGetPhysicalDeviceQueueFamilyProperties(vk->phys, &n, qf);
	for (vk->queue_family = 0; vk->queue_family < n; vk->queue_family++)
		if (qf[vk->queue_family].queueFlags & VK_QUEUE_TRANSFER_BIT)
			break;
	if (vk->queue_family == n)
		vm_fatal("no transfer queue");
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
				       .queueFamilyIndex = vk->queue_family,
				       .queueCount = 1,
				       .pQueuePriorities = &prio};
	VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
				  .queueCreateInfoCount = 1,
				  .pQueueCreateInfos = &qci,
				  .enabledExtensionCount = N_DEV_EXTS,
				  .ppEnabledExtensionNames = dev_exts};
	vk_ok(vkCreateDevice(vk->phys, &dci, NULL, &vk->dev), "vkCreateDevice");
	vkGetDeviceQueue(vk->dev, vk->queue_family, 0, &vk->queue);
	vk->get_fd_props = (PFN_vkGetMemoryFdPropertiesKHR)vkGetDeviceProcAddr(
		vk->dev, "vkGetMemoryFdPropertiesKHR");
	vk->get_fd = (PFN_vkGetMemoryFdKHR)vkGetDeviceProcAddr(vk->dev, "vkGetMemoryFdKHR");
	vk->get_image_modifier = (PFN_vkGetImageDrmFormatModifierPropertiesEXT)vkGetDeviceProcAddr(
		vk->dev, "vkGetImageDrmFormatModifierPropertiesEXT");
	if (!vk->get_fd_props || !vk->get_fd || !vk->get_image_modifier)
		vm_fatal("vkGetDeviceProcAddr of the extensions' functions failed");
}

/* Whether lavapipe lists the modifier for format and can import such an
 * image from a dma-buf for transfers. */
bool vk_lavapipe_takes(struct vk *vk, VkFormat format, uint64_t modifier)
{
	VkDrmFormatModifierPropertiesEXT mods[32];
	VkDrmFormatModifierPropertiesListEXT list = {
		.sType = VK_STRUCTURE_TYPE_DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT,
		.drmFormatModifierCount = 32, .pDrmFormatModifierProperties = mods};
	VkFormatProperties2 fp = {.sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2, .pNext = &list};
	bool listed = false;

	vkGetPhysicalDeviceFormatProperties2(vk->phys, format, &fp);
	for (uint32_t i = 0; i < list.drmFormatModifierCount; i++)
		listed |= mods[i].drmFormatModifier == modifier;
	if (!listed)
		return false;

	VkPhysicalDeviceImageDrmFormatModifierInfoEXT mi = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_DRM_FORMAT_MODIFIER_INFO_EXT,
		.drmFormatModifier = modifier, .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
	VkPhysicalDeviceExternalImageFormatInfo ei = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO,
		.pNext = &mi, .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
	VkPhysicalDeviceImageFormatInfo2 info = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2, .pNext = &ei,
		.format = format, .type = VK_IMAGE_TYPE_2D,
		.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
		.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT};
	VkExternalImageFormatProperties eprops = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
	VkImageFormatProperties2 props = {.sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2,
					  .pNext = &eprops};
	VkResult r = vkGetPhysicalDeviceImageFormatProperties2(vk->phys, &info, &props);
	vm_note("DEBUG without external info: %d", r);
	info.pNext = &ei;
	info.tiling = VK_IMAGE_TILING_LINEAR; ei.pNext = NULL;
	r = vkGetPhysicalDeviceImageFormatProperties2(vk->phys, &info, &props);
	vm_note("DEBUG linear tiling, external dma-buf: %d", r);
	info.tiling = VK_IMAGE_TILING_OPTIMAL;
	r = vkGetPhysicalDeviceImageFormatProperties2(vk->phys, &info, &props);
	vm_note("DEBUG optimal tiling, external dma-buf: %d", r);
	ei.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
	r = vkGetPhysicalDeviceImageFormatProperties2(vk->phys, &info, &props);
	vm_note("DEBUG optimal tiling, external opaque fd: %d", r);
	ei.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT; ei.pNext = &mi;
	info.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT;
	r = vkGetPhysicalDeviceImageFormatProperties2(vk->phys, &info, &props);
	if (r != VK_SUCCESS) {
		vm_note("VkFormat %d, modifier 0x%llx, dma-buf import, transfer source:"
			" vkGetPhysicalDeviceImageFormatProperties2 VkResult %d", format,
			(unsigned long long)modifier, r);
		return false;
	}
	return eprops.externalMemoryProperties.externalMemoryFeatures &
	       VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
}

uint32_t vk_memory_type(struct vk *vk, uint32_t bits, VkMemoryPropertyFlags want)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(vk->phys, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want)
			return i;
	vm_fatal("no memory type in 0x%x with flags 0x%x", bits, want);
}

/* A host-visible, coherent buffer of size bytes bound to new memory *mem. */
VkBuffer vk_host_buffer(struct vk *vk, VkDeviceSize size, VkBufferUsageFlags usage,
			    VkDeviceMemory *mem)
{
	VkBufferCreateInfo bci = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
				  .usage = usage, .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
	VkBuffer buf;
	VkMemoryRequirements req;

	vk_ok(vkCreateBuffer(vk->dev, &bci, NULL, &buf), "vkCreateBuffer");
	vkGetBufferMemoryRequirements(vk->dev, buf, &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
		.memoryTypeIndex = vk_memory_type(vk, req.memoryTypeBits,
					       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
						       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)};
	vk_ok(vkAllocateMemory(vk->dev, &mai, NULL, mem), "vkAllocateMemory (host-visible)");
	vk_ok(vkBindBufferMemory(vk->dev, buf, *mem, 0), "vkBindBufferMemory");
	return buf;
}

/* A one-time command buffer from a new pool, recording. */
VkCommandBuffer vk_begin_commands(struct vk *vk, VkCommandPool *pool)
{
	VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
				       .queueFamilyIndex = vk->queue_family};
	VkCommandBuffer cmd;

	vk_ok(vkCreateCommandPool(vk->dev, &pci, NULL, pool), "vkCreateCommandPool");
	VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
					   .commandPool = *pool,
					   .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
					   .commandBufferCount = 1};
	vk_ok(vkAllocateCommandBuffers(vk->dev, &cai, &cmd), "vkAllocateCommandBuffers");
	VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
					  .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
	vk_ok(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
	return cmd;
}

/* Ends cmd, runs it, waits (10 s at most) and frees its pool. */
void vk_submit_and_wait(struct vk *vk, VkCommandPool pool, VkCommandBuffer cmd)
{
	VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
	VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			   .pCommandBuffers = &cmd};
	VkFence fence;

	vk_ok(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
	vk_ok(vkCreateFence(vk->dev, &fci, NULL, &fence), "vkCreateFence");
	vk_ok(vkQueueSubmit(vk->queue, 1, &si, fence), "vkQueueSubmit");
	vk_ok(vkWaitForFences(vk->dev, 1, &fence, VK_TRUE, 10ull * 1000 * 1000 * 1000),
	      "vkWaitForFences");
	vkDestroyFence(vk->dev, fence, NULL);
	vkDestroyCommandPool(vk->dev, pool, NULL);
}
