using System.Runtime.InteropServices;

namespace Hearth.Backends.Vulkan.Interop;

/// <summary>A VkInstance; destroyed when released.</summary>
internal sealed unsafe class VkInstanceHandle : SafeHandle
{
    private readonly delegate* unmanaged<nint, nint, void> _destroy;

    public VkInstanceHandle(nint handle, delegate* unmanaged<nint, nint, void> destroy) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        _destroy = destroy;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _destroy(handle, 0);
        return true;
    }
}

/// <summary>A VkDevice; waits for idle, then is destroyed when released (after every child handle, which hold references to it).</summary>
internal sealed unsafe class VkDeviceHandle : SafeHandle
{
    private readonly VkDeviceApi _api;

    public VkDeviceHandle(nint handle, VkDeviceApi api) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        _api = api;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _api.DeviceWaitIdle(handle);
        _api.DestroyDevice(handle, 0);
        return true;
    }
}

/// <summary>
/// Any non-dispatchable object owned by a device (buffer, memory, pipeline, pool, fence, ...), destroyed with its
/// vkDestroy*/vkFree* call. Holds a reference on the device handle so the device outlives its children.
/// </summary>
internal sealed unsafe class VkObjectHandle : SafeHandle
{
    private readonly VkDeviceHandle _device;
    private readonly delegate* unmanaged<nint, nint, nint, void> _destroy;
    private bool _deviceReferenced;

    public VkObjectHandle(VkDeviceHandle device, nint handle, delegate* unmanaged<nint, nint, nint, void> destroy) : base(0, ownsHandle: true)
    {
        _device = device;
        _destroy = destroy;
        device.DangerousAddRef(ref _deviceReferenced);
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw handle for a Vulkan call; valid while this object is not disposed.</summary>
    public nint Value => handle;

    protected override bool ReleaseHandle()
    {
        _destroy(_device.DangerousGetHandle(), handle, 0);
        if (_deviceReferenced) _device.DangerousRelease();
        return true;
    }
}
