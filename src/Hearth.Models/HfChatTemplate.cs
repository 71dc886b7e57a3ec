using System.Text.Json;
using Hearth.Core;

namespace Hearth.Models;

/// <summary>Finds a HF folder's chat template: chat_template.jinja, else chat_template.json, else tokenizer_config.json.</summary>
internal static class HfChatTemplate
{
    public static string? Read(string folder, string? tokenizerConfigPath)
    {
        string jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja)) return File.ReadAllText(jinja);
        string json = Path.Combine(folder, "chat_template.json");
        if (File.Exists(json) && FromJsonFile(json) is { } fromJson) return fromJson;
        return tokenizerConfigPath is not null && File.Exists(tokenizerConfigPath) ? FromJsonFile(tokenizerConfigPath) : null;
    }

    // "chat_template" is a string, or a list of {"name", "template"} of which "default" is the chat one.
    private static string? FromJsonFile(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"malformed JSON: {e.Message}", e);
        }
        using (doc)
        {
            var fields = JsonFields.Of(doc.RootElement, path);
            if (fields.Get("chat_template") is not { } value) return null;
            if (value.ValueKind == JsonValueKind.String) return value.GetString();
            if (value.ValueKind != JsonValueKind.Array) throw fields.WrongType("chat_template", "a string or a list of {name, template}", value);
            string? first = null;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.String)
                    throw fields.WrongType("chat_template", "a string or a list of {name, template}", item);
                string? name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name == "default") return template.GetString();
                first ??= template.GetString();
            }
            return first;
        }
    }
}
