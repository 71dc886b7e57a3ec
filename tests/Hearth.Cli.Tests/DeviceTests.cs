using System.Text.Json;
using Hearth.Backends.Vulkan;

namespace Hearth.Cli.Tests;

/// <summary>A fact that needs a Vulkan device (CI: lavapipe from tools/run-tests.sh); skipped with the reason where there is none.</summary>
public sealed class VulkanFactAttribute : FactAttribute
{
    static VulkanFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("LP_NUM_THREADS") is null) Environment.SetEnvironmentVariable("LP_NUM_THREADS", "1");
    }

    public VulkanFactAttribute()
    {
        if (!VulkanBackends.TryListDevices(out _, out var problem)) Skip = $"no Vulkan: {problem}";
        else if (!File.Exists(CliRunner.TinyPath("llama3-gqa/golden-f32.json"))) Skip = "tiny test model llama3-gqa is missing";
    }
}

/// <summary>`hearth devices` and `--device` on every command that runs a model.</summary>
public class DeviceTests
{
    [Fact]
    public void Devices_lists_the_cpu_and_says_what_it_found_of_vulkan()
    {
        var result = CliRunner.Run("devices");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("cpu ", result.Out, StringComparison.Ordinal);
        Assert.Contains("vulkan", result.Out, StringComparison.Ordinal);
        var json = JsonDocument.Parse(CliRunner.Run("devices", "--json").Out).RootElement;
        Assert.Equal("cpu", json.GetProperty("cpu").GetProperty("device").GetString());
        bool hasVulkan = VulkanBackends.TryListDevices(out var devices, out _);
        Assert.Equal(hasVulkan ? devices.Count : 0, json.GetProperty("vulkan").GetArrayLength());
        foreach (var d in json.GetProperty("vulkan").EnumerateArray())
        {
            Assert.StartsWith("vulkan:", d.GetProperty("device").GetString(), StringComparison.Ordinal);
            Assert.True(d.GetProperty("subgroup_size").GetInt32() > 0);
            Assert.True(d.GetProperty("memory_bytes").GetInt64() > 0);
        }
    }

    [Fact]
    public void A_bad_device_is_a_usage_error()
    {
        var result = CliRunner.Run("generate", "--device", "gpu", "--prompt-ids", "1,2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--device must be cpu, cpu-ref, vulkan, vulkan:N or auto", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Greedy decoding of the tiny model on Vulkan gives the PyTorch golden ids, as on the CPU.</summary>
    [VulkanFact]
    public void Generate_on_vulkan_gives_the_golden_greedy_ids()
    {
        var golden = JsonDocument.Parse(File.ReadAllText(CliRunner.TinyPath("llama3-gqa/golden-f32.json"))).RootElement;
        int[] promptIds = [.. golden.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())];
        int[] expected = [.. golden.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32())];
        var result = CliRunner.Run("generate", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--device", "vulkan:0",
            "--prompt-ids", string.Join(",", promptIds), "--max-tokens", expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ignore-eos", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(expected, json.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()));
    }

    [VulkanFact]
    public void Auto_without_a_gpu_falls_back_to_the_cpu_and_says_so()
    {
        VulkanBackends.TryListDevices(out var devices, out _);
        if (devices.Any(d => d.IsGpu)) return;  // a GPU machine: auto picks it (covered by the next person with one)
        var result = CliRunner.Run("generate", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--device", "auto", "--prompt-ids", "1,2", "--max-tokens", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--device auto: no Vulkan GPU", result.Error, StringComparison.Ordinal);
        Assert.Contains("using cpu", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The shipped trained model answers held-out questions on Vulkan exactly as the PyTorch reference does (4 of them, for time).</summary>
    [VulkanFact]
    public void Chat_on_vulkan_answers_held_out_questions_as_the_pytorch_reference()
    {
        var (questions, expected) = ShippedModelCliTests.HeldOut();
        questions = questions[..4];
        var stdin = string.Concat(questions.Select(q => q + "\n/reset\n"));
        var result = CliRunner.RunWithInput(stdin, "chat", "--model", Path.Combine(ShippedModelCliTests.Folder, "model.gguf"), "--device", "vulkan", "--max-tokens", "24");
        Assert.True(result.ExitCode == 0, result.Error);
        var replies = result.Out.Split('\n').Take(questions.Length).Select(r => r.Trim()).ToArray();
        Assert.Equal(expected[..4], replies);
    }
}
