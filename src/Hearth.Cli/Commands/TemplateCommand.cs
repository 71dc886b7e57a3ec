using System.CommandLine;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Models;
using Hearth.Server.Chat;

namespace Hearth.Cli.Commands;

/// <summary>hearth template: prints the exact prompt the server builds for a chat request (to debug templates).</summary>
internal static class TemplateCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var messages = new Option<string>("--messages") { Description = "JSON file: an array of OpenAI chat messages, or a request body with \"messages\" (and \"tools\")", Required = true };
        var tools = new Option<string?>("--tools") { Description = "JSON file: an array of OpenAI tools" };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the assistant header, as the server does" };
        var json = CommonOptions.Json();
        var command = new Command("template", "Print the prompt the server would build from chat messages (and tools)")
        {
            model, messages, tools, generationPrompt, json,
        };
        command.SetAction(parse =>
        {
            var path = ModelLocator.Resolve(parse.GetValue(model));
            var messagesJson = Read(parse.GetValue(messages)!, "--messages");
            var toolsPath = parse.GetValue(tools);
            var toolsJson = toolsPath is null ? null : Read(toolsPath, "--tools");
            using var loaded = Model.Load(path);
            var prompt = ChatPrompts.RenderJson(loaded.Tokenizer, loaded.ChatTemplate, messagesJson, toolsJson, parse.GetValue(generationPrompt));
            if (loaded.ChatTemplate is null) context.Error.WriteLine("note: the model has no chat template; this is the plain transcript the server uses");
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, new JsonObject
                {
                    ["prompt"] = prompt.Text,
                    ["ids"] = JsonOutput.Ints(prompt.Ids),
                    ["count"] = prompt.Ids.Length,
                    ["stop"] = new JsonArray([.. prompt.StopStrings.Select(s => (JsonNode)s)]),
                });
            }
            else
            {
                context.Out.Write(prompt.Text);
                context.Out.Flush();
                context.Error.WriteLine($"[{prompt.Ids.Length} tokens]");
            }
            return 0;
        });
        return command;
    }

    private static string Read(string path, string flag)
    {
        if (!File.Exists(path)) throw new HearthException($"{flag}: file not found: {path}");
        return File.ReadAllText(path);
    }
}
