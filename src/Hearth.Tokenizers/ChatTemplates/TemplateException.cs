namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>A chat template that does not parse or fails while rendering; the message names line and column.</summary>
public sealed class TemplateException : HearthException
{
    public TemplateException(string message, int line, int column) : base($"chat template line {line}, column {column}: {message}")
    {
        Line = line;
        Column = column;
    }

    public TemplateException() { }
    public TemplateException(string message) : base(message) { }
    public TemplateException(string message, Exception inner) : base(message, inner) { }

    public int Line { get; }
    public int Column { get; }
}
