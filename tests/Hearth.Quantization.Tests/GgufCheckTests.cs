using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hearth.Formats.Gguf;
using Hearth.Quantization.Presets;

namespace Hearth.Quantization.Tests;

/// <summary>
/// Files Hearth writes, read by an independent parser: @huggingface/gguf through
/// tools/reference/gguf-check/check.mjs (install with tools/reference/gguf-check/setup.sh). Metadata
/// (keys, value types, values) and tensor infos (names, ne, types, offsets) must be what Hearth meant to write.
/// Fails, with the reason, when node or the package is missing.
/// </summary>
public sealed class GgufCheckTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("llama3-gqa/model-f32.gguf", "Q4_0")]
    [InlineData("qwen2-bias-tied/model-f32.gguf", "Q8_0")]
    [InlineData("synthetic", "Q4_K_M")]
    public void The_huggingface_gguf_parser_reads_what_hearth_wrote(string input, string preset)
    {
        string source = input == "synthetic" ? SyntheticModel.Path : RepoPaths.Tiny(input);
        string output = _temp.File("out.gguf");
        var report = ModelQuantizer.Run(source, output, QuantPresets.Get(preset));
        using var ours = GgufFile.Open(output);
        var parsed = RunCheck(output);

        Assert.Equal("3", parsed.GetProperty("version").ToString());
        var metadata = parsed.GetProperty("metadata");
        Assert.Equal(ours.Metadata.Count, metadata.EnumerateObject().Count());
        foreach (var (key, value) in ours.Metadata)
        {
            Assert.True(metadata.TryGetProperty(key, out var theirs), $"@huggingface/gguf does not see key {key}");
            Assert.Equal((int)value.Type, theirs.GetProperty("type").GetInt32());
            var v = theirs.GetProperty("value");
            if (value.Type == GgufValueType.Array)
            {
                var array = value.AsArray();
                Assert.Equal((int)value.ArrayElementType, theirs.GetProperty("subType").GetInt32());
                Assert.Equal(array.Length, v.GetProperty("length").GetInt32());
                var first = v.GetProperty("first").EnumerateArray().Select(e => Text(e)).ToArray();
                Assert.Equal(array.Cast<object>().Take(3).Select(o => Text(o)), first);
            }
            else
            {
                Assert.Equal(Text(value.Value), Text(v));
            }
        }

        var tensors = parsed.GetProperty("tensors").EnumerateArray().ToArray();
        Assert.Equal(report.Tensors.Count, tensors.Length);
        for (int i = 0; i < tensors.Length; i++)
        {
            var intended = report.Tensors[i];
            Assert.Equal(intended.Name, tensors[i].GetProperty("name").GetString());
            Assert.Equal((int)intended.Type, tensors[i].GetProperty("dtype").GetInt32());
            var ne = tensors[i].GetProperty("shape").EnumerateArray().Select(e => int.Parse(Text(e), CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(intended.Shape.Dims.Reverse(), ne);
            long offset = long.Parse(Text(tensors[i].GetProperty("offset")), CultureInfo.InvariantCulture);
            Assert.Equal(ours.Tensors[i].Data - ours.Tensors[0].Data, offset - long.Parse(Text(tensors[0].GetProperty("offset")), CultureInfo.InvariantCulture));
            Assert.Equal(0, offset % 32);
        }
        Assert.Equal(ours.DataOffset, long.Parse(Text(parsed.GetProperty("tensor_data_offset")), CultureInfo.InvariantCulture));
    }

    private static string Text(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement { ValueKind: JsonValueKind.True } => "True",
        JsonElement { ValueKind: JsonValueKind.False } => "False",
        JsonElement { ValueKind: JsonValueKind.Number } e => e.TryGetInt64(out long l) ? l.ToString(CultureInfo.InvariantCulture) : e.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonElement e => e.ToString(),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static JsonElement RunCheck(string file)
    {
        string dir = Path.Combine(RepoPaths.RepoRoot, "tools", "reference", "gguf-check");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@huggingface", "gguf")))
            Assert.Fail($"@huggingface/gguf is not installed: run tools/reference/gguf-check/setup.sh (needs node and npm)");
        var start = new ProcessStartInfo("node", ["check.mjs", file])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot run node ({e.Message}): install Node.js to check GGUF files with @huggingface/gguf");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"node check.mjs failed ({process.ExitCode}): {stderr}");
            return JsonDocument.Parse(stdout.Result).RootElement.Clone();
        }
    }
}
