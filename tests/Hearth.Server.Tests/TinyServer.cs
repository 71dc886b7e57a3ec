using System.Net.Http.Headers;
using Hearth.Runtime;
using Hearth.Runtime.Serving;
using Microsoft.AspNetCore.Builder;

namespace Hearth.Server.Tests;

/// <summary>The real server (Kestrel on 127.0.0.1, a free port) over the SequentialEngine and the shipped trained
/// model models/hearth-tiny, with an API key. Shared by the tests of the "server" collection.</summary>
public class TinyServer : IAsyncLifetime
{
    public const string ApiKey = "sk-hearth-test";
    public const string ModelName = "hearth-tiny";

    public static string ModelPath => Path.Combine(RepoPaths.RepoRoot, "models", "hearth-tiny");

    public HearthModel Model { get; private set; } = null!;
    public SequentialEngine Engine { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;

    protected virtual int MaxQueue => 64;

    /// <summary>Backend of the model; the scalar reference is slower, which gives timing tests a wide margin.</summary>
    protected virtual string Backend => Hearth.Backends.Cpu.CpuBackends.FastName;

    public async Task InitializeAsync()
    {
        Model = HearthModel.Load(ModelPath, new HearthModelOptions { Backend = Backend });
        Engine = new SequentialEngine(Model, new SequentialEngineOptions { MaxWaitingRequests = MaxQueue });
        App = HearthServer.Build(Engine, new ServerOptions { Port = 0, ApiKey = ApiKey, MaxRequestBodyBytes = 1 << 20 });
        await App.StartAsync();
        BaseUrl = HearthServer.BoundAddress(App);
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Engine.DisposeAsync();
        Model.Dispose();
    }
}

[CollectionDefinition("server")]
public class ServerCollection : ICollectionFixture<TinyServer>;
