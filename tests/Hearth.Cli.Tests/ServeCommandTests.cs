using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Cli.Commands;

namespace Hearth.Cli.Tests;

/// <summary>`hearth serve`, `hearth loadtest` and `hearth template` on the shipped model.</summary>
public class ServeCommandTests
{
    private static string Folder => Path.Combine(CliRunner.RepoRoot, "models", "hearth-tiny");

    private static JsonNode GoldenChat => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "golden-greedy.json")))!["prompts"]![0]!;

    [Fact]
    public void Serve_answers_on_loopback_and_loadtest_measures_it()
    {
        string? address = null;
        string? models = null;
        CliResult? loadtest = null;
        ServeCommand.OnStartedForTests = async app =>
        {
            address = Hearth.Server.HearthServer.BoundAddress(app);
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k1");
            models = await http.GetStringAsync(address + "/v1/models");
            loadtest = CliRunner.Run("loadtest", "--url", address, "--api-key", "k1", "-c", "2", "-n", "4", "-p", "8", "-g", "4", "--json");
        };
        try
        {
            var result = CliRunner.Run("serve", "--model", Folder, "--port", "0", "--api-key", "k1", "--served-model-name", "tiny", "--device-top-k", "8");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Contains("serving tiny", result.Out, StringComparison.Ordinal);
            // Explicit candidates run on the CPU too (its default is off); the loadtest below samples through them.
            Assert.Contains("device top-k: 8 candidates", result.Out, StringComparison.Ordinal);
        }
        finally
        {
            ServeCommand.OnStartedForTests = null;
        }
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        Assert.Equal("tiny", JsonNode.Parse(models!)!["data"]![0]!["id"]!.GetValue<string>());
        Assert.True(loadtest!.ExitCode == 0, loadtest.Error);
        var report = JsonNode.Parse(loadtest.Out)!;
        Assert.Equal(4, report["successful_requests"]!.GetValue<int>());
        Assert.Equal(16, report["total_output_tokens"]!.GetValue<int>());
        Assert.True(report["ttft"]!["p99_ms"]!.GetValue<double>() > 0);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--max-queue", "-1")]
    [InlineData("--device-top-k", "257")]
    [InlineData("--device-top-k", "-1")]
    public void Serve_rejects_bad_flags(string flag, string value)
    {
        var result = CliRunner.Run("serve", "--model", Folder, flag, value);
        Assert.Equal(HearthCli.UsageError, result.ExitCode);
        Assert.Contains(flag, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_rejects_a_host_that_is_not_an_address()
    {
        var result = CliRunner.Run("serve", "--model", Folder, "--host", "not a host", "--port", "0");
        Assert.Equal(HearthCli.UserError, result.ExitCode);
        Assert.Contains("not a host", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--warmup", "-1")]
    [InlineData("--concurrency", "0")]
    public void Loadtest_rejects_bad_flags(string flag, string value)
    {
        var result = CliRunner.Run("loadtest", "--url", "http://127.0.0.1:1", flag, value);
        Assert.Equal(HearthCli.UsageError, result.ExitCode);
        Assert.Contains(flag, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Loadtest_reports_an_unreachable_server()
    {
        var result = CliRunner.Run("loadtest", "--url", "http://127.0.0.1:1", "-n", "1");
        Assert.Equal(HearthCli.UserError, result.ExitCode);
        Assert.Contains("cannot reach", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_prints_the_prompt_pytorch_built()
    {
        var golden = GoldenChat;
        var dir = Directory.CreateTempSubdirectory("hearth-template-");
        try
        {
            var messages = Path.Combine(dir.FullName, "messages.json");
            File.WriteAllText(messages, new JsonArray(new JsonObject { ["role"] = "user", ["content"] = golden["text"]!.GetValue<string>() }).ToJsonString());
            var json = CliRunner.Run("template", "--model", Folder, "--messages", messages, "--add-generation-prompt", "--json");
            Assert.True(json.ExitCode == 0, json.Error);
            var ids = JsonNode.Parse(json.Out)!["ids"]!.AsArray().Select(i => i!.GetValue<int>());
            Assert.Equal(golden["prompt_ids"]!.AsArray().Select(i => i!.GetValue<int>()), ids);

            var text = CliRunner.Run("template", "--model", Folder, "--messages", messages, "--add-generation-prompt");
            Assert.True(text.ExitCode == 0, text.Error);
            Assert.EndsWith("<|im_start|>assistant\n", text.Out, StringComparison.Ordinal);
            var without = CliRunner.Run("template", "--model", Folder, "--messages", messages);
            Assert.EndsWith("<|im_end|>\n", without.Out, StringComparison.Ordinal);

            File.WriteAllText(messages, """[{"role": "user"}]""");
            var bad = CliRunner.Run("template", "--model", Folder, "--messages", messages);
            Assert.Equal(HearthCli.UserError, bad.ExitCode);
            Assert.Contains("messages[0].content", bad.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
