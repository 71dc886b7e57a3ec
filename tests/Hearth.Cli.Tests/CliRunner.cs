namespace Hearth.Cli.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error);

public static class CliRunner
{
    public static CliResult RunWithInput(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HearthCli.Run(args, output, error, new StringReader(stdin));
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static CliResult Run(params string[] args) => RunWithInput("", args);

    /// <summary>The repository root (the folder holding Hearth.slnx) above the test binaries.</summary>
    public static string RepoRoot => RepoPaths.RepoRoot;

    public static string TinyPath(string relative) => RepoPaths.Tiny(relative);
}

/// <summary>A fact that is skipped (with the reason) while the tiny test models are missing.</summary>
public sealed class TinyModelFactAttribute : FactAttribute
{
    public TinyModelFactAttribute(string relativePath)
    {
        if (!File.Exists(CliRunner.TinyPath(relativePath)) && !Directory.Exists(CliRunner.TinyPath(relativePath)))
            Skip = $"tiny test model tests/data/tiny/{relativePath} is missing (regenerate with tools/reference/make_tiny_models.py)";
    }
}
