namespace Hearth.Runtime.Generation;

/// <summary>One generated token and the text it made ready to show (may be empty: held back or special).</summary>
public readonly record struct GeneratedToken(int Id, string Text);
