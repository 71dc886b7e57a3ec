namespace Hearth.Tokenizers.Pipeline;

/// <summary>Unicode NFC. Placeholder: .NET's own (a no-op under InvariantGlobalization).</summary>
internal static class Nfc
{
    public static string Normalize(string text) => text.Normalize(System.Text.NormalizationForm.FormC);
}
