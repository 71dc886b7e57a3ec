using System.CommandLine;
using Hearth.Cli.Commands;
using Hearth.Core;

namespace Hearth.Cli;

/// <summary>
/// The `hearth` command, runnable in-process: exit code 0 on success, 1 for errors a user can
/// fix (bad model file, prompt too long, ...), 2 for bad flags, 3 for internal errors.
/// </summary>
public static class HearthCli
{
    public const int Success = 0, UserError = 1, UsageError = 2, InternalError = 3;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);
        var context = new CliContext(stdout, stderr, stdin);
        var root = new RootCommand("Hearth: run Llama-family language models")
        {
            GenerateCommand.Create(context),
            ChatCommand.Create(context),
            InfoCommand.Create(context),
            TokenizeCommand.Create(context),
            QuantizeCommand.Create(context),
            PerplexityCommand.Create(context),
            BenchCommand.Create(context),
            ServeCommand.Create(context),
            TemplateCommand.Create(context),
            LoadtestCommand.Create(context),
            DevicesCommand.Create(context),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            var commandName = parse.CommandResult.Command == root ? "hearth" : $"hearth {parse.CommandResult.Command.Name}";
            stderr.WriteLine($"Run '{commandName} --help' for usage.");
            stderr.Flush();
            return UsageError;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            stdout.Flush();
            stderr.WriteLine($"error: {e.Message}");
            stderr.Flush();
            return UserError;
        }
        catch (Exception e)
        {
            stdout.Flush();
            stderr.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("HEARTH_DEBUG") == "1") stderr.WriteLine(e);
            else stderr.WriteLine("(set HEARTH_DEBUG=1 for a stack trace)");
            stderr.Flush();
            return InternalError;
        }
    }

    private static bool IsUserError(Exception e) => e is HearthException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or PathTooLongException or IOException;
}
