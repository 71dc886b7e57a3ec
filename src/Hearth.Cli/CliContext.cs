namespace Hearth.Cli;

/// <summary>The streams a command talks to, and whether they are a real terminal.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, TextReader In)
{
    /// <summary>Stdout is the process console and not redirected: colours and tables are fine.</summary>
    public bool OutputIsTerminal => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Stdin is the process console and not redirected: the REPL is interactive.</summary>
    public bool InputIsTerminal => ReferenceEquals(In, Console.In) && !Console.IsInputRedirected;
}
