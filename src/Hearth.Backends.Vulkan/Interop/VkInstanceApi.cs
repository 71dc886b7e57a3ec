using System.Runtime.InteropServices;
using System.Text;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Interop;

/// <summary>Instance-level entry points, fetched with vkGetInstanceProcAddr.</summary>
internal sealed unsafe class VkInstanceApi
{
    public delegate* unmanaged<nint, nint, void> DestroyInstance;
    public delegate* unmanaged<nint, uint*, nint*, VkResult> EnumeratePhysicalDevices;
    public delegate* unmanaged<nint, VkPhysicalDeviceProperties2*, void> GetPhysicalDeviceProperties2;
    public delegate* unmanaged<nint, VkPhysicalDeviceFeatures2*, void> GetPhysicalDeviceFeatures2;
    public delegate* unmanaged<nint, VkPhysicalDeviceMemoryProperties*, void> GetPhysicalDeviceMemoryProperties;
    public delegate* unmanaged<nint, uint*, VkQueueFamilyProperties*, void> GetPhysicalDeviceQueueFamilyProperties;
    public delegate* unmanaged<nint, byte*, uint*, VkExtensionProperties*, VkResult> EnumerateDeviceExtensionProperties;
    public delegate* unmanaged<nint, VkDeviceCreateInfo*, nint, nint*, VkResult> CreateDevice;
    public delegate* unmanaged<nint, byte*, nint> GetDeviceProcAddr;

    public VkInstanceApi(nint instance)
    {
        var get = VkLoader.GetInstanceProcAddr;
        DestroyInstance = (delegate* unmanaged<nint, nint, void>)Load(get, instance, "vkDestroyInstance");
        EnumeratePhysicalDevices = (delegate* unmanaged<nint, uint*, nint*, VkResult>)Load(get, instance, "vkEnumeratePhysicalDevices");
        GetPhysicalDeviceProperties2 = (delegate* unmanaged<nint, VkPhysicalDeviceProperties2*, void>)Load(get, instance, "vkGetPhysicalDeviceProperties2");
        GetPhysicalDeviceFeatures2 = (delegate* unmanaged<nint, VkPhysicalDeviceFeatures2*, void>)Load(get, instance, "vkGetPhysicalDeviceFeatures2");
        GetPhysicalDeviceMemoryProperties = (delegate* unmanaged<nint, VkPhysicalDeviceMemoryProperties*, void>)Load(get, instance, "vkGetPhysicalDeviceMemoryProperties");
        GetPhysicalDeviceQueueFamilyProperties = (delegate* unmanaged<nint, uint*, VkQueueFamilyProperties*, void>)Load(get, instance, "vkGetPhysicalDeviceQueueFamilyProperties");
        EnumerateDeviceExtensionProperties = (delegate* unmanaged<nint, byte*, uint*, VkExtensionProperties*, VkResult>)Load(get, instance, "vkEnumerateDeviceExtensionProperties");
        CreateDevice = (delegate* unmanaged<nint, VkDeviceCreateInfo*, nint, nint*, VkResult>)Load(get, instance, "vkCreateDevice");
        GetDeviceProcAddr = (delegate* unmanaged<nint, byte*, nint>)Load(get, instance, "vkGetDeviceProcAddr");
    }

    /// <summary>Looks up a global or instance function; a missing one is an error naming it.</summary>
    public static nint Load(delegate* unmanaged<nint, byte*, nint> get, nint instance, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        nint fn;
        fixed (byte* p = bytes) fn = get(instance, p);
        return fn != 0 ? fn : throw new HearthException($"the Vulkan loader has no {name} (Vulkan 1.2 or newer is needed)");
    }

    /// <summary>A NUL-terminated fixed-size char array as a string.</summary>
    public static string Text(byte* chars, int capacity)
    {
        int length = 0;
        while (length < capacity && chars[length] != 0) length++;
        return Encoding.UTF8.GetString(chars, length);
    }

    /// <summary>A copy of <paramref name="text"/> as NUL-terminated bytes in unmanaged memory (caller frees with <see cref="Marshal.FreeHGlobal"/>).</summary>
    public static byte* Utf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        var p = (byte*)Marshal.AllocHGlobal(bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }
}
