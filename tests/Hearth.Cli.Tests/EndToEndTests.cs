using System.Text.Json;

namespace Hearth.Cli.Tests;

/// <summary>The CLI on the tiny llama3-gqa model against the PyTorch reference's golden file.</summary>
public class EndToEndTests
{
    private const string Variant = "llama3-gqa";
    private static readonly string Golden = $"{Variant}/golden-f32.json";

    private static JsonElement LoadGolden() => JsonDocument.Parse(File.ReadAllText(CliRunner.TinyPath(Golden))).RootElement;

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    private static JsonElement RunJson(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}");
        return JsonDocument.Parse(result.Out).RootElement;
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Generate_json_on_the_hf_folder_and_the_gguf_file_gives_the_golden_greedy_ids()
    {
        var golden = LoadGolden();
        var promptIds = Ints(golden.GetProperty("prompt_ids"));
        var expected = Ints(golden.GetProperty("generated_ids"));
        foreach (var file in new[] { "hf", "model-f32.gguf" })
        {
            var json = RunJson("generate", "--model", CliRunner.TinyPath($"{Variant}/{file}"), "--prompt-ids", string.Join(",", promptIds),
                "--max-tokens", expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ignore-eos", "--json");
            Assert.Equal(promptIds, Ints(json.GetProperty("prompt_ids")));
            Assert.Equal(expected, Ints(json.GetProperty("generated_ids")));
            Assert.Equal("max_tokens", json.GetProperty("stop_reason").GetString());
            Assert.True(json.GetProperty("timings").GetProperty("decode_tokens_per_s").GetDouble() > 0);
        }
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Top_logits_match_the_reference_logits_of_each_step()
    {
        var golden = LoadGolden();
        var promptIds = Ints(golden.GetProperty("prompt_ids"));
        var json = RunJson("generate", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--prompt-ids", string.Join(",", promptIds),
            "--max-tokens", "3", "--ignore-eos", "--json", "--top-logits", "5");
        var steps = json.GetProperty("top_logits").EnumerateArray().ToArray();
        Assert.Equal(3, steps.Length);
        var referenceRows = new List<float[]>();
        referenceRows.Add([.. golden.GetProperty("prefill_logits").EnumerateArray().Last().EnumerateArray().Select(e => e.GetSingle())]);
        foreach (var step in golden.GetProperty("decode_steps").EnumerateArray().Take(2))
            referenceRows.Add([.. step.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle())]);

        for (int s = 0; s < steps.Length; s++)
        {
            var entries = steps[s].EnumerateArray().ToArray();
            Assert.Equal(5, entries.Length);
            var expectedOrder = referenceRows[s].Select((v, id) => (v, id)).OrderByDescending(p => p.v).Take(5).Select(p => p.id).ToArray();
            Assert.Equal(expectedOrder, entries.Select(e => e.GetProperty("id").GetInt32()));
            foreach (var entry in entries)
                Assert.Equal(referenceRows[s][entry.GetProperty("id").GetInt32()], entry.GetProperty("logit").GetSingle(), 1e-3f);
        }
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Prompt_text_is_encoded_with_the_model_bos_setting()
    {
        var textPrompt = LoadGolden().GetProperty("text_prompt");
        var json = RunJson("generate", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--prompt", textPrompt.GetProperty("text").GetString()!,
            "--max-tokens", "2", "--json");
        Assert.Equal(Ints(textPrompt.GetProperty("ids")), Ints(json.GetProperty("prompt_ids")));
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Streaming_text_equals_the_json_text()
    {
        var model = CliRunner.TinyPath($"{Variant}/hf");
        var streamed = CliRunner.Run("generate", "--model", model, "--prompt", "Hello", "--max-tokens", "12", "--ignore-eos");
        Assert.Equal(0, streamed.ExitCode);
        var json = RunJson("generate", "--model", model, "--prompt", "Hello", "--max-tokens", "12", "--ignore-eos", "--json");
        Assert.Equal(json.GetProperty("text").GetString() + Environment.NewLine, streamed.Out);
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void A_tiny_context_stops_with_context_full_and_a_note()
    {
        var promptIds = Ints(LoadGolden().GetProperty("prompt_ids"));
        var args = new[] { "generate", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--prompt-ids", string.Join(",", promptIds),
            "--max-tokens", "100", "--ignore-eos", "--context", (promptIds.Length + 4).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var json = RunJson([.. args, "--json"]);
        Assert.Equal("context_full", json.GetProperty("stop_reason").GetString());
        Assert.Equal(4, json.GetProperty("generated_ids").GetArrayLength());

        var text = CliRunner.Run(args);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("context", text.Error, StringComparison.Ordinal);
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void A_prompt_longer_than_the_context_is_a_user_error_naming_the_lengths()
    {
        var promptIds = Ints(LoadGolden().GetProperty("prompt_ids"));
        var result = CliRunner.Run("generate", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--prompt-ids", string.Join(",", promptIds), "--context", "8");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(promptIds.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error, StringComparison.Ordinal);
        Assert.Contains("8", result.Error, StringComparison.Ordinal);
    }

    [TinyModelFact("llama3-gqa/hf")]
    public void Chat_with_two_piped_lines_prints_two_replies()
    {
        var result = CliRunner.RunWithInput("Hello there\nTell me more\n", "chat", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--max-tokens", "8");
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.Split('\n');
        Assert.Equal(3, lines.Length); // two replies, each ended by a newline
        Assert.Equal("", lines[2]);
        Assert.DoesNotContain(">", result.Out.Split('\n')[0][..Math.Min(2, lines[0].Length)], StringComparison.Ordinal);
    }

    [TinyModelFact("llama3-gqa/hf")]
    public void Chat_commands_work_in_scripted_mode()
    {
        var result = CliRunner.RunWithInput("/system be brief\nHi\n/stats\n/reset\n/exit\nnever read\n", "chat", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--max-tokens", "4");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Single(result.Out.TrimEnd('\n').Split('\n'));
        Assert.Contains("decode", result.Error, StringComparison.Ordinal);
    }

    [TinyModelFact("llama3-gqa/hf")]
    public void Info_json_describes_the_model()
    {
        var json = RunJson("info", "--model", CliRunner.TinyPath($"{Variant}/hf"), "--json");
        Assert.Equal("llama", json.GetProperty("architecture").GetString());
        Assert.Equal(2, json.GetProperty("config").GetProperty("num_kv_heads").GetInt32());
        Assert.Equal([307, 308, 310], Ints(json.GetProperty("tokenizer").GetProperty("eos_ids")).Order());
        Assert.True(json.GetProperty("tensors").GetArrayLength() > 10);
        Assert.Contains("im_start", json.GetProperty("chat_template").GetString(), StringComparison.Ordinal);
    }

    [TinyModelFact("llama3-gqa/model-f32.gguf")]
    public void Info_text_lists_tensors_in_a_plain_table()
    {
        var result = CliRunner.Run("info", "--model", CliRunner.TinyPath($"{Variant}/model-f32.gguf"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("token_embd.weight", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", result.Out, StringComparison.Ordinal); // no ANSI escapes when redirected
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Tokenize_with_a_tokenizer_file_gives_the_reference_ids()
    {
        var textPrompt = LoadGolden().GetProperty("text_prompt");
        var json = RunJson("tokenize", "--tokenizer", CliRunner.TinyPath($"{Variant}/hf/tokenizer.json"), "--text", textPrompt.GetProperty("text").GetString()!, "--json");
        var ids = Ints(json.GetProperty("ids"));
        Assert.Equal(Ints(textPrompt.GetProperty("ids")), ids);
        Assert.Equal(ids.Length, json.GetProperty("tokens").GetArrayLength());
    }

    [Fact]
    public void The_default_model_is_used_when_model_is_omitted()
    {
        var result = CliRunner.Run("generate", "--prompt-ids", "306,285", "--max-tokens", "2", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("hearth-tiny", result.Out, StringComparison.Ordinal);
    }
}
