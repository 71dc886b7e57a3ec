using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hearth.Backends.Vulkan;

namespace Hearth.Cli.Commands;

/// <summary>hearth devices: the CPU and every Vulkan device, with what each supports (the names --device takes).</summary>
internal static class DevicesCommand
{
    public static Command Create(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("devices", "List the compute devices (--device cpu, vulkan:N, auto)") { json };
        command.SetAction(parse =>
        {
            bool hasVulkan = VulkanBackends.TryListDevices(out var devices, out var problem);
            var auto = Hearth.Runtime.DeviceSelection.Resolve("auto");
            if (parse.GetValue(json))
            {
                var node = ToJson(hasVulkan ? devices : [], problem);
                node["auto"] = auto.Backend;
                JsonOutput.Write(context.Out, node);
            }
            else
            {
                WriteText(context.Out, hasVulkan ? devices : [], problem);
                context.Out.WriteLine($"auto       {auto.Backend}{(auto.Note is null ? "" : $" ({auto.Note.Replace("--device auto: ", "", StringComparison.Ordinal)})")}");
                context.Out.Flush();
            }
            return 0;
        });
        return command;
    }

    private static string Cpu() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} logical cores, kernels: {Hearth.Backends.Cpu.CpuBackends.KernelFeatures}");

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Gib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F1} GiB");

    private static void WriteText(TextWriter o, IReadOnlyList<VulkanDeviceInfo> devices, string? problem)
    {
        o.WriteLine($"cpu        {Cpu()}");
        if (devices.Count == 0) o.WriteLine($"vulkan     not available: {problem}");
        foreach (var d in devices)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vulkan:{d.Index,-3} {d.Name} ({d.Kind}, {d.Vendor})"));
            o.WriteLine($"           driver {d.Driver} {d.DriverInfo}, Vulkan {d.ApiVersion}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"           memory {Gib(d.DeviceLocalBytes)}, subgroup {d.SubgroupSize}, fp16 {YesNo(d.Float16)}, int8 {YesNo(d.Int8)}, cooperative matrix {YesNo(d.CooperativeMatrix)}"));
            if (!d.SubgroupArithmetic) o.WriteLine("           not usable: no subgroup arithmetic in compute shaders");
        }
        o.Flush();
    }

    private static JsonObject ToJson(IReadOnlyList<VulkanDeviceInfo> devices, string? problem)
    {
        var vulkan = new JsonArray();
        foreach (var d in devices)
        {
            vulkan.Add(new JsonObject
            {
                ["device"] = $"vulkan:{d.Index.ToString(CultureInfo.InvariantCulture)}",
                ["name"] = d.Name,
                ["kind"] = d.Kind,
                ["vendor"] = d.Vendor,
                ["vendor_id"] = d.VendorId,
                ["driver"] = d.Driver,
                ["driver_info"] = d.DriverInfo,
                ["api_version"] = d.ApiVersion,
                ["memory_bytes"] = d.DeviceLocalBytes,
                ["subgroup_size"] = d.SubgroupSize,
                ["subgroup_arithmetic"] = d.SubgroupArithmetic,
                ["fp16"] = d.Float16,
                ["int8"] = d.Int8,
                ["cooperative_matrix"] = d.CooperativeMatrix,
                ["max_storage_buffer_range"] = d.MaxStorageBufferRange,
            });
        }
        return new JsonObject
        {
            ["cpu"] = new JsonObject { ["device"] = "cpu", ["description"] = Cpu(), ["logical_cores"] = Environment.ProcessorCount,
                ["kernel_features"] = Hearth.Backends.Cpu.CpuBackends.KernelFeatures },
            ["vulkan"] = vulkan,
            ["vulkan_problem"] = problem,
        };
    }
}
