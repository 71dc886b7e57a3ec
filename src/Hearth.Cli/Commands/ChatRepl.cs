using System.Globalization;
using Hearth.Core;
using Hearth.Runtime;
using Hearth.Runtime.Chat;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Sampling;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace Hearth.Cli.Commands;

internal sealed record ChatSettings(string ModelPath, HearthModelOptions ModelOptions, SamplerOptions Sampling, int MaxTokens, string? SystemPrompt);

/// <summary>
/// The chat loop. Interactive on a terminal (prompt, colours, Ctrl-C stops the reply); with
/// redirected input it reads one user turn per line and prints one reply per line, nothing else.
/// </summary>
internal sealed class ChatRepl : IDisposable
{
    private readonly CliContext _context;
    private readonly bool _interactive;
    private readonly IAnsiConsole? _console;
    private readonly List<ChatMessage> _history = [];
    private ChatSettings _settings;
    private HearthChatClient _client;
    private CancellationTokenSource? _currentReply;
    private bool _hadError;

    public ChatRepl(CliContext context, ChatSettings settings)
    {
        _context = context;
        _settings = settings;
        _interactive = context.InputIsTerminal;
        if (_interactive && context.OutputIsTerminal)
            _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
        _client = Load(settings.ModelPath);
        if (_interactive) Console.CancelKeyPress += OnCancelKeyPress;
    }

    public int Run()
    {
        if (_interactive)
            Info($"hearth chat: {_settings.ModelPath} on {_settings.ModelOptions.Backend}. /help lists commands, Ctrl-C stops a reply.");
        while (true)
        {
            if (_interactive) Prompt();
            var line = _context.In.ReadLine();
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('/'))
            {
                if (!RunCommand(line)) break;
                continue;
            }
            Reply(line);
        }
        return _hadError ? HearthCli.UserError : HearthCli.Success;
    }

    private HearthChatClient Load(string path)
    {
        var model = HearthModel.Load(path, _settings.ModelOptions);
        var client = new HearthChatClient(model, ownsModel: true)
        {
            DefaultSampling = _settings.Sampling,
            DefaultMaxOutputTokens = _settings.MaxTokens,
        };
        if (client.UsesFallbackTemplate) _context.Error.WriteLine($"warning: {ChatPromptBuilder.FallbackNotice}");
        ResetHistory();
        return client;
    }

    private void ResetHistory()
    {
        _history.Clear();
        if (!string.IsNullOrEmpty(_settings.SystemPrompt)) _history.Add(new ChatMessage(ChatRole.System, _settings.SystemPrompt));
    }

    private void Reply(string userText)
    {
        _history.Add(new ChatMessage(ChatRole.User, userText));
        var reply = new System.Text.StringBuilder();
        using var cts = new CancellationTokenSource();
        _currentReply = cts;
        bool cancelled = false;
        try
        {
            var stream = _client.GetStreamingResponseAsync(_history, options: null, cts.Token);
            var enumerator = stream.GetAsyncEnumerator(cts.Token);
            try
            {
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    var text = enumerator.Current.Text;
                    if (text.Length == 0) continue;
                    if (reply.Length == 0) text = text.TrimStart();
                    reply.Append(text);
                    _context.Out.Write(_interactive ? text : OneLine(text));
                    _context.Out.Flush();
                }
            }
            finally
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        catch (HearthException e)
        {
            _history.RemoveAt(_history.Count - 1);
            _context.Out.WriteLine();
            _context.Error.WriteLine($"error: {e.Message}");
            _hadError = true;
            return;
        }
        finally
        {
            _currentReply = null;
        }

        _context.Out.WriteLine();
        _history.Add(new ChatMessage(ChatRole.Assistant, reply.ToString()));
        if (_interactive && cancelled) Info("[stopped]");
        if (!cancelled && _client.LastResult?.StopReason == StopReason.ContextFull)
            _context.Error.WriteLine($"note: {_client.LastResult.StopMessage}; /reset starts a new conversation");
        _context.Out.Flush();
    }

    /// <summary>Runs a /command; returns false to leave the REPL.</summary>
    private bool RunCommand(string line)
    {
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        var name = (space < 0 ? line : line[..space]).ToLowerInvariant();
        var argument = space < 0 ? "" : line[(space + 1)..].Trim();
        switch (name)
        {
            case "/exit" or "/quit":
                return false;
            case "/help":
                Info("/help            this list\n/exit            leave\n/stats           prefill and decode speed of the last reply\n" +
                     "/reset           forget the conversation\n/reload [PATH]   load the model again (or another one)\n/system TEXT     set the system prompt and start over");
                break;
            case "/stats":
                Info(Stats());
                break;
            case "/reset":
                ResetHistory();
                Info("conversation cleared");
                break;
            case "/system":
                _settings = _settings with { SystemPrompt = argument.Length == 0 ? null : argument };
                ResetHistory();
                Info(argument.Length == 0 ? "system prompt cleared; conversation cleared" : "system prompt set; conversation cleared");
                break;
            case "/reload":
                var path = argument.Length == 0 ? _settings.ModelPath : argument;
                try
                {
                    var client = Load(path);
                    _client.Dispose();
                    _client = client;
                    _settings = _settings with { ModelPath = path };
                    Info($"loaded {path}");
                }
                catch (HearthException e)
                {
                    _context.Error.WriteLine($"error: {e.Message}");
                    _hadError = true;
                }
                break;
            default:
                _context.Error.WriteLine($"error: unknown command {name}; /help lists the commands");
                break;
        }
        return true;
    }

    private string Stats()
    {
        if (_client.LastResult is not { } last) return "no reply yet";
        var t = last.Timings;
        return string.Create(CultureInfo.InvariantCulture,
            $"prefill: {t.PrefillTokens} tokens, {t.PrefillTokensPerSecond:F1} tok/s; decode: {t.DecodeTokens} tokens, {t.DecodeTokensPerSecond:F1} tok/s; ttft {t.TimeToFirstToken?.TotalMilliseconds ?? 0:F1} ms; stop: {last.StopReason.ToSnakeCase()}");
    }

    private void Prompt()
    {
        if (_console is not null) _console.Markup("[bold green]> [/]");
        else _context.Out.Write("> ");
        _context.Out.Flush();
    }

    /// <summary>Messages for the person at the terminal; in scripted mode they go to stderr so stdout holds only replies.</summary>
    private void Info(string message)
    {
        if (_console is not null) _console.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
        else if (_interactive) _context.Out.WriteLine(message);
        else _context.Error.WriteLine(message);
    }

    private static string OneLine(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Ctrl-C during a reply stops the reply; at the prompt it ends the program as usual.
        var reply = _currentReply;
        if (reply is null) return;
        e.Cancel = true;
        try { reply.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        if (_interactive) Console.CancelKeyPress -= OnCancelKeyPress;
        _client.Dispose();
    }
}
