namespace Hearth.Cli.Tests;

/// <summary>
/// Broken model files through the whole CLI (format reader, model loader, tokenizer, runtime):
/// each is a user error (exit 1, "error: " naming the file, no stack trace), never a crash.
/// </summary>
public sealed class BadModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hearth-bad-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertUserError(CliResult result, string path)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(path, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private string CopyGguf(string variant = "llama3-gqa")
    {
        var path = Path.Combine(_dir, variant + ".gguf");
        File.Copy(CliRunner.TinyPath(Path.Combine(variant, "model-f32.gguf")), path);
        return path;
    }

    private string CopyHfFolder(string variant = "llama3-gqa")
    {
        var source = CliRunner.TinyPath(Path.Combine(variant, "hf"));
        var folder = Path.Combine(_dir, variant + "-hf");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    [Theory]
    [InlineData("info")]
    [InlineData("generate", "--prompt", "hi")]
    [InlineData("chat")]
    [InlineData("tokenize", "--text", "hi")]
    public void A_truncated_gguf_is_a_user_error_in_every_command(params string[] args)
    {
        var path = CopyGguf();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        AssertUserError(CliRunner.RunWithInput("hi\n", [.. args, "--model", path]), path);
    }

    [Fact]
    public void A_gguf_with_bad_magic_is_a_user_error()
    {
        var path = CopyGguf();
        var bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        AssertUserError(CliRunner.Run("info", "--model", path), path);
    }

    [Fact]
    public void A_malformed_config_json_is_a_user_error()
    {
        var folder = CopyHfFolder();
        File.WriteAllText(Path.Combine(folder, "config.json"), "{\"model_type\": \"llama\", \"hidden_size\": ");
        var result = CliRunner.Run("generate", "--model", folder, "--prompt", "hi");
        AssertUserError(result, "config.json");
    }

    [Fact]
    public void An_unknown_architecture_is_a_user_error_naming_it()
    {
        var folder = CopyHfFolder();
        var configPath = Path.Combine(folder, "config.json");
        var config = File.ReadAllText(configPath)
            .Replace("\"llama\"", "\"frobnitz\"", StringComparison.Ordinal)
            .Replace("LlamaForCausalLM", "FrobnitzForCausalLM", StringComparison.Ordinal);
        File.WriteAllText(configPath, config);
        var result = CliRunner.Run("generate", "--model", folder, "--prompt", "hi");
        AssertUserError(result, folder);
        Assert.Contains("frobnitz", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_shard_is_a_user_error()
    {
        var folder = CopyHfFolder("llama2-mha");
        var shard = Directory.GetFiles(folder, "model-*.safetensors").Order(StringComparer.Ordinal).Last();
        File.Delete(shard);
        AssertUserError(CliRunner.Run("info", "--model", folder), Path.GetFileName(shard));
    }

    [Fact]
    public void Randomly_mutated_gguf_headers_never_crash_the_cli()
    {
        // Mutates bytes of the header (metadata incl. tokenizer vocabulary, tensor infos) and runs a
        // short generation: every outcome must be success or a user error, never an internal error.
        var original = File.ReadAllBytes(CliRunner.TinyPath(Path.Combine("llama3-gqa", "model-f32.gguf")));
        int headerBytes = HeaderLength(original);
        var path = Path.Combine(_dir, "mutated.gguf");
        var random = new Random(20261122);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        int runs = 0, userErrors = 0;
        for (int i = 0; i < 300 && DateTime.UtcNow < deadline; i++)
        {
            var bytes = (byte[])original.Clone();
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations; m++) bytes[random.Next(headerBytes)] = (byte)random.Next(256);
            File.WriteAllBytes(path, bytes);
            var result = CliRunner.Run("generate", "--model", path, "--prompt", "hi", "--max-tokens", "2", "--context", "32");
            Assert.True(result.ExitCode is 0 or 1, $"iteration {i}: exit {result.ExitCode}: {result.Error}");
            if (result.ExitCode == 1)
            {
                userErrors++;
                Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
            }
            runs++;
        }
        Assert.True(runs >= 50, $"only {runs} mutated files were tried");
        Assert.True(userErrors > 0, "no mutation was detected as an error: the mutations did not reach the header");
    }

    // Everything before the tensor data: metadata and tensor infos.
    private static int HeaderLength(byte[] file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hearth-header-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, file);
        try
        {
            using var gguf = Hearth.Formats.Gguf.GgufFile.Open(path);
            return (int)gguf.DataOffset;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
