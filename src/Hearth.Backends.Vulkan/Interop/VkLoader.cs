using System.Runtime.InteropServices;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Interop;

/// <summary>
/// Finds the Vulkan loader (libvulkan.so.1, vulkan-1.dll, libvulkan.1.dylib / MoltenVK) with <see cref="NativeLibrary"/>
/// and hands out vkGetInstanceProcAddr. Nothing here needs the Vulkan SDK: only the loader and a driver at run time.
/// </summary>
internal static unsafe class VkLoader
{
    private static readonly Lock Gate = new();
    private static nint _library;
    private static string? _failure;

    private static string[] Candidates() =>
        OperatingSystem.IsWindows() ? ["vulkan-1.dll"]
        : OperatingSystem.IsMacOS() ? ["libvulkan.1.dylib", "libMoltenVK.dylib"]
        : ["libvulkan.so.1", "libvulkan.so"];

    /// <summary>Loads the loader once; null and a reason when it is not installed.</summary>
    public static bool TryLoad(out string? problem)
    {
        lock (Gate)
        {
            if (_library != 0) { problem = null; return true; }
            if (_failure is not null) { problem = _failure; return false; }
            if (!Environment.Is64BitProcess)
            {
                _failure = "the Vulkan backend needs a 64-bit process";
                problem = _failure;
                return false;
            }
            foreach (var name in Candidates())
            {
                if (NativeLibrary.TryLoad(name, out _library)) { problem = null; return true; }
            }
            _failure = $"no Vulkan loader found (tried {string.Join(", ", Candidates())}; on Debian/Ubuntu: apt-get install libvulkan1 mesa-vulkan-drivers)";
            problem = _failure;
            return false;
        }
    }

    public static delegate* unmanaged<nint, byte*, nint> GetInstanceProcAddr
    {
        get
        {
            if (!TryLoad(out var problem)) throw new HearthException(problem!);
            return (delegate* unmanaged<nint, byte*, nint>)NativeLibrary.GetExport(_library, "vkGetInstanceProcAddr");
        }
    }

    /// <summary>Turns a failed VkResult into a HearthException naming the call.</summary>
    public static void Check(VkResult result, string call)
    {
        if (result >= 0) return;
        throw new VulkanException(call, result);
    }
}

/// <summary>A Vulkan call failed; the message names the call and the result code in words.</summary>
public sealed class VulkanException : HearthException
{
    internal VulkanException(string call, VkResult result, string? detail = null) : base(Describe(call, result) + detail) => ResultCode = (int)result;

    /// <summary>The raw VkResult value.</summary>
    public int ResultCode { get; }

    /// <summary>Whether the device was lost (driver reset, GPU hang): nothing on it can be used any more.</summary>
    public bool IsDeviceLost => ResultCode == (int)VkResult.ErrorDeviceLost;

    /// <summary>Whether a wait for submitted work ran out of time (a hung device, or a limit set too low).</summary>
    public bool IsTimeout => ResultCode == (int)VkResult.Timeout;

    private static string Describe(string call, VkResult result) => result switch
    {
        VkResult.Timeout => $"{call} timed out (VK_TIMEOUT)",
        VkResult.ErrorDeviceLost => $"Vulkan device lost during {call} (driver reset or GPU hang); the device cannot be used any more",
        VkResult.ErrorOutOfDeviceMemory => $"{call}: out of device memory (VK_ERROR_OUT_OF_DEVICE_MEMORY)",
        VkResult.ErrorOutOfHostMemory => $"{call}: out of host memory (VK_ERROR_OUT_OF_HOST_MEMORY)",
        VkResult.ErrorIncompatibleDriver => $"{call}: no compatible Vulkan driver (VK_ERROR_INCOMPATIBLE_DRIVER); install one, e.g. mesa-vulkan-drivers",
        _ => $"{call} failed with {result} ({(int)result})",
    };
}
