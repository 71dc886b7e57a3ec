using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Models.Llama;

namespace Hearth.Models.Tests;

public class HfConfigTests
{
    private const string Llama3Config = """
        {
          "architectures": ["LlamaForCausalLM"], "model_type": "llama",
          "hidden_size": 4096, "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
          "num_hidden_layers": 32, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
          "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                           "original_max_position_embeddings": 8192, "rope_type": "llama3"},
          "tie_word_embeddings": false, "vocab_size": 128256, "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]
        }
        """;

    private const string Qwen2Config = """
        {
          "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
          "hidden_size": 896, "intermediate_size": 4864, "num_attention_heads": 14, "num_key_value_heads": 2,
          "num_hidden_layers": 24, "max_position_embeddings": 32768, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
          "sliding_window": 32768, "use_sliding_window": false, "max_window_layers": 21,
          "tie_word_embeddings": true, "vocab_size": 151936
        }
        """;

    private static ModelConfig Read(string json, string arch = "llama") =>
        ArchitectureRegistry.Get(arch).ReadHfConfig(JsonDocument.Parse(json).RootElement, "/m/config.json");

    private static string Edit(string json, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    [Fact]
    public void Llama3_config_reads_every_field()
    {
        var c = Read(Llama3Config);
        Assert.Equal("llama", c.Architecture);
        Assert.Equal(4096, c.Dim);
        Assert.Equal(14336, c.FfnDim);
        Assert.Equal(32, c.HeadCount);
        Assert.Equal(8, c.KvHeadCount);
        Assert.Equal(128, c.HeadDim);
        Assert.Equal(32, c.LayerCount);
        Assert.Equal(131072, c.ContextLength);
        Assert.Equal(1e-5f, c.RmsNormEps);
        Assert.Equal(500000f, c.RopeTheta);
        Assert.Equal(new RopeScaling(RopeScalingType.Llama3, 8, 1, 4, 8192), c.RopeScaling);
        Assert.Equal(RopeMode.NeoX, c.RopeMode);
        Assert.Equal(128256, c.VocabSize);
        Assert.False(c.TiedEmbeddings);
        Assert.False(c.QkvBias);
        Assert.Equal(0, c.SlidingWindow);
    }

    [Fact]
    public void Defaults_apply_when_optional_fields_are_absent()
    {
        var c = Read(Edit(Llama3Config, o => { o.Remove("num_key_value_heads"); o.Remove("rope_theta"); o.Remove("rope_scaling"); o.Remove("tie_word_embeddings"); }));
        Assert.Equal(32, c.KvHeadCount);
        Assert.Equal(10000f, c.RopeTheta);
        Assert.Null(c.RopeScaling);
        Assert.False(c.TiedEmbeddings);
    }

    [Fact]
    public void Explicit_head_dim_overrides_hidden_over_heads()
    {
        var c = Read(Edit(Llama3Config, o => o["head_dim"] = 64));
        Assert.Equal(64, c.HeadDim);
    }

    [Fact]
    public void Qwen2_has_qkv_bias_and_ignores_window_unless_enabled()
    {
        var c = Read(Qwen2Config, "qwen2");
        Assert.True(c.QkvBias);
        Assert.True(c.TiedEmbeddings);
        Assert.Equal(0, c.SlidingWindow);
        var enabled = Read(Edit(Qwen2Config, o => o["use_sliding_window"] = true), "qwen2");
        Assert.Equal(32768, enabled.SlidingWindow);
        Assert.Equal(21, enabled.SlidingWindowFirstLayer);
    }

    [Fact]
    public void Mistral_sliding_window_null_means_full_attention()
    {
        string mistral = Edit(Llama3Config, o => { o["model_type"] = "mistral"; o["sliding_window"] = null; o.Remove("rope_scaling"); });
        Assert.Equal(0, Read(mistral, "mistral").SlidingWindow);
        Assert.Equal(4096, Read(Edit(mistral, o => o["sliding_window"] = 4096), "mistral").SlidingWindow);
    }

    [Fact]
    public void Llama_attention_bias_turns_on_qkv_bias()
    {
        Assert.True(Read(Edit(Llama3Config, o => o["attention_bias"] = true)).QkvBias);
    }

    [Theory]
    [InlineData("linear", RopeScalingType.Linear)]
    [InlineData("llama3", RopeScalingType.Llama3)]
    public void Rope_scaling_accepts_legacy_type_key(string type, RopeScalingType expected)
    {
        var c = Read(Edit(Llama3Config, o => o["rope_scaling"] = new JsonObject
        {
            ["type"] = type, ["factor"] = 4.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0, ["original_max_position_embeddings"] = 8192,
        }));
        Assert.Equal(expected, c.RopeScaling!.Type);
        Assert.Equal(4f, c.RopeScaling.Factor);
    }

    [Fact]
    public void Rope_scaling_default_type_means_none()
    {
        Assert.Null(Read(Edit(Llama3Config, o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "default" })).RopeScaling);
    }

    [Fact]
    public void Unsupported_rope_scaling_names_the_type()
    {
        var e = Assert.Throws<ModelFormatException>(() => Read(Edit(Llama3Config, o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 })));
        Assert.Contains("/m/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("yarn", e.Message, StringComparison.Ordinal);
        Assert.Contains("rope_scaling", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_attention_heads")]
    [InlineData("num_hidden_layers")]
    [InlineData("max_position_embeddings")]
    [InlineData("rms_norm_eps")]
    [InlineData("vocab_size")]
    public void Missing_required_field_is_named(string field)
    {
        var e = Assert.Throws<ModelFormatException>(() => Read(Edit(Llama3Config, o => o.Remove(field))));
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
        Assert.Equal("/m/config.json", e.Path);
    }

    [Theory]
    [InlineData("hidden_size", "\"4096\"")]
    [InlineData("num_attention_heads", "32.5")]
    [InlineData("num_key_value_heads", "[8]")]
    [InlineData("rms_norm_eps", "\"1e-5\"")]
    [InlineData("rope_theta", "true")]
    [InlineData("tie_word_embeddings", "\"no\"")]
    [InlineData("head_dim", "{}")]
    [InlineData("rope_scaling", "\"llama3\"")]
    [InlineData("hidden_size", "-4096")]
    [InlineData("num_key_value_heads", "5")]
    [InlineData("rms_norm_eps", "0")]
    public void Wrongly_typed_or_invalid_field_is_named(string field, string json)
    {
        var e = Assert.Throws<ModelFormatException>(() => Read(Edit(Llama3Config, o => o[field] = JsonNode.Parse(json))));
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
        Assert.Equal("/m/config.json", e.Path);
    }

    [Theory]
    [InlineData("factor")]
    [InlineData("low_freq_factor")]
    [InlineData("high_freq_factor")]
    [InlineData("original_max_position_embeddings")]
    public void Missing_llama3_rope_field_is_named_with_its_path(string field)
    {
        var e = Assert.Throws<ModelFormatException>(() => Read(Edit(Llama3Config, o => o["rope_scaling"]!.AsObject().Remove(field))));
        Assert.Contains($"'rope_scaling.{field}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_that_is_not_an_object_is_rejected()
    {
        var e = Assert.Throws<ModelFormatException>(() => Read("[1, 2]"));
        Assert.Contains("/m/config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_resolves_model_type_then_class_name()
    {
        Assert.Equal("qwen2", ArchitectureRegistry.ForHuggingFace("c.json", "qwen2", []).Name);
        Assert.Equal("mistral", ArchitectureRegistry.ForHuggingFace("c.json", null, ["MistralForCausalLM"]).Name);
        Assert.Equal("llama", ArchitectureRegistry.ForGguf("m.gguf", "llama").Name);
        Assert.IsType<LlamaArchitecture>(ArchitectureRegistry.Get("qwen2"));
    }

    [Fact]
    public void Unknown_architecture_names_file_architecture_and_known_ones()
    {
        var e = Assert.Throws<ModelFormatException>(() => ArchitectureRegistry.ForHuggingFace("/m/config.json", "gpt_neox", ["GPTNeoXForCausalLM"]));
        Assert.Contains("/m/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpt_neox", e.Message, StringComparison.Ordinal);
        Assert.Contains("llama, mistral, qwen2", e.Message, StringComparison.Ordinal);

        var g = Assert.Throws<ModelFormatException>(() => ArchitectureRegistry.ForGguf("/m/x.gguf", "falcon"));
        Assert.Contains("/m/x.gguf", g.Message, StringComparison.Ordinal);
        Assert.Contains("'falcon'", g.Message, StringComparison.Ordinal);
        Assert.Contains("qwen2", g.Message, StringComparison.Ordinal);
    }
}
