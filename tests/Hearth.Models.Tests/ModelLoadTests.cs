using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Formats.SafeTensors;

namespace Hearth.Models.Tests;

/// <summary>Model.Load end to end over the tiny models and over broken copies of them.</summary>
public sealed class ModelLoadTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("hearth-models-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Variant(string variant, string file) => Path.Combine(TestData.Tiny, variant, file);

    [Fact]
    public void Missing_path_says_model_not_found()
    {
        string path = Path.Combine(_temp, "nope.gguf");
        var e = Assert.Throws<HearthException>(() => Model.Load(path));
        Assert.Equal($"model not found: {path}", e.Message);
    }

    [Fact]
    public void Hf_folder_loads_config_eos_template_and_tokenizer()
    {
        using var model = Model.Load(Variant("llama3-gqa", "hf"));
        Assert.Equal("hf", model.Format);
        Assert.Equal("llama", model.Architecture.Name);
        Assert.Equal(new RopeScaling(RopeScalingType.Llama3, 8, 1, 4, 64), model.Config.RopeScaling);
        Assert.Equal(Compute.RopeMode.NeoX, model.Config.RopeMode);
        Assert.Equal(2, model.Config.KvHeadCount);
        foreach (int eos in new[] { 307, 308, 310 }) Assert.Contains(eos, model.EosIds);
        Assert.NotNull(model.ChatTemplateSource);
        Assert.Contains("<|im_start|>", model.ChatTemplateSource, StringComparison.Ordinal);
        Assert.NotNull(model.ChatTemplate);
        var golden = TestData.LoadGolden("llama3-gqa", "f32");
        Assert.Equal(golden.TextPrompt!.Ids, model.Tokenizer.Encode(golden.TextPrompt.Text, golden.TextPrompt.AddSpecialTokens));
    }

    [Theory]
    [InlineData("llama3-gqa")]
    [InlineData("llama2-mha")]
    public void Gguf_file_loads_with_its_own_tokenizer(string variant)
    {
        using var model = Model.Load(Variant(variant, "model-f32.gguf"));
        Assert.Equal("gguf", model.Format);
        Assert.Equal(Compute.RopeMode.Interleaved, model.Config.RopeMode);
        var golden = TestData.LoadGolden(variant, "f32");
        Assert.Equal(golden.TextPrompt!.Ids, model.Tokenizer.Encode(golden.TextPrompt.Text, golden.TextPrompt.AddSpecialTokens));
        Assert.NotEmpty(model.EosIds);
    }

    [Fact]
    public void Gguf_eos_includes_eot()
    {
        using var model = Model.Load(Variant("llama3-gqa", "model-f32.gguf"));
        using var hf = Model.Load(Variant("llama3-gqa", "hf"));
        // The GGUF carries eos (<|im_end|>) and eot (<|eot_id|>) ids; both stop generation as in HF.
        int imEnd = hf.Tokenizer.TokenId("<|im_end|>")!.Value;
        int eot = hf.Tokenizer.TokenId("<|eot_id|>")!.Value;
        Assert.Contains(imEnd, model.EosIds);
        Assert.Contains(eot, model.EosIds);
    }

    [Theory]
    [InlineData("qwen2-bias-tied", "qwen2", true, true)]
    [InlineData("mistral-swa", "mistral", false, false)]
    public void Hf_variants_map_to_their_architecture(string variant, string arch, bool bias, bool tied)
    {
        using var model = Model.Load(Variant(variant, "hf"));
        Assert.Equal(arch, model.Architecture.Name);
        Assert.Equal(bias, model.Config.QkvBias);
        Assert.Equal(tied, model.Config.TiedEmbeddings);
        Assert.Equal(variant == "mistral-swa" ? 6 : 0, model.Config.SlidingWindow);
    }

    [Fact]
    public void Mistral_gguf_reads_sliding_window()
    {
        using var model = Model.Load(Variant("mistral-swa", "model-f32.gguf"));
        Assert.Equal("llama", model.Architecture.Name);
        Assert.Equal(6, model.Config.SlidingWindow);
    }

    [Fact]
    public void Info_lists_architecture_tokenizer_and_tensors()
    {
        var info = ModelInfo.Read(Variant("llama3-gqa", "model-q8_0.gguf"));
        Assert.Equal("gguf", info.Format);
        Assert.Equal("llama", info.Architecture);
        Assert.Equal("gpt2", info.TokenizerKind);
        Assert.NotNull(info.ChatTemplate);
        Assert.Contains(info.Tensors, t => t.Name == "blk.0.attn_q.weight" && t.Type == TensorType.Q8_0);
        Assert.Contains(info.Metadata, kv => kv.Key == "llama.block_count" && kv.Value == "2");
        Assert.True(info.TotalTensorBytes > 0);

        var hfInfo = ModelInfo.Read(Variant("llama2-mha", "hf"));
        Assert.Equal("BPE", hfInfo.TokenizerKind);
        Assert.Contains(hfInfo.Metadata, kv => kv.Key == "model_type" && kv.Value == "llama");
    }

    [Fact]
    public void Malformed_config_json_names_the_file()
    {
        string folder = CopyHfFolderJson("llama3-gqa");
        File.WriteAllText(Path.Combine(folder, "config.json"), "{\"hidden_size\": 64,");
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Contains("config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_missing_field_names_config_json_and_field()
    {
        string folder = CopyHfFolderJson("llama3-gqa");
        string config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_hidden_layers\"", "\"num_layers\"", StringComparison.Ordinal));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Equal(config, e.Path);
        Assert.Contains("'num_hidden_layers'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_hf_model_type_lists_known_architectures()
    {
        string folder = CopyHfFolderJson("llama3-gqa");
        string config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, File.ReadAllText(config)
            .Replace("\"llama\"", "\"gpt_neox\"", StringComparison.Ordinal)
            .Replace("LlamaForCausalLM", "GPTNeoXForCausalLM", StringComparison.Ordinal));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Contains("gpt_neox", e.Message, StringComparison.Ordinal);
        Assert.Contains("llama, mistral, qwen2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hf_folder_missing_a_tensor_names_it()
    {
        string folder = CopyHfFolderJson("llama3-gqa");
        RewriteSafeTensors("llama3-gqa", folder, skip: "model.layers.1.mlp.up_proj.weight");
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Contains("'model.layers.1.mlp.up_proj.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains(folder, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gguf_with_unknown_architecture_lists_known_ones()
    {
        string path = RewriteGguf("llama3-gqa", meta => meta["general.architecture"] = GgufValue.Of("falcon"));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("'falcon'", e.Message, StringComparison.Ordinal);
        Assert.Contains("llama, mistral, qwen2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gguf_missing_a_tensor_names_file_and_tensor()
    {
        string path = RewriteGguf("llama3-gqa", skip: "blk.1.ffn_down.weight");
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("missing tensor 'blk.1.ffn_down.weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gguf_tensor_of_wrong_shape_names_both_shapes()
    {
        // attn_k is [kvHeads * headDim, dim] = [32, 64]; store the bytes as [16, 128] instead.
        string path = RewriteGguf("llama3-gqa", reshape: ("blk.0.attn_k.weight", new Shape(16, 128)));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("'blk.0.attn_k.weight' has shape [16, 128], expected [32, 64]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gguf_missing_required_key_is_named()
    {
        string path = RewriteGguf("llama3-gqa", meta => meta.Remove("llama.feed_forward_length"));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("'llama.feed_forward_length'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chat_template_list_picks_default_and_jinja_file_wins()
    {
        string folder = CopyHfFolderJson("llama3-gqa");
        string tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tokenizerConfig))!.AsObject();
        json["chat_template"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["name"] = "tool_use", ["template"] = "T" },
            new System.Text.Json.Nodes.JsonObject { ["name"] = "default", ["template"] = "D" });
        File.WriteAllText(tokenizerConfig, json.ToJsonString());
        using (var model = Model.Load(folder)) Assert.Equal("D", model.ChatTemplateSource);

        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "J");
        using (var model = Model.Load(folder)) Assert.Equal("J", model.ChatTemplateSource);

        json["chat_template"] = 42;
        File.WriteAllText(tokenizerConfig, json.ToJsonString());
        File.Delete(Path.Combine(folder, "chat_template.jinja"));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Equal(tokenizerConfig, e.Path);
        Assert.Contains("'chat_template'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_graph_cannot_be_built_after_dispose()
    {
        var model = Model.Load(Variant("llama2-mha", "model-f32.gguf"));
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.BuildStepGraph(1, FakeStateBuffer.Cache(model.Config), false));
    }

    // Copies the JSON files of a variant's hf/ folder (and its weights, unless rewritten later) to a temp folder.
    private string CopyHfFolderJson(string variant)
    {
        string source = Variant(variant, "hf");
        string folder = Path.Combine(_temp, variant + "-hf");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    private static void RewriteSafeTensors(string variant, string folder, string skip)
    {
        using var source = Formats.HuggingFace.HfModelFolder.Open(Variant(variant, "hf"));
        var writer = new SafeTensorsWriter();
        foreach (var t in source.Tensors.Where(t => t.Name != skip))
            writer.AddTensor(t.Name, t.Type, t.Shape, t.Bytes.ToArray());
        foreach (var f in Directory.EnumerateFiles(folder, "*.safetensors*")) File.Delete(f);
        writer.Write(Path.Combine(folder, "model.safetensors"));
    }

    private string RewriteGguf(string variant, Action<Dictionary<string, GgufValue>>? editMetadata = null, string? skip = null, (string Name, Shape Shape)? reshape = null)
    {
        using var source = GgufFile.Open(Variant(variant, "model-f32.gguf"));
        var meta = source.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        editMetadata?.Invoke(meta);
        var writer = new GgufWriter();
        foreach (var (key, value) in meta.Where(kv => kv.Key != "general.alignment")) writer.Add(key, value);
        foreach (var t in source.Tensors.Where(t => t.Name != skip))
            writer.AddTensor(t.Name, t.Type, t.Name == reshape?.Name ? reshape.Value.Shape : t.Shape, t.Bytes.ToArray());
        string path = Path.Combine(_temp, $"{variant}-{Guid.NewGuid():N}.gguf");
        writer.Write(path);
        return path;
    }
}
