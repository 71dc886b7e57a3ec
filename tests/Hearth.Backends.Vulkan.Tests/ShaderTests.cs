using System.Diagnostics;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>A fact that needs glslc (apt-get install glslc; tools/run-tests.sh installs it); skipped with the reason where it is missing.</summary>
public sealed class GlslcFactAttribute : FactAttribute
{
    public GlslcFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "glslc"))))
            Skip = "glslc is not installed (apt-get install glslc)";
    }
}

public class ShaderTests
{
    private static string SpvDir => Path.Combine(RepoPaths.RepoRoot, "src", "Hearth.Backends.Vulkan", "Shaders", "spv");

    /// <summary>The committed SPIR-V is what tools/vulkan/compile-shaders.sh makes of the committed GLSL today.</summary>
    [GlslcFact]
    public void Committed_spirv_is_up_to_date_with_the_glsl()
    {
        string fresh = Path.Combine(Path.GetTempPath(), "hearth-spv-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.RepoRoot, "tools", "vulkan", "compile-shaders.sh"), fresh])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "compile-shaders.sh failed: " + errors);
            var committed = Directory.GetFiles(SpvDir, "*.spv").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            var compiled = Directory.GetFiles(fresh, "*.spv").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(compiled, committed);
            foreach (var name in compiled)
                Assert.True(File.ReadAllBytes(Path.Combine(fresh, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(SpvDir, name!))),
                    $"{name} is stale: run tools/vulkan/compile-shaders.sh and commit Shaders/spv");
        }
        finally
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void Every_committed_shader_is_embedded()
    {
        foreach (var file in Directory.GetFiles(SpvDir, "*.spv"))
        {
            var embedded = VulkanPipeline.LoadSpirv(Path.GetFileNameWithoutExtension(file));
            Assert.Equal(File.ReadAllBytes(file), embedded);
            Assert.Equal(0x07230203u, BitConverter.ToUInt32(embedded, 0));  // SPIR-V magic
        }
    }
}
