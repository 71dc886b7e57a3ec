namespace Hearth.Core;

/// <summary>
/// An error a user can cause (bad file, bad flag, bad request). The message names the file,
/// tensor, field or flag and what was expected; front ends print it without a stack trace.
/// </summary>
public class HearthException : Exception
{
    public HearthException(string message) : base(message) { }
    public HearthException(string message, Exception inner) : base(message, inner) { }
    public HearthException() { }
}

/// <summary>A model or tokenizer file is malformed, truncated or unsupported.</summary>
public class ModelFormatException : HearthException
{
    public ModelFormatException(string path, string problem) : base($"{path}: {problem}") { Path = path; }
    public ModelFormatException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) { Path = path; }
    public ModelFormatException() { Path = ""; }
    public ModelFormatException(string message) : base(message) { Path = ""; }

    public string Path { get; }
}
