using System.CommandLine;
using Hearth.Runtime;

namespace Hearth.Cli.Commands;

/// <summary>hearth chat: a REPL over the model's chat template.</summary>
internal static class ChatCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var system = new Option<string?>("--system", "-s") { Description = "System prompt" };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Maximum tokens per reply", DefaultValueFactory = _ => 256 };
        var backend = CommonOptions.Backend();
        var device = CommonOptions.Device();
        var contextLength = CommonOptions.Context();
        var sampling = new SamplingFlags();
        CommonOptions.NonNegative(maxTokens);
        CommonOptions.Positive(contextLength);

        var command = new Command("chat", "Chat with the model (/help for commands; reads one turn per line when stdin is redirected)")
        {
            model, system, maxTokens,
        };
        sampling.AddTo(command);
        command.Options.Add(backend);
        command.Options.Add(device);
        command.Options.Add(contextLength);

        command.SetAction(parse =>
        {
            var settings = new ChatSettings(
                ModelPath: ModelLocator.Resolve(parse.GetValue(model)),
                ModelOptions: new HearthModelOptions { Backend = CommonOptions.BackendName(parse, backend, device, context), ContextLength = parse.GetValue(contextLength) },
                Sampling: sampling.Read(parse),
                MaxTokens: parse.GetValue(maxTokens),
                SystemPrompt: parse.GetValue(system));
            using var repl = new ChatRepl(context, settings);
            return repl.Run();
        });
        return command;
    }
}
