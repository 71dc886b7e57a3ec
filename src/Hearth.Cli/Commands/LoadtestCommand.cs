using System.CommandLine;
using Hearth.Server.LoadTesting;

namespace Hearth.Cli.Commands;

/// <summary>hearth loadtest: throughput, TTFT and time-per-output-token percentiles of any OpenAI-compatible server.</summary>
internal static class LoadtestCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Option<string>("--url") { Description = "Server base URL, e.g. http://127.0.0.1:8080", Required = true };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight at once", DefaultValueFactory = _ => 4 };
        var requests = new Option<int>("--requests", "-n") { Description = "Requests in all", DefaultValueFactory = _ => 32 };
        var promptTokens = new Option<int>("--prompt-tokens", "-p") { Description = "Prompt length in tokens (exact with --endpoint completions on a server with POST /tokenize, as token ids; else this many words)", DefaultValueFactory = _ => 128 };
        var maxTokens = new Option<int>("--max-tokens", "-g") { Description = "Tokens generated per request (sent with ignore_eos)", DefaultValueFactory = _ => 64 };
        var model = new Option<string?>("--model", "-m") { Description = "Model id to request (default: the first of GET /v1/models)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key (default: $OPENAI_API_KEY if set)" };
        var endpoint = new Option<string>("--endpoint") { Description = "completions (like vLLM's benchmark) or chat", DefaultValueFactory = _ => "completions" };
        endpoint.AcceptOnlyFromAmong("completions", "chat");
        var seed = new Option<int>("--seed") { Description = "Seed of the prompt words", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed requests sent first, one at a time (0: none); if one fails the run stops", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        CommonOptions.Check(concurrency, v => v >= 1, ">= 1");
        CommonOptions.Check(requests, v => v >= 1, ">= 1");
        CommonOptions.Check(promptTokens, v => v >= 1, ">= 1");
        CommonOptions.Check(maxTokens, v => v >= 1, ">= 1");
        CommonOptions.Check(warmup, v => v >= 0, ">= 0");

        var command = new Command("loadtest", "Load-test an OpenAI-compatible server (Hearth or any other)")
        {
            url, concurrency, requests, promptTokens, maxTokens, model, apiKey, endpoint, seed, warmup, json,
        };
        command.SetAction(parse =>
        {
            var options = new LoadTestOptions
            {
                Url = parse.GetValue(url)!,
                Concurrency = parse.GetValue(concurrency),
                Requests = parse.GetValue(requests),
                PromptTokens = parse.GetValue(promptTokens),
                MaxTokens = parse.GetValue(maxTokens),
                Model = parse.GetValue(model),
                ApiKey = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                Endpoint = parse.GetValue(endpoint)!,
                Seed = parse.GetValue(seed),
                WarmupRequests = parse.GetValue(warmup),
            };
            bool asJson = parse.GetValue(json);
            var report = LoadTestRunner.RunAsync(options, asJson ? null : line => { context.Error.WriteLine(line); context.Error.Flush(); })
                .GetAwaiter().GetResult();
            if (asJson) JsonOutput.Write(context.Out, report.ToJson());
            else context.Out.Write(report.ToText());
            context.Out.Flush();
            return report.Successful == 0 ? HearthCli.UserError : HearthCli.Success;
        });
        return command;
    }
}
