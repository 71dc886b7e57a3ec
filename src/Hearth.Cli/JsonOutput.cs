using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hearth.Cli;

internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Token strings and generated text are shown as they are, not \u-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter output, JsonNode node)
    {
        output.WriteLine(node.ToJsonString(Indented));
        output.Flush();
    }

    /// <summary>A float as JSON (null where JSON has no representation: NaN, infinities).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    public static JsonArray Ints(IEnumerable<int> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
