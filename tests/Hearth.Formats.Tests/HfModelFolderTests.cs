using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.HuggingFace;
using Hearth.Formats.SafeTensors;

namespace Hearth.Formats.Tests;

public class HfModelFolderTests
{
    private const string Config = """{"architectures":["LlamaForCausalLM"],"hidden_size":8}""";

    private static SafeTensorsWriter FourTensors()
    {
        var writer = new SafeTensorsWriter();
        for (int i = 0; i < 4; i++)
            writer.AddTensor($"layers.{i}.weight", TensorType.F32, new Shape(4, 4), TestData.RandomBytes(64, i));
        return writer;
    }

    [Fact]
    public void SingleFileFolder_Opens_WithOptionalFiles()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        dir.WriteText("generation_config.json", """{"eos_token_id": 2}""");
        dir.WriteText("tokenizer.json", "{}");
        FourTensors().Write(dir.File("model.safetensors"));

        Assert.True(HfModelFolder.IsModelFolder(dir.Path));
        using var folder = HfModelFolder.Open(dir.Path);
        Assert.Equal(8, folder.Config.GetProperty("hidden_size").GetInt32());
        Assert.Equal(2, folder.GenerationConfig!.Value.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(dir.File("tokenizer.json"), folder.TokenizerJsonPath);
        Assert.Null(folder.TokenizerConfigPath);
        Assert.Equal(4, folder.Tensors.Count);
        Assert.Equal(TestData.RandomBytes(64, 3), folder.Find("layers.3.weight")!.Bytes.ToArray());
    }

    [Fact]
    public void ShardedFolder_ExposesAllShardsAsOneSource()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        var shards = FourTensors().WriteSharded(dir.Path, maxShardBytes: 150); // two 64-byte tensors per shard

        Assert.Equal([dir.File("model-00001-of-00002.safetensors"), dir.File("model-00002-of-00002.safetensors")], shards);
        using (var index = JsonDocument.Parse(File.ReadAllText(dir.File("model.safetensors.index.json"))))
        {
            Assert.Equal(256, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
            var map = index.RootElement.GetProperty("weight_map");
            Assert.Equal("model-00001-of-00002.safetensors", map.GetProperty("layers.1.weight").GetString());
            Assert.Equal("model-00002-of-00002.safetensors", map.GetProperty("layers.2.weight").GetString());
        }

        using var folder = HfModelFolder.Open(dir.Path);
        Assert.Equal(2, folder.Shards.Count);
        Assert.Equal(4, folder.Tensors.Count);
        for (int i = 0; i < 4; i++)
            Assert.Equal(TestData.RandomBytes(64, i), folder.Find($"layers.{i}.weight")!.Bytes.ToArray());
        Assert.Null(folder.Find("nope"));
    }

    [Fact]
    public void MissingConfig()
    {
        using var dir = new TempDir();
        FourTensors().Write(dir.File("model.safetensors"));
        Assert.False(HfModelFolder.IsModelFolder(dir.Path));
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("config.json", error.Message);
        Assert.Contains(dir.Path, error.Message);
    }

    [Fact]
    public void MalformedConfig_NamesFileAndLine()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", "{\n  \"hidden_size\": 8,\n  \"vocab_size\": ]\n}");
        FourTensors().Write(dir.File("model.safetensors"));
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains(dir.File("config.json"), error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void MissingShard()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        FourTensors().WriteSharded(dir.Path, 150);
        File.Delete(dir.File("model-00002-of-00002.safetensors"));
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("model-00002-of-00002.safetensors", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void TensorListedInIndexButMissingFromShard()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        FourTensors().Write(dir.File("model-00001-of-00001.safetensors"));
        dir.WriteText("model.safetensors.index.json", """
            {"metadata": {"total_size": 256}, "weight_map": {"layers.0.weight": "model-00001-of-00001.safetensors", "lm_head.weight": "model-00001-of-00001.safetensors"}}
            """);
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("'lm_head.weight'", error.Message);
        Assert.Contains("model-00001-of-00001.safetensors", error.Message);
    }

    [Fact]
    public void DuplicateTensorAcrossShards()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        FourTensors().Write(dir.File("a.safetensors"));
        FourTensors().Write(dir.File("b.safetensors"));
        dir.WriteText("model.safetensors.index.json", """{"weight_map": {"layers.0.weight": "a.safetensors", "layers.1.weight": "b.safetensors"}}""");
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("appears in both", error.Message);
    }

    [Fact]
    public void ShardNameOutsideFolder_IsRejected()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        dir.WriteText("model.safetensors.index.json", """{"weight_map": {"w": "../model.safetensors"}}""");
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("not a plain file name", error.Message);
    }

    [Fact]
    public void NoWeights()
    {
        using var dir = new TempDir();
        dir.WriteText("config.json", Config);
        var error = Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.Path));
        Assert.Contains("no weights", error.Message);
    }

    [Fact]
    public void MissingFolder()
    {
        using var dir = new TempDir();
        Assert.Throws<ModelFormatException>(() => HfModelFolder.Open(dir.File("absent")));
        Assert.False(HfModelFolder.IsModelFolder(dir.File("absent")));
    }
}
